"""The network guard (tests/support/network.py): another machine is refused at once, this one still works."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
import urllib.request
from collections.abc import Iterator

import httpx
import pytest

from tests.support import network

ELSEWHERE = "192.0.2.1"  # TEST-NET-1 (RFC 5737): documentation only, routed nowhere


@pytest.fixture
def refusals() -> Iterator[list[str]]:
    """The refusals this test provokes on purpose, taken from the guard so the autouse check passes."""
    taken: list[str] = []
    yield taken
    taken += network.take_attempts()


@pytest.fixture
def listener() -> Iterator[tuple[str, int]]:
    with socket.create_server(("127.0.0.1", 0)) as server:
        yield "127.0.0.1", server.getsockname()[1]


def test_a_connection_to_another_machine_is_refused_at_once(refusals: list[str]) -> None:
    started = time.monotonic()
    with (
        socket.socket() as sock,
        pytest.raises(network.OffMachineConnection, match=f"connect to .*{ELSEWHERE}"),
    ):
        sock.connect((ELSEWHERE, 443))
    with socket.socket() as sock, pytest.raises(network.OffMachineConnection):
        sock.connect_ex((ELSEWHERE, 443))
    with socket.socket(type=socket.SOCK_DGRAM) as sock, pytest.raises(network.OffMachineConnection):
        sock.sendto(b"x", (ELSEWHERE, 53))
    with pytest.raises(network.OffMachineConnection, match="loopback"):
        socket.create_connection((ELSEWHERE, 80), timeout=30)
    assert time.monotonic() - started < 1.0  # refused, not timed out


def test_a_host_name_is_not_even_resolved(refusals: list[str]) -> None:
    with pytest.raises(network.OffMachineConnection, match="DNS"):
        socket.getaddrinfo("api.telegram.org", 443)
    with pytest.raises(network.OffMachineConnection):
        urllib.request.urlopen("http://guard-test.invalid/", timeout=30)


async def test_asyncio_and_http_clients_are_refused_too(refusals: list[str]) -> None:
    with pytest.raises(network.OffMachineConnection):
        await asyncio.open_connection(ELSEWHERE, 443)
    with pytest.raises(network.OffMachineConnection):
        await asyncio.open_connection("api.telegram.org", 443)
    caught: BaseException | None = None
    async with httpx.AsyncClient(timeout=30) as client:
        try:
            await client.get(f"http://{ELSEWHERE}/")
        except BaseException as error:  # anyio's happy eyeballs wrap it in an exception group
            caught = error
    assert holds(caught, network.OffMachineConnection), caught


def holds(error: BaseException | None, kind: type[BaseException]) -> bool:
    """`error` is a `kind`, or one is inside it (an exception group, a cause)."""
    if error is None or isinstance(error, kind):
        return error is not None
    inner = list(error.exceptions) if isinstance(error, BaseExceptionGroup) else []
    return any(holds(e, kind) for e in [*inner, error.__cause__, error.__context__])


def test_a_refusal_a_library_swallows_is_still_recorded_for_the_test(refusals: list[str]) -> None:
    with contextlib.suppress(Exception):  # what a retry loop does
        socket.create_connection((ELSEWHERE, 80))
    assert network.take_attempts() == [
        f"connect to {(ELSEWHERE, 80)!r}: tests may only reach loopback addresses (127.0.0.0/8, ::1, localhost) "
        "or Unix sockets (tests/support/network.py)"
    ]


def test_loopback_and_unix_sockets_still_work(listener: tuple[str, int], tmp_path: object) -> None:
    host, port = listener
    for address in (host, "localhost"):
        with socket.create_connection((address, port), timeout=5):
            pass
    assert all(network.is_loopback(a) for a in ("127.0.0.2", "::1", "[::1]", "::ffff:127.0.0.1", "LOCALHOST"))
    assert not network.is_loopback("10.0.0.1") and not network.is_loopback("::ffff:192.0.2.1")
    with socket.socket(socket.AF_UNIX) as server, socket.socket(socket.AF_UNIX) as client:
        path = f"{tmp_path}/guard.sock"
        server.bind(path)
        server.listen()
        client.connect(path)
    assert network.take_attempts() == []


async def test_asyncio_reaches_loopback(listener: tuple[str, int]) -> None:
    _reader, writer = await asyncio.open_connection(*listener)
    writer.close()
    await writer.wait_closed()
