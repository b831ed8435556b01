"""One outbox row to Telegram: where it goes now (its request's thread may have moved, lost its topic or been
forgotten since it was queued) and the send itself, with the group's surprises handled on the way.

Kept apart from the outbox's lanes and retries (outbox.py): this is the part that knows Telegram's chats,
topics and rights, the outbox the part that knows order and durability.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Protocol

from telegram import Bot
from telegram.error import BadRequest

from bot.core.placement import Moved, place
from bot.core.types import Handoff, Outcome, Reply
from bot.storage import Store
from bot.storage import reports as storage_reports
from bot.telegram import sender

log = logging.getLogger(__name__)

FORUM_CACHE_SECONDS = 600.0


class Tracker(Protocol):
    """What the outbox asks of the core (the dialogue implements it)."""

    async def delivered(self, track: str, chat_id: int, message_id: int) -> None: ...

    async def undelivered(self, track: str) -> Outcome: ...

    async def unreachable(self, chat_id: int, handoff_id: int | None) -> Outcome: ...

    async def thread_of(self, handoff_id: int) -> Handoff | None: ...

    async def topic_opened(self, handoff_id: int, topic_id: int | None, chat_id: int) -> None: ...

    def lacks_rights(self, chat_id: int) -> Outcome: ...


class ThreadMoved(Exception):
    """The handoff was transferred while this copy waited: it goes to the new hub's chat instead."""

    def __init__(self, chat_id: int) -> None:
        super().__init__(chat_id)
        self.chat_id = chat_id


class Courier:
    """Places and sends one reply; `post` is the outbox's own (what it reports goes through the outbox too)."""

    def __init__(
        self, bot: Bot, store: Store, tracker: Tracker, post: Callable[[Outcome], Awaitable[None]]
    ) -> None:
        self.bot = bot
        self.store = store
        self.tracker = tracker
        self._post = post
        self._forums: dict[int, tuple[bool, float]] = {}
        self._reported_rights: set[int] = set()

    async def place(self, reply: Reply) -> Reply | None:
        """Find the handoff's thread now: its topic, or its card to reply to. None: nothing left to do.
        Raises `ThreadMoved` when the request went to another hub's chat meanwhile."""
        if reply.handoff is None:
            return reply
        handoff = await self.tracker.thread_of(reply.handoff)
        if handoff is None:
            return None  # deleted with /forget: what was still queued for its thread goes with it
        placed = place(reply, handoff)
        if isinstance(placed, Moved):
            raise ThreadMoved(placed.chat_id)
        return placed

    async def send(self, reply: Reply) -> int | None:
        """Send a placed reply; its Telegram message id, or None when there is nothing to record."""
        if reply.action == "open_topic" and not await self._is_forum(reply.chat_id):
            return None  # a plain group: the thread is the replies to the card
        if reply.attachment is not None:  # the digest's charts and CSV, kept apart from the row
            content = await storage_reports.read_file(self.store, reply.attachment.file_id)
            return None if content is None else await sender.send_file(self.bot, reply, content)
        try:
            return await sender.send(self.bot, reply)
        except BadRequest as exc:
            message = exc.message.lower()
            if reply.action == "open_topic" and "rights" in message:
                log.warning("chat %s: no right to create topics (%s)", reply.chat_id, exc.message)
                await self._report_rights(reply.chat_id)
                return None
            if "thread not found" in message and reply.handoff is not None:
                log.warning(
                    "handoff %s: its topic was deleted; the thread goes on under its card", reply.handoff
                )
                await self.tracker.topic_opened(reply.handoff, None, reply.chat_id)
                placed = await self.place(replace(reply, topic_id=None))
                return None if placed is None else await sender.send(self.bot, placed)
            raise

    async def _is_forum(self, chat_id: int) -> bool:
        cached = self._forums.get(chat_id)
        loop_time = asyncio.get_running_loop().time()
        if cached and loop_time - cached[1] < FORUM_CACHE_SECONDS:
            return cached[0]
        chat = await self.bot.get_chat(chat_id)
        forum = bool(getattr(chat, "is_forum", False))
        self._forums[chat_id] = (forum, loop_time)
        return forum

    async def _report_rights(self, chat_id: int) -> None:
        """Tell the hub once per run that the bot may not open topics there."""
        if chat_id in self._reported_rights:
            return
        self._reported_rights.add(chat_id)
        await self._post(self.tracker.lacks_rights(chat_id))
