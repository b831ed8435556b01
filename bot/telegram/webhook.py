"""The webhook receiver: each update is stored before Telegram gets its 200, so none is lost to a crash.

PTB's built-in webhook answers 200 before the update is processed, or even stored; this small tornado
server (tornado comes with PTB's webhooks extra) stores first. The secret token is compared in constant
time; anything else gets 403.
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

from telegram import Bot
from tornado.httpserver import HTTPServer
from tornado.web import Application, RequestHandler

from bot.settings import Settings

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105  (a header name, not a secret)
PATH = "/telegram"


class _UpdateHandler(RequestHandler):
    def initialize(self, pipeline: Any, secret: str) -> None:
        self.pipeline = pipeline
        self.secret = secret

    async def post(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            log.warning("webhook call with a wrong secret refused")
            self.set_status(403)
            return
        try:
            payload = json.loads(self.request.body)
            if not isinstance(payload, dict) or not isinstance(payload.get("update_id"), int):
                raise ValueError("not an update")
        except ValueError:
            self.set_status(400)
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
        secret = self.settings.webhook_secret.get_secret_value()  # type: ignore[union-attr]
        app = Application([(PATH, _UpdateHandler, {"pipeline": self.pipeline, "secret": secret})])
        self._server = HTTPServer(app, max_body_size=10 * 1024 * 1024)
        self._server.listen(self.settings.webhook_port, address=self.settings.webhook_listen)
        await bot.set_webhook(
            url=self.settings.webhook_url,  # type: ignore[arg-type]
            secret_token=secret,
            allowed_updates=self.allowed_updates,
        )

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
