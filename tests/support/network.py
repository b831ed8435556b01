"""No test reaches past this machine: every connection goes to a loopback address or a Unix socket.

`install()` wraps the ways Python code opens a connection (`socket.socket.connect`, `connect_ex`,
`sendto`, which asyncio's `sock_connect`, `create_connection` and every HTTP client end up calling) and
`socket.getaddrinfo` (which would ask a DNS server about any name but a loopback one). Anything else raises
`OffMachineConnection` at once, and is recorded: a library that swallows the error (a retry loop, say)
still fails the test, from the `network_guard` fixture in tests/conftest.py.

The bot's child processes in the fault tests are not covered: they only talk to the double on 127.0.0.1.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from typing import Any

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})


class OffMachineConnection(RuntimeError):
    """A test tried to reach an address that is not on this machine."""


_attempts: list[str] = []
_lock = threading.Lock()
_originals: dict[str, Any] = {}


def is_loopback(host: object) -> bool:
    """Loopback IPv4 (127.0.0.0/8), IPv6 (::1, IPv4-mapped 127.x) or one of the loopback names."""
    if not isinstance(host, str):
        return False
    name = host.strip("[]").split("%", 1)[0].lower()  # [::1], fe80::1%eth0
    if name in LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def _allowed(family: int, address: object) -> bool:
    if family == getattr(socket, "AF_UNIX", None):
        return True
    if isinstance(address, tuple) and address:
        return is_loopback(address[0])
    return False


def _refuse(what: str, sock: socket.socket | None = None) -> OffMachineConnection:
    if sock is not None:
        sock.close()  # callers clean up after an OSError only: this socket would be left open
    message = (
        f"{what}: tests may only reach loopback addresses (127.0.0.0/8, ::1, localhost) or Unix sockets "
        "(tests/support/network.py)"
    )
    with _lock:
        _attempts.append(message)
    return OffMachineConnection(message)


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    if not _allowed(self.family, address):
        raise _refuse(f"connect to {address!r}", self)
    return _originals["connect"](self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> Any:
    if not _allowed(self.family, address):
        raise _refuse(f"connect_ex to {address!r}", self)
    return _originals["connect_ex"](self, address)


def _guarded_sendto(self: socket.socket, data: Any, *rest: Any) -> Any:
    address = rest[-1]  # sendto(data, address) or sendto(data, flags, address)
    if not _allowed(self.family, address):
        raise _refuse(f"sendto {address!r}", self)
    return _originals["sendto"](self, data, *rest)


def _asks_a_name_server(host: object) -> bool:
    """True for a host name that is not a loopback one: resolving it queries DNS. Numeric addresses and the
    empty host (bind to every interface) are answered locally; connecting to them is checked later."""
    if isinstance(host, bytes):
        host = host.decode("idna")
    if host is None or host == "" or is_loopback(host):
        return False
    try:
        ipaddress.ip_address(str(host).strip("[]").split("%", 1)[0])
    except ValueError:
        return True
    return False


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if _asks_a_name_server(host):
        raise _refuse(f"resolving {host!r} (a DNS query)")
    return _originals["getaddrinfo"](host, *args, **kwargs)


def install() -> None:
    """Put the guard in place (idempotent)."""
    if _originals:
        return
    _originals.update(
        connect=socket.socket.connect,
        connect_ex=socket.socket.connect_ex,
        sendto=socket.socket.sendto,
        getaddrinfo=socket.getaddrinfo,
    )
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
    socket.socket.sendto = _guarded_sendto  # type: ignore[method-assign,assignment]
    socket.getaddrinfo = _guarded_getaddrinfo


def take_attempts() -> list[str]:
    """The refused attempts since the last call, forgotten once read."""
    with _lock:
        attempts = list(_attempts)
        _attempts.clear()
    return attempts
