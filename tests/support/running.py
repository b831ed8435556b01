"""The real bot, running against the loopback Bot API double: shared by the end-to-end tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.bootstrap import Core, build_core
from bot.settings import load_settings
from bot.telegram.app import ALLOWED_UPDATES, attach, build_application, detach
from tests.support.botapi import TOKEN, BotApiDouble, User


@dataclass
class Running:
    """A running bot and the double it talks to, with the gestures tests make."""

    api: BotApiDouble
    core: Core

    async def say(self, user: User, text: str, **options: Any) -> None:
        self.api.user_says(user, text, **options)

    async def press(self, user: User, data: str, expect: str | None = None) -> None:
        """Press a button of the latest message that has one; wait for the answer (and `expect`, if given)."""
        message = next(m for m in reversed(self.api.bot_messages(user.id)) if m.get("reply_markup"))
        answered = len(self.api.calls_to("answerCallbackQuery"))
        self.api.user_presses(user, message, data)
        await self.api.wait_for(lambda: len(self.api.calls_to("answerCallbackQuery")) > answered)
        if expect is not None:
            await self.api.wait_for_bot_message(user.id, contains=expect)

    async def bot_says(self, chat_id: int, contains: str) -> dict[str, Any]:
        return await self.api.wait_for_bot_message(chat_id, contains=contains)


@asynccontextmanager
async def running_bot(tmp_path: Path, catalog_dir: Path, **settings: Any) -> AsyncIterator[Running]:
    """Start the Application long-polling a fresh double, on a fresh SQLite file; stop it cleanly."""
    with BotApiDouble() as api:
        for chat_id, title in settings.pop("groups", {}).items():
            api.register_group(chat_id, title)
        config = load_settings(
            telegram_bot_token=TOKEN,
            telegram_api_url=api.base_url.removesuffix("/bot"),
            catalog_dir=catalog_dir,
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
            **{"catalog_watch": False, **settings},
        )
        core = await build_core(config)
        app = build_application(config)
        async with app:
            await attach(app, core, config)
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=ALLOWED_UPDATES)
            try:
                yield Running(api, core)
            finally:
                await detach(app)
                await app.updater.stop()
                await app.stop()
        await core.close()
