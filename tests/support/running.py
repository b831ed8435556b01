"""The real bot, running against the loopback Bot API double: shared by the end-to-end tests."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.bootstrap import Core, build_core
from bot.settings import load_settings
from bot.telegram.app import attach, build_application, detach, run_tick
from bot.telegram.pipeline import Pipeline
from tests.support import shared
from tests.support.botapi import TOKEN, BotApiDouble, User
from tests.support.clock import Clock


@dataclass
class Running:
    """A running bot and the double it talks to, with the gestures tests make."""

    api: BotApiDouble
    core: Core
    app: Any
    pipeline: Pipeline
    clock: Clock

    async def say(self, user: User, text: str, **options: Any) -> dict[str, Any]:
        return self.api.user_says(user, text, **options)

    async def press(
        self, user: User, data: str, expect: str | None = None, chat_id: int | None = None
    ) -> None:
        """Press a button of the latest message that has it; wait for the answer (and `expect`, if given)."""
        chat = chat_id if chat_id is not None else user.id

        def carrier() -> dict[str, Any] | None:
            return next(
                (
                    m
                    for m in reversed(self.api.bot_messages(chat))
                    for row in m.get("reply_markup", {}).get("inline_keyboard", [])
                    for b in row
                    if b.get("callback_data") == data
                ),
                None,
            )

        message = await self.api.wait_for(carrier, description=f"a button {data!r} in chat {chat}")
        answered = len(self.api.calls_to("answerCallbackQuery"))
        self.api.user_presses(user, message, data)
        await self.api.wait_for(lambda: len(self.api.calls_to("answerCallbackQuery")) > answered)
        if expect is not None:
            await self.api.wait_for_bot_message(chat, contains=expect)

    async def bot_says(self, chat_id: int, contains: str) -> dict[str, Any]:
        return await self.api.wait_for_bot_message(chat_id, contains=contains)

    async def card(self, hub_chat: int, contains: str) -> dict[str, Any]:
        """A request's card in a hub chat, once the bot has recorded it as the card (it does so when Telegram
        answers, just after the message exists): an advisor's reply to it before then is not placed, and
        the advisor is told so. People are slower than that; a test that replies at once must wait."""
        card = await self.bot_says(hub_chat, contains)
        await self._in_a_thread(hub_chat, card["message_id"])
        return card

    async def relayed(self, hub_chat: int, text: str, topic: int | None = None) -> dict[str, Any]:
        """The bot's copy of what an entrepreneur wrote, in a hub chat (or one of its topics), once the bot has
        recorded it in the request's thread (when Telegram answers, as for the card): a transfer before then
        copies the thread's history without it."""
        copy = await self.api.wait_for_bot_message(hub_chat, contains=text, thread_id=topic)
        await self._in_a_thread(hub_chat, copy["message_id"])
        return copy

    async def _in_a_thread(self, hub_chat: int, message_id: int) -> None:
        store = self.core.store
        deadline = asyncio.get_running_loop().time() + 5
        while await store.handoff_for_message(hub_chat_id=hub_chat, message_id=message_id) is None:
            assert asyncio.get_running_loop().time() < deadline, f"message {message_id} never recorded"
            await asyncio.sleep(0.01)

    async def open_handoff(
        self, person: User, hub_chat: int, question: str = "Comment trouver un mentor ?"
    ) -> dict[str, Any]:
        """`person` starts from hub-01's link, goes through the intake, agrees to share and asks; returns the
        card as the hub's group sees it."""
        await self.say(person, "/start hub-01")
        for data in ("st:startup", "sc:tech", "nd:*", "adv", "ok:yes"):
            await self.press(person, data)
        await self.bot_says(person.id, "En un message")
        await self.say(person, question)
        return await self.card(hub_chat, "Demande no 1")

    def texts(self, chat_id: int, thread_id: int | None = None) -> list[str]:
        """What the bot wrote in a chat (or one of its topics), captions included."""
        return [m.get("text") or m.get("caption") or "" for m in self.api.bot_messages(chat_id, thread_id)]

    async def tick(self) -> None:
        """What the JobQueue does every TICK_SECONDS, now."""
        await run_tick(self.app)


@asynccontextmanager
async def running_bot(
    tmp_path: Path, catalog_dir: Path, *, api: BotApiDouble | None = None, **settings: Any
) -> AsyncIterator[Running]:
    """Start the bot (durable pipeline, long polling) against a fresh double (or `api`, to start a bot again
    against the same one), on a fresh SQLite file unless `database_url` is given."""
    clock: Clock = settings.pop("clock", None) or Clock()
    database_url = settings.pop("database_url", None) or f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    with BotApiDouble() if api is None else contextlib.nullcontext(api) as api:
        for chat_id, title in settings.pop("groups", {}).items():
            forum = isinstance(title, tuple)
            api.register_group(chat_id, title[0] if forum else title, is_forum=forum)
        config = load_settings(
            telegram_bot_token=TOKEN,
            telegram_api_url=api.base_url.removesuffix("/bot"),
            catalog_dir=catalog_dir,
            database_url=database_url,
            **{"catalog_watch": False, "group_messages_per_minute": 10000, "tick_seconds": 3600, **settings},
        )
        # The folders no test edits are loaded once per process (tests/support/shared.py); a copy gets the
        # language data and understander built for an earlier copy of the same content, with `intents/`.
        read_only = catalog_dir in shared.READ_ONLY
        copy_key = None
        catalog = shared.catalog(catalog_dir) if read_only else None
        language_data = shared.language_data(catalog_dir) if read_only else None
        if not read_only and config.intents_dir.resolve() == shared.ROOT / "intents":
            copy_key = shared.content_key(catalog_dir)
            catalog, language_data = shared.catalog_of_copy(catalog_dir, copy_key)
        core = await build_core(config, now=clock, catalog=catalog, language_data=language_data)
        if copy_key and catalog is not None:
            shared.keep_copy(copy_key, core.dialogue.language_data, catalog)
        app = build_application(config)
        async with app:
            pipeline = await attach(app, core, config)
            await app.start()
            try:
                yield Running(api, core, app, pipeline, clock)
            finally:
                await detach(app)
                await app.stop()
        await core.close()
