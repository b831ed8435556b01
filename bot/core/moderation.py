"""Keeping a hub's desk usable: a per-entrepreneur rate limit on what is relayed to a hub, `/ban` and `/unban`
in a request's topic, and `/link`, which makes a group a hub's advisor group without editing hubs.yaml.

The rate limit counts in memory (a restart forgets the last minute, nothing more); bans and links are in the
database. A ban is per hub: the entrepreneur is told once, and their messages no longer reach that hub's
group. A link overrides the catalog's `advisor_chat_id` for routing, and `catalog check` shows it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from bot.catalog.model import Catalog
from bot.catalog.schema import Hub
from bot.core import card, funnel
from bot.core.text import bold, fmt, italic, lines, plain
from bot.core.thread import AdvisorChat, DeskServices, HandoffThread
from bot.core.turn import HubTurn
from bot.core.types import Handoff, HubLink, Inbound, Outcome, Reply

log = logging.getLogger(__name__)

WINDOW = dt.timedelta(minutes=1)


class Gate(Enum):
    """What happens to one message of an entrepreneur during a request."""

    PASS = "pass"  # noqa: S105  (not a password: a message that passes)
    REFUSED = "refused"  # over the limit, and they were told so in this window already
    REFUSED_TELL = "refused_tell"  # over the limit: say that it (and the next ones this minute) is not sent


class FloodGate:
    """A sliding one-minute window of relayed messages per entrepreneur."""

    def __init__(self) -> None:
        self._sent: dict[int, deque[dt.datetime]] = {}
        self._told: dict[int, dt.datetime] = {}

    def admit(self, user: int, now: dt.datetime, limit: int) -> Gate:
        if limit <= 0:
            return Gate.PASS
        if len(self._sent) > 10_000:
            self._forget_idle(now)
        sent = self._sent.setdefault(user, deque())
        while sent and now - sent[0] >= WINDOW:
            sent.popleft()
        if len(sent) < limit:
            sent.append(now)
            return Gate.PASS
        told = self._told.get(user)
        if told is not None and now - told < WINDOW:
            return Gate.REFUSED
        self._told[user] = now
        return Gate.REFUSED_TELL

    def _forget_idle(self, now: dt.datetime) -> None:
        for user in [u for u, sent in self._sent.items() if not sent or now - sent[-1] >= WINDOW]:
            del self._sent[user]
            self._told.pop(user, None)


class LinkedChats:
    """The advisor chat of a hub: the group linked with `/link` (kept in the database), else the catalog's."""

    def __init__(self, base: AdvisorChat) -> None:
        self.base = base
        self.links: dict[str, int] = {}
        self._taken: set[int] = set()

    def __call__(self, hub: Hub) -> int | None:
        linked = self.links.get(hub.id)
        if linked is not None:
            return linked
        base = self.base(hub)
        return None if base in self._taken else base  # that group was linked to another hub since

    def replace(self, links: list[HubLink]) -> None:
        self.links = {link.hub_id: link.chat_id for link in links}
        self._taken = set(self.links.values())


@dataclass(frozen=True)
class Moderation:
    """`/ban`, `/unban`, `/link`, and the gate every relayed message of an entrepreneur passes."""

    services: DeskServices
    thread: HandoffThread
    links: LinkedChats
    flood: FloodGate
    admin_chat_id: int | None = None

    async def relay_allowed(self, catalog: Catalog, handoff: Handoff, say: Callable[[str], None]) -> bool:
        """Whether this message of the entrepreneur may reach the hub: not banned there, not over the rate
        limit (they are told once per minute that what they send beyond it is not passed on)."""
        store = self.services.store
        if await store.is_banned(hub_id=handoff.hub_id, user_chat_id=handoff.user_chat_id):
            log.info("handoff %s: a message of a banned entrepreneur was not relayed", handoff.id)
            return False
        limit = catalog.handoff_policy.relay_per_minute
        gate = self.flood.admit(handoff.user_chat_id, self.services.now(), limit)
        if gate is Gate.REFUSED_TELL:
            _u = self.services.user_gettext(handoff)
            say(
                _u(
                    "You are sending many messages at once: this one and the next ones this minute were NOT "
                    "passed on to the advisors. Please wait a minute, then send them again."
                )
            )
            log.info("handoff %s: rate limit reached, messages not relayed for a minute", handoff.id)
        return gate is Gate.PASS

    async def ban(self, turn: HubTurn, handoff: Handoff) -> None:
        """`/ban` in a request's topic: the entrepreneur's messages no longer reach this hub."""
        store = self.services.store
        if not await store.ban_user(
            hub_id=handoff.hub_id,
            user_chat_id=handoff.user_chat_id,
            banned_by=turn.event.sender.id,
            at=self.services.now(),
        ):
            turn.answer((plain(turn._h("This entrepreneur is already banned from this hub.")),))
            return
        await self.services.record(turn.catalog, funnel.of_handoff(funnel.Kind.BANNED, handoff))
        by = turn.event.sender.first_name or turn._h("an advisor")
        turn.replies.append(
            self.thread.in_thread(
                handoff,
                (
                    italic(
                        turn._h(
                            "{advisor} banned this entrepreneur: their messages no longer reach this group. /unban lifts it."
                        ).format(advisor=by)
                    ),
                ),
            )
        )
        _u = self.services.user_gettext(handoff)
        hub = card.hub_name(turn.catalog, handoff.hub_id, handoff.lang)
        turn.replies.append(
            Reply(
                handoff.user_chat_id,
                fmt(
                    _u("The advisors of {hub} no longer receive your messages."),
                    hub=bold(hub),
                ),
            )
        )
        log.info("handoff %s: the entrepreneur was banned from hub %s", handoff.id, handoff.hub_id)

    async def unban(self, turn: HubTurn, handoff: Handoff) -> None:
        """`/unban`: their messages reach this hub again; they are told."""
        if not await self.services.store.unban_user(hub_id=handoff.hub_id, user_chat_id=handoff.user_chat_id):
            turn.answer((plain(turn._h("This entrepreneur is not banned from this hub.")),))
            return
        turn.replies.append(
            self.thread.in_thread(
                handoff, (italic(turn._h("Ban lifted: their messages reach this group again.")),)
            )
        )
        _u = self.services.user_gettext(handoff)
        hub = card.hub_name(turn.catalog, handoff.hub_id, handoff.lang)
        turn.replies.append(
            Reply(
                handoff.user_chat_id,
                fmt(_u("The advisors of {hub} receive your messages again."), hub=bold(hub)),
            )
        )

    async def link(self, event: Inbound, catalog: Catalog) -> Outcome:
        """`/link hub-03` in a group, by one of its administrators (`event.sender_admin`, the adapter asked
        Telegram) who is listed in the hub's `admins`: the group becomes that hub's advisor group."""
        _h = self.services.hub_gettext(catalog)

        def answer(*text: str) -> Outcome:
            return Outcome(
                (
                    Reply(
                        event.chat_id,
                        lines(*text),
                        reply_to_message_id=event.message_id,
                        topic_id=event.thread_id,
                    ),
                )
            )

        wanted = event.args[0] if len(event.args) == 1 else None
        hub = catalog.hub(wanted) if wanted else None
        if hub is None:
            known = ", ".join(h.id for h in catalog.hubs)
            return answer(
                _h("Which hub? Write /link and the hub's id, such as /link {example}.").format(
                    example=catalog.hubs[0].id
                )
                if wanted is None
                else _h("There is no hub {hub}. The hubs are: {known}.").format(hub=wanted[:40], known=known),
                _h("Nothing was changed."),
            )
        name = catalog.text(hub.name, catalog.default_language)
        if not event.sender_admin or event.sender.id not in hub.admins:
            log.warning("chat %s: /link %s refused to user %s", event.chat_id, hub.id, event.sender.id)
            return answer(
                _h(
                    "Only an administrator of this group who is listed among the admins of {hub} in hubs.yaml "
                    "may link it."
                ).format(hub=name),
                _h("Nothing was changed."),
            )
        previous = self.links(hub)
        left = (
            [h for h in await self.services.store.open_handoffs(hub_chat_id=previous) if h.hub_id == hub.id]
            if previous is not None and previous != event.chat_id
            else []
        )
        now = self.services.now()
        await self.services.store.link_hub(
            hub_id=hub.id, chat_id=event.chat_id, linked_by=event.sender.id, at=now
        )
        self.links.replace(await self.services.store.hub_links())
        log.info("chat %s linked to hub %s by user %s", event.chat_id, hub.id, event.sender.id)
        said = [
            _h("This group is now the advisor group of {hub}.").format(hub=name),
            _h(
                "The link is kept in the database and replaces advisor_chat_id of hubs.yaml; aiguilleur catalog check shows it. Send /help for the commands."
            ),
        ]
        if left:  # their threads are not moved: say it, so that nobody waits on them unseen
            said.append(
                _h(
                    "Beware: open requests of {hub} stay in its previous group ({numbers}); their threads are "
                    "not moved here. New requests come here."
                ).format(hub=name, numbers=", ".join(f"#{h.id}" for h in left))
            )
        outcome = answer(*said)
        if self.admin_chat_id is None:
            return outcome
        notice = Reply(
            self.admin_chat_id,
            fmt(
                _h("Group {chat} was linked to {hub} with /link (replaces hubs.yaml)."),
                chat=bold(str(event.chat_id)),
                hub=bold(name),
            ),
        )
        return Outcome((*outcome.replies, notice))
