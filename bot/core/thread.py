"""What both desks share (the entrepreneur's desk and the advisors' desk): the services they work with, and a
handoff's thread in its hub chat (its forum topic, or the replies to its card).

Replies say which handoff they belong to and the adapter finds the thread when it sends, because the card or
the topic may not exist yet when the reply is decided. Hub-side texts use the network's default language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from bot.catalog.model import Catalog
from bot.catalog.schema import Hub
from bot.core import card
from bot.core.card import Gettext
from bot.core.clock import utcnow
from bot.core.funnel import FunnelEvent
from bot.core.placement import Moved, place
from bot.core.ports import Clock, Store
from bot.core.text import Rich, italic, plain
from bot.core.types import Handoff, Reply, ReplyAction
from bot.i18n import I18n

AdvisorChat = Callable[[Hub], int | None]


def catalog_advisor_chat(hub: Hub) -> int | None:
    """In production the advisor chat is the one the catalog names."""
    return hub.advisor_chat_id


@dataclass(frozen=True)
class DeskServices:
    """What both desks work with: storage, translations, which chat is a hub's advisor chat, the clock."""

    store: Store
    i18n: I18n
    advisor_chat: AdvisorChat = catalog_advisor_chat
    now: Clock = utcnow

    def hub_of_chat(self, catalog: Catalog, chat_id: int) -> Hub | None:
        """The hub whose advisor chat this is, if any."""
        return next((h for h in catalog.hubs if self.advisor_chat(h) == chat_id), None)

    def hub_gettext(self, catalog: Catalog) -> Gettext:
        """The hub's language (the network's default), for what advisors read."""
        return self.i18n.get(catalog.default_language).gettext

    def user_gettext(self, handoff: Handoff) -> Gettext:
        """The entrepreneur's language, for what the hub's side tells them."""
        return self.i18n.get(handoff.lang).gettext

    async def record(self, catalog: Catalog, *events: FunnelEvent) -> None:
        """Store a request's funnel steps now, in the unit of work of the step (anonymous: bot.core.funnel)."""
        await self.store.record_events(network=catalog.network.id, events=events, at=self.now())

    def follow_up_at(self, catalog: Catalog) -> dt.datetime | None:
        """When to ask whether a closed request helped; None when the network asks nothing."""
        days = catalog.handoff_policy.follow_up_days
        return self.now() + dt.timedelta(days=days) if days else None


@dataclass(frozen=True)
class HandoffThread:
    """Messages in a handoff's thread: relays, notes, the card (posted, then edited in place), the topic."""

    services: DeskServices

    @staticmethod
    def in_thread(handoff: Handoff, text: Rich, **options: Any) -> Reply:
        """A message in the handoff's thread in its hub chat."""
        return Reply(handoff.hub_chat_id, text, handoff=handoff.id, track=f"relay:{handoff.id}", **options)

    @staticmethod
    def topic_action(handoff: Handoff, action: ReplyAction) -> Reply:
        """Close, reopen (or open) the handoff's topic."""
        return Reply(handoff.hub_chat_id, handoff=handoff.id, action=action)

    def card_edit(self, catalog: Catalog, handoff: Handoff) -> Reply:
        """The card, edited in place to show the handoff's current state."""
        _h = self.services.hub_gettext(catalog)
        return Reply(
            handoff.hub_chat_id,
            card.card_text(catalog, handoff, _h, self.services.now()),
            card.card_buttons(handoff, _h),
            handoff=handoff.id,
            action="edit_card",
        )

    def announce(
        self,
        send: Callable[[Reply], None],
        catalog: Catalog,
        handoff: Handoff,
        *,
        transferred_from: str | None = None,
    ) -> None:
        """A new thread for the handoff in its hub chat: the topic (in a forum), then the card, then (after a
        transfer) where it came from."""
        _h = self.services.hub_gettext(catalog)
        send(
            Reply(
                handoff.hub_chat_id,
                (plain(card.topic_name(catalog, handoff, _h)),),
                handoff=handoff.id,
                action="open_topic",
            )
        )
        send(
            Reply(
                handoff.hub_chat_id,
                card.card_text(catalog, handoff, _h, self.services.now()),
                card.card_buttons(handoff, _h),
                handoff=handoff.id,
                track=f"card:{handoff.id}",
            )
        )
        if transferred_from:
            origin = card.hub_name(catalog, transferred_from, catalog.default_language)
            send(self.in_thread(handoff, (italic(_h("Transferred here by {hub}.").format(hub=origin)),)))

    @staticmethod
    def pinned(handoff: Handoff, reply: Reply) -> Reply | None:
        """The reply placed now, from what is known of the thread, for a handoff that is about to be deleted:
        the outbox could not look it up later. None when there is nothing to place it on."""
        placed = place(reply, handoff)
        if placed is None or isinstance(placed, Moved):
            return None
        return replace(placed, handoff=None, track=None)
