"""HTTP plumbing: the loopback server, request decoding (form, multipart, JSON, query string) and
the serving of Bot API calls and file downloads, with injected faults applied."""

from __future__ import annotations

import contextlib
import json
import re
import sys
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import SplitResult, parse_qsl, unquote, urlsplit

from tests.support.botapi.common import MEDIA_KINDS, ApiError, bad_request
from tests.support.botapi.faults import FaultsMixin
from tests.support.botapi.values import ApiCall, JSONDict, UploadedFile

# Form fields that are strings in the Bot API and must never be JSON/number-decoded: a user may
# well send the text "42", "true" or "[1, 2]".
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "description",
        "short_description",
        "name",
        "title",
        "url",
        "query",
        "callback_query_id",
        "inline_message_id",
        "language_code",
        "secret_token",
        "ip_address",
        "file_id",
        "action",
        "message_effect_id",
        "business_connection_id",
        "icon_custom_emoji_id",
        "emoji",
        "first_name",
        "last_name",
        "phone_number",
        "vcard",
        "address",
        "question",
        "explanation",
        "custom_title",
        "performer",
        "file_name",
        "mime_type",
        *MEDIA_KINDS,
        "thumbnail",
    }
)
_INT_RE = re.compile(r"-?\d+")
_FLOAT_RE = re.compile(r"-?\d+\.\d+(?:[eE][-+]?\d+)?")


def _decode_param(name: str, value: object) -> object:
    """Undo PTB's ``json_parameters`` encoding: JSON objects/arrays, booleans and numbers come
    back as Python values, Bot API string fields stay strings whatever they look like."""
    if not isinstance(value, str) or name in _STRING_PARAMS:
        return value
    stripped = value.strip()
    if stripped and stripped[0] in "[{":
        with contextlib.suppress(ValueError):
            decoded = json.loads(stripped)
            if isinstance(decoded, dict | list):
                return decoded
    if value in ("true", "false"):
        return value == "true"
    if _INT_RE.fullmatch(value):
        return int(value)
    if _FLOAT_RE.fullmatch(value):
        return float(value)
    return value


def _header_param(header: str, name: str) -> str | None:
    match = re.search(rf'(?:^|;)\s*{name}="((?:[^"\\]|\\.)*)"', header) or re.search(
        rf"(?:^|;)\s*{name}=([^;\s]+)", header
    )
    return unquote(match.group(1)) if match else None


def _parse_multipart(body: bytes, boundary: str) -> tuple[dict[str, str], dict[str, UploadedFile]]:
    fields: dict[str, str] = {}
    files: dict[str, UploadedFile] = {}
    for raw_part in body.split(b"--" + boundary.encode("latin-1"))[1:]:
        if raw_part.startswith(b"--"):
            break
        part = raw_part.removeprefix(b"\r\n").removesuffix(b"\r\n")
        head, _, content = part.partition(b"\r\n\r\n")
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        disposition = headers.get("content-disposition", "")
        name = _header_param(disposition, "name")
        if name is None:
            continue
        filename = _header_param(disposition, "filename")
        if filename is not None:
            files[name] = UploadedFile(name, filename, headers.get("content-type"), content)
        else:
            fields[name] = content.decode("utf-8")
    return fields, files


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    double: ServingMixin

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Connection resets are normal (cancelled long polls, client timeouts); anything else
        is a bug in the double and is recorded instead of printed."""
        exc = sys.exc_info()[1]
        if isinstance(exc, OSError):
            return
        self.double._record_server_error(traceback.format_exc())


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "BotApiDouble/1.0"
    # Headers and body are separate writes: with Nagle + delayed ACK each call would take 40 ms.
    disable_nagle_algorithm = True
    server: Server

    def setup(self) -> None:
        super().setup()
        self.server.double._track_connection(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.double._track_connection(self.connection, add=False)

    def log_message(self, format: str, *args: Any) -> None:  # stdlib's signature
        """Silence the default stderr access log."""

    def do_GET(self) -> None:
        self.server.double._serve(self)

    def do_POST(self) -> None:
        self.server.double._serve(self)


def _read_body(handler: BaseHTTPRequestHandler) -> bytes:
    if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
        chunks: list[bytes] = []
        while True:
            size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                handler.rfile.readline()
                return b"".join(chunks)
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline()
    length = int(handler.headers.get("Content-Length") or 0)
    return handler.rfile.read(length) if length > 0 else b""


def _write(handler: BaseHTTPRequestHandler, status: int, payload: bytes, content_type: str) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(payload)))
    handler.end_headers()
    handler.wfile.write(payload)
    handler.wfile.flush()


def _json_bytes(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


class ServingMixin(FaultsMixin):
    """Serves one HTTP request: routing, authentication, parameters, faults, dispatch."""

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        split = urlsplit(handler.path)
        body = _read_body(handler)
        api = re.fullmatch(r"/bot([^/]*)/([^/?]+)/?", split.path)
        if api is None:
            files = re.fullmatch(r"/file/bot([^/]*)/(.+)", split.path)
            if files is not None:
                self._serve_file(handler, unquote(files.group(1)), unquote(files.group(2)))
                return
            self._answer(handler, 404, ApiError(404, "Not Found").payload())
            return
        self._serve_api(handler, unquote(api.group(1)), unquote(api.group(2)), split, body)

    def _serve_file(self, handler: BaseHTTPRequestHandler, token: str, file_path: str) -> None:
        if token != self._token:
            error = ApiError(401, "Unauthorized")
            self._answer(handler, error.code, error.payload())
            return
        with self._lock:
            stored = next((f for f in self._files.values() if f.file_path == file_path), None)
        if stored is None:
            error = ApiError(404, "Not Found")
            self._answer(handler, error.code, error.payload())
            return
        _write(handler, 200, stored.content, "application/octet-stream")

    def _answer(self, handler: BaseHTTPRequestHandler, status: int, payload: JSONDict) -> None:
        _write(handler, status, _json_bytes(payload), "application/json")

    def _parse_params(
        self, handler: BaseHTTPRequestHandler, split: SplitResult, body: bytes
    ) -> tuple[dict[str, Any], dict[str, UploadedFile], str]:
        raw: dict[str, Any] = {}
        files: dict[str, UploadedFile] = {}
        transport = "none"
        if split.query:
            raw.update(parse_qsl(split.query, keep_blank_values=True))
            transport = "query"
        content_type = handler.headers.get("Content-Type", "")
        mime = content_type.split(";")[0].strip().lower()
        if body:
            if mime == "application/x-www-form-urlencoded":
                raw.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
                transport = "form"
            elif mime == "multipart/form-data":
                boundary = _header_param(content_type, "boundary")
                if not boundary:
                    raise bad_request("multipart boundary is missing")
                fields, files = _parse_multipart(body, boundary)
                raw.update(fields)
                transport = "multipart"
            elif mime == "application/json":
                try:
                    decoded = json.loads(body)
                except ValueError as exc:
                    raise bad_request("can't parse JSON object") from exc
                if not isinstance(decoded, dict):
                    raise bad_request("JSON object expected")
                raw.update(decoded)
                transport = "json"
        return {name: _decode_param(name, value) for name, value in raw.items()}, files, transport

    def _serve_api(
        self, handler: BaseHTTPRequestHandler, token: str, raw_method: str, split: SplitResult, body: bytes
    ) -> None:
        canonical = self._canonical.get(raw_method.lower())
        parse_error: ApiError | None = None
        try:
            params, files, transport = self._parse_params(handler, split, body)
        except ApiError as exc:
            params, files, transport, parse_error = {}, {}, "invalid", exc
        call = ApiCall(
            method=canonical or raw_method,
            params=params,
            files=files,
            transport=transport,
            http_method=handler.command,
        )
        with self._lock:
            self._calls.append(call)

        late_by: float | None = None
        if token != self._token:
            status, payload = 401, ApiError(401, "Unauthorized").payload()
        elif canonical is None:
            status, payload = 404, ApiError(404, "Not Found: method not found").payload()
        elif parse_error is not None:
            status, payload = parse_error.code, parse_error.payload()
        else:
            delay = self._take_delay(canonical)
            if delay is not None and not delay.then_accept:
                self._stop_event.wait(delay.seconds)
                with self._lock:
                    call.status = 0
                handler.close_connection = True
                return
            status, payload = self._execute(canonical, params, files, call)
            if delay is not None:
                late_by = delay.seconds
            elif call.fault is None:
                late_by = self._roll_timeout(canonical)
        with self._lock:
            call.status = status
            call.late = late_by is not None and call.executed
        if late_by is not None:
            self._stop_event.wait(late_by)
        self._answer(handler, status, payload)

    def _execute(
        self, method: str, params: dict[str, Any], files: dict[str, UploadedFile], call: ApiCall
    ) -> tuple[int, JSONDict]:
        with self._cond:
            fault = self._take_fault(method, params)
            if fault is not None:
                call.fault = fault.error_code
                parameters = {"retry_after": fault.retry_after} if fault.retry_after is not None else None
                return fault.error_code, ApiError(fault.error_code, fault.description, parameters).payload()
            call.executed = True
            try:
                result = self._dispatch[method](params, files)
            except ApiError as exc:
                return exc.code, exc.payload()
            except Exception:  # a bug in the double must not hang the bot
                self._server_errors.append(traceback.format_exc())
                return 500, ApiError(500, "Internal Server Error: BotApiDouble crashed").payload()
            return 200, {"ok": True, "result": result}
