"""HTTP: the loopback server, the form-encoded requests PTB sends, and the faults a test injects (errors
instead of executing, answers held back after executing)."""

from __future__ import annotations

import contextlib
import json
import random
import re
import sys
import traceback
from collections.abc import Iterable
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote

from tests.support.botapi.state import ApiError, DoubleState
from tests.support.botapi.values import ApiCall, JSONDict, Upload

# Bot API string fields that must never be decoded as JSON or numbers: a user may write "42" or "true".
STRING_FIELDS = frozenset(
    {"text", "caption", "name", "url", "callback_query_id", "language_code", "secret_token", "parse_mode"}
)
DEFAULT_DESCRIPTIONS = {403: "Forbidden", 500: "Internal Server Error", 502: "Bad Gateway"}


def decode(name: str, value: str) -> object:
    """Undo PTB's encoding (``RequestData.json_parameters``): every value but a string is ``json.dumps``-ed,
    so ``chat_id=-100123`` arrives as ``"-100123"`` and ``reply_markup`` as a JSON object."""
    if name in STRING_FIELDS:
        return value
    with contextlib.suppress(ValueError):
        return json.loads(value)
    return value


def form(content_type: str, raw: bytes) -> dict[str, Any]:
    """The parameters of a request: form-encoded, or multipart when PTB uploads a file (sendPhoto,
    sendDocument), where each file arrives as an ``Upload``."""
    if not content_type.startswith("multipart/form-data"):
        body = raw.decode("utf-8")
        return {name: decode(name, value) for name, value in parse_qsl(body, keep_blank_values=True)}
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + raw)
    params: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        content = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None:
            params[str(name)] = Upload(filename, part.get_content_type(), content)
        else:
            params[str(name)] = decode(str(name), content.decode("utf-8"))
    return params


def default_description(code: int, retry_after: int | None) -> str:
    if code == 429:
        return f"Too Many Requests: retry after {retry_after or 1}"
    return DEFAULT_DESCRIPTIONS.get(code, f"Error {code}")


@dataclass
class RandomRule:
    """A ``fail_randomly`` or ``time_out_randomly`` rule, shared by the methods it was set for (one random
    generator, so a seeded run is reproducible for a given order of calls)."""

    rate: float
    rng: random.Random
    codes: tuple[int, ...] = ()
    retry_after: int = 1
    seconds: float = 0.0


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    double: Serving

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Connection resets are normal (cancelled long polls, client timeouts); anything else is a bug in
        the double, recorded instead of printed."""
        if not isinstance(sys.exc_info()[1], OSError):
            with self.double._lock:
                self.double._server_errors.append(traceback.format_exc())


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body are separate writes: with Nagle and delayed ACKs each call would take 40 ms.
    disable_nagle_algorithm = True
    server: Server

    def setup(self) -> None:
        super().setup()
        with self.server.double._lock:
            self.server.double._connections.add(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            with self.server.double._lock:
                self.server.double._connections.discard(self.connection)

    def log_message(self, format: str, *args: Any) -> None:  # stdlib's signature
        """No access log on stderr."""

    def do_POST(self) -> None:
        self.server.double._serve(self)


class Serving(DoubleState):
    """One request: token, method, parameters, injected faults, then the method itself."""

    def fail_next(
        self,
        method: str,
        *,
        error_code: int,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with an error instead of executing them (nothing is
        stored). ``retry_after`` adds ``parameters.retry_after`` (PTB raises ``RetryAfter``); 400 gives
        ``BadRequest``, 403 ``Forbidden``, 5xx ``NetworkError``."""
        text = description or default_description(error_code, retry_after)
        with self._lock:
            self._faults.append((self._canonical[method.lower()], error_code, text, retry_after, [times]))

    def fail_randomly(
        self,
        methods: Iterable[str],
        rate: float,
        *,
        codes: Iterable[int] = (429, 500, 502),
        retry_after: int = 1,
        seed: int | None = None,
    ) -> None:
        """From now on, answer a fraction ``rate`` of the calls of ``methods`` with an error drawn from
        ``codes`` instead of executing them; the call's ``fault`` records the code. ``fail_next`` comes first."""
        rule = RandomRule(rate, random.Random(seed), tuple(codes), retry_after)
        with self._lock:
            self._random_faults.update(dict.fromkeys(self._names(methods), rule))

    def time_out_randomly(
        self, methods: Iterable[str], rate: float, seconds: float, *, seed: int | None = None
    ) -> None:
        """From now on, answer a fraction ``rate`` of the calls of ``methods`` ``seconds`` late: the call IS
        executed (the message stored) and marked ``late``, so a client with a shorter timeout sees
        ``TimedOut`` although the message exists. A faulted call is never also late."""
        rule = RandomRule(rate, random.Random(seed), seconds=seconds)
        with self._lock:
            self._random_timeouts.update(dict.fromkeys(self._names(methods), rule))

    def _names(self, methods: Iterable[str]) -> list[str]:
        if isinstance(methods, str):
            raise TypeError("methods must be a collection of method names, not one string")
        return [self._canonical[method.lower()] for method in methods]

    def _fault(self, method: str) -> tuple[int, str, int | None] | None:
        """The fault that answers this call instead of running it, if any (lock held)."""
        for fault in self._faults:
            name, code, text, retry_after, left = fault
            if name == method:
                left[0] -= 1
                if left[0] <= 0:
                    self._faults.remove(fault)
                return code, text, retry_after
        rule = self._random_faults.get(method)
        if rule is None or rule.rng.random() >= rule.rate:
            return None
        code = rule.rng.choice(rule.codes)
        retry_after = rule.retry_after if code == 429 else None
        return code, default_description(code, retry_after), retry_after

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        path = re.fullmatch(r"/bot([^/]*)/([^/?]+)", handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length > 0 else b""
        if path is None:
            self._answer(handler, ApiError(404, "Not Found").payload(), 404)
            return
        method = self._canonical.get(unquote(path.group(2)).lower())
        params = form(handler.headers.get("Content-Type") or "", raw)
        call = ApiCall(method or path.group(2), params)
        with self._lock:
            self._calls.append(call)
        late_by: float | None = None
        if unquote(path.group(1)) != self._token:
            status, payload = 401, ApiError(401, "Unauthorized").payload()
        elif method is None:
            status, payload = 404, ApiError(404, "Not Found: method not found").payload()
        else:
            status, payload = self._execute(method, params, call)
            rule = self._random_timeouts.get(method)
            if call.executed and rule is not None and rule.rng.random() < rule.rate:
                late_by = rule.seconds
        with self._lock:
            call.status, call.late = status, late_by is not None
        self._wake_waiters()
        if late_by is not None:
            self._stop_event.wait(late_by)
        self._answer(handler, payload, status)

    def _execute(self, method: str, params: dict[str, Any], call: ApiCall) -> tuple[int, JSONDict]:
        with self._cond:
            fault = self._fault(method)
            if fault is not None:
                code, text, retry_after = fault
                call.fault = code
                return code, ApiError(
                    code, text, {"retry_after": retry_after} if retry_after else None
                ).payload()
            call.executed = True
            try:
                return 200, {"ok": True, "result": self._dispatch[method](params)}
            except ApiError as error:
                return error.code, error.payload()
            except Exception:  # a bug in the double must not hang the bot
                self._server_errors.append(traceback.format_exc())
                return 500, ApiError(500, "Internal Server Error: BotApiDouble crashed").payload()

    @staticmethod
    def _answer(handler: BaseHTTPRequestHandler, payload: JSONDict, status: int) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)
        handler.wfile.flush()
