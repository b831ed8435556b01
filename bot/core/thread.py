"""What both sides of the advisor desk share: storage, translations, the clock, and how a reply finds its
place in a handoff's thread in the hub chat (its forum topic, or the replies to its card).

Replies say which handoff they belong to and the adapter finds the thread when it sends, because the card or
the topic may not exist yet when the reply is decided. Hub-side texts use the network's default language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from bot.catalog.model import Catalog
from bot.catalog.schema import Hub
from bot.core import card
from bot.core.text import Rich, plain
from bot.core.types import Button, Conversation, Handoff, Reply, ReplyAction
from bot.i18n import I18n
from bot.storage import Store, utcnow

AdvisorChat = Callable[[Hub], int | None]
Clock = Callable[[], dt.datetime]


def catalog_advisor_chat(hub: Hub) -> int | None:
    """In production the advisor chat is the one the catalog names."""
    return hub.advisor_chat_id


class DeskBase:
    """What both sides of the desk share: storage, translations, the clock and thread-building helpers."""

    def __init__(
        self, store: Store, i18n: I18n, advisor_chat: AdvisorChat = catalog_advisor_chat, now: Clock = utcnow
    ) -> None:
        self.store = store
        self.i18n = i18n
        self.advisor_chat = advisor_chat
        self.now = now

    def hub_of_chat(self, catalog: Catalog, chat_id: int) -> Hub | None:
        """The hub whose advisor chat this is, if any."""
        return next((h for h in catalog.hubs if self.advisor_chat(h) == chat_id), None)

    def hub_gettext(self, catalog: Catalog) -> Callable[[str], str]:
        return self.i18n.get(catalog.default_language).gettext

    def in_thread(self, handoff: Handoff, text: Rich, **options: Any) -> Reply:
        """A message in the handoff's thread in its hub chat."""
        return Reply(handoff.hub_chat_id, text, handoff=handoff.id, track=f"relay:{handoff.id}", **options)

    def card_edit(self, catalog: Catalog, handoff: Handoff) -> Reply:
        """The card, edited in place to show the handoff's current state."""
        _h = self.hub_gettext(catalog)
        return Reply(
            handoff.hub_chat_id,
            card.card_text(catalog, handoff, _h, self.now()),
            card.card_buttons(handoff, _h),
            handoff=handoff.id,
            action="edit_card",
        )

    def pinned(self, handoff: Handoff, reply: Reply) -> Reply | None:
        """The reply placed now, from what is known of the thread, for a handoff that is about to be deleted:
        the outbox could not look it up later. None when there is nothing to place it on."""
        if reply.action == "edit_card":
            return (
                replace(reply, handoff=None, edit_message_id=handoff.card_message_id)
                if handoff.card_message_id
                else None
            )
        if reply.action in ("close_topic", "reopen_topic"):
            return replace(reply, handoff=None, topic_id=handoff.topic_id) if handoff.topic_id else None
        reply_to = None if handoff.topic_id else handoff.card_message_id
        return replace(
            reply, handoff=None, track=None, topic_id=handoff.topic_id, reply_to_message_id=reply_to
        )

    def topic_action(self, handoff: Handoff, action: ReplyAction) -> Reply:
        return Reply(handoff.hub_chat_id, handoff=handoff.id, action=action)

    def rating_question(
        self, handoff: Handoff, _: Callable[[str], str]
    ) -> tuple[Rich, tuple[tuple[Button, ...], ...]]:
        stars = tuple(Button("★" * n, f"rt:{handoff.id}:{n}") for n in range(1, 6))
        return (
            (plain(_("How helpful was this conversation? 1 star: not at all, 5 stars: very.")),),
            (stars[:3], stars[3:], (Button(_("Skip"), f"rt:{handoff.id}:0"),)),
        )

    async def after_close(self, catalog: Catalog, handoff_id: int) -> Handoff | None:
        """The closed handoff, re-read, and the entrepreneur's conversation moved on to the rating."""
        handoff = await self.store.get_handoff(handoff_id=handoff_id)
        if handoff is None:
            return None
        conv = await self.store.get_conversation(chat_id=handoff.user_chat_id)
        if conv and conv.handoff_id == handoff.id:
            await self.store.save_conversation(_rating_step(conv, handoff.id))
        return handoff

    def follow_up_at(self, catalog: Catalog) -> dt.datetime | None:
        days = catalog.handoff_policy.follow_up_days
        return self.now() + dt.timedelta(days=days) if days else None


def _rating_step(conv: Conversation, handoff_id: int) -> Conversation:
    return replace(conv, step="rating", handoff_id=None, last_handoff_id=handoff_id)
