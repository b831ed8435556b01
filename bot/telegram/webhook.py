"""The webhook receiver: each update is stored before Telegram gets its 200, so none is lost to a crash.

PTB's built-in webhook answers 200 before the update is processed, or even stored; this small tornado
server (tornado comes with PTB's webhooks extra) stores first. The secret token is checked, in constant time,
as soon as the headers are in and before any of the body is read: a call without it gets 403 and its body is
never buffered. A body over `MAX_BODY` (far above any update) gets 413. Refusals are counted and logged at
most once every `REFUSAL_LOG_SECONDS`, so a flood of forged calls cannot flood the log either.
"""

from __future__ import annotations

import hmac
import json
import logging
import time
from typing import Any, cast

from telegram import Bot
from tornado.http1connection import HTTP1Connection
from tornado.httpserver import HTTPServer
from tornado.web import Application, RequestHandler, stream_request_body

from bot.settings import Settings

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105  (a header name, not a secret)
PATH = "/telegram"
MAX_BODY = 1024 * 1024  # an update is a few kilobytes; Telegram's own messages stay far below this
REFUSAL_LOG_SECONDS = 10.0


class Refusals:
    """Counts refused calls and logs them in one line per period: how many, and the last reason."""

    def __init__(self, period: float = REFUSAL_LOG_SECONDS) -> None:
        self.period = period
        self.count = 0
        self.total = 0
        self._logged_at: float | None = None

    def note(self, reason: str) -> None:
        self.count += 1
        self.total += 1
        now = time.monotonic()
        if self._logged_at is None or now - self._logged_at >= self.period:
            log.warning(
                "webhook: %s call(s) refused since the last report (last one: %s)", self.count, reason
            )
            self.count = 0
            self._logged_at = now


@stream_request_body
class _UpdateHandler(RequestHandler):
    def initialize(self, pipeline: Any, secret: str, refusals: Refusals) -> None:
        self.pipeline = pipeline
        self.secret = secret
        self.refusals = refusals
        self._chunks: list[bytes] = []
        self._size = 0

    def _refuse(self, status: int, reason: str) -> None:
        self.refusals.note(reason)
        self.set_status(status)
        self.finish()

    def prepare(self) -> None:
        """Runs once the headers are in, before the body is read: unauthenticated or oversized calls end
        here (tornado then closes the connection instead of reading what is left)."""
        if self.request.method != "POST":
            return
        given = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            self._refuse(403, "wrong or missing secret token")
            return
        length = self.request.headers.get("Content-Length", "0")
        if not length.isdigit() or int(length) > MAX_BODY:
            self._refuse(413, "body too large")
            return
        # HTTPServer speaks HTTP/1.1 only: every request's connection is an HTTP1Connection.
        cast(HTTP1Connection, self.request.connection).set_max_body_size(MAX_BODY)

    def data_received(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if self._size <= MAX_BODY:
            self._chunks.append(chunk)

    async def post(self) -> None:
        if self._size > MAX_BODY:
            self._refuse(413, "body too large")
            return
        try:
            payload = json.loads(b"".join(self._chunks))
            if not isinstance(payload, dict) or not isinstance(payload.get("update_id"), int):
                raise ValueError("not an update")
        except ValueError:
            self._refuse(400, "not an update")
            return
        await self.pipeline.receive([payload])  # committed before the 200 below
        self.set_status(200)


class WebhookReceiver:
    """Listens on WEBHOOK_LISTEN:WEBHOOK_PORT/telegram and registers WEBHOOK_URL with Telegram."""

    def __init__(self, pipeline: Any, settings: Settings, allowed_updates: list[str]) -> None:
        assert settings.webhook_secret is not None
        assert settings.webhook_url is not None
        self.pipeline = pipeline
        self.settings = settings
        self.allowed_updates = allowed_updates
        self._server: HTTPServer | None = None

    async def start(self, bot: Bot) -> None:
        webhook_secret, webhook_url = self.settings.webhook_secret, self.settings.webhook_url
        assert webhook_secret is not None  # both checked in __init__: narrows the types
        assert webhook_url is not None
        secret = webhook_secret.get_secret_value()
        self.refusals = Refusals()
        handler = {"pipeline": self.pipeline, "secret": secret, "refusals": self.refusals}
        app = Application([(PATH, _UpdateHandler, handler)])
        self._server = HTTPServer(app, max_body_size=MAX_BODY)
        self._server.listen(self.settings.webhook_port, address=self.settings.webhook_listen)
        await bot.set_webhook(
            url=webhook_url,
            secret_token=secret,
            allowed_updates=self.allowed_updates,
        )

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
