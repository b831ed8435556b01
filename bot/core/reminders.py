"""What time does: unclaimed requests re-announced then escalated, and the one-time follow-up after a close.

Due times live in the database (`remind_at`, `follow_up_at`), and a periodic tick sends whatever is due, so
a restart loses no reminder: there is nothing to rebuild, the next tick finds them. Reminders only fire
during the hub's office hours.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.catalog.model import Catalog
from bot.catalog.schema import Hub
from bot.core import card
from bot.core.office_hours import schedule_for
from bot.core.text import bold, fmt, italic
from bot.core.thread import DeskServices, HandoffThread
from bot.core.types import Handoff, Outcome, Reply

log = logging.getLogger(__name__)


class Reminders:
    """Turns the clock's ticks into reminders, escalations and follow-ups."""

    def __init__(
        self,
        services: DeskServices,
        thread: HandoffThread,
        follow_up: Callable[[Catalog, Handoff], Reply],
    ) -> None:
        self.services = services
        self.store = services.store
        self.thread = thread
        self.follow_up = follow_up

    async def tick(self, catalog: Catalog) -> Outcome:
        """Everything due now, once: each sent item is marked in the same unit of work."""
        replies: list[Reply] = []
        for handoff in await self.store.due_reminders(now=self.services.now()):
            replies.extend(await self._remind(catalog, handoff))
        for handoff in await self.store.due_follow_ups(now=self.services.now()):
            await self.store.update_handoff(handoff_id=handoff.id, follow_up_at=None)
            if handoff.helped is None and await self.store.get_conversation(chat_id=handoff.user_chat_id):
                replies.append(self.follow_up(catalog, handoff))
        return Outcome(tuple(replies))

    async def _remind(self, catalog: Catalog, handoff: Handoff) -> list[Reply]:
        now = self.services.now()
        hub = catalog.hub(handoff.hub_id)
        if hub is None or self.services.advisor_chat(hub) != handoff.hub_chat_id:
            await self.store.update_handoff(handoff_id=handoff.id, remind_at=None)
            return []
        schedule = schedule_for(catalog, hub)
        if not schedule.is_open(now):
            await self.store.update_handoff(handoff_id=handoff.id, remind_at=schedule.next_opening(now))
            return []
        if handoff.status == "claimed":
            return await self._unanswered(catalog, handoff, hub)
        _h = self.services.hub_gettext(catalog)
        waited = card.age(handoff.created_at, now, catalog.locale(catalog.default_language))
        if handoff.reminders == 0:
            await self._first_step_done(catalog, handoff, hub)
            log.info("handoff %s: reminder sent to hub %s", handoff.id, hub.id)
            return [
                self.thread.in_thread(
                    handoff,
                    fmt(
                        _h(
                            "Request #{number} has been waiting for {age}. Who can take it? Press Claim on its card."
                        ),
                        number=str(handoff.id),
                        age=bold(waited),
                    ),
                ),
                self.thread.card_edit(catalog, handoff),
            ]
        return await self._escalate(
            catalog,
            handoff,
            hub,
            _h("Request #{number} for {hub} has waited {age} without an advisor."),
            _h("No one has claimed this request: the network's coordination was told."),
            waited,
        )

    async def _unanswered(self, catalog: Catalog, handoff: Handoff, hub: Hub) -> list[Reply]:
        """A request claimed but still without an answer: flagged in its thread (after the catalog's
        `unanswered_after_minutes`), then, as an unclaimed one, sent to the coordination chat."""
        if handoff.advisor_replied:
            await self.store.update_handoff(handoff_id=handoff.id, remind_at=None)
            return []
        now = self.services.now()
        _h = self.services.hub_gettext(catalog)
        waited = card.age(handoff.claimed_at, now, catalog.locale(catalog.default_language))
        advisor = card.advisor_label(handoff, _h)
        if handoff.reminders == 0:
            await self._first_step_done(catalog, handoff, hub)
            log.info("handoff %s: claimed but unanswered, flagged at hub %s", handoff.id, hub.id)
            return [
                self.thread.in_thread(
                    handoff,
                    fmt(
                        _h(
                            "Request #{number} was claimed by {advisor} {age} ago and has no answer yet. "
                            "Can someone answer, or /transfer it?"
                        ),
                        number=str(handoff.id),
                        advisor=bold(advisor),
                        age=bold(waited),
                    ),
                )
            ]
        return await self._escalate(
            catalog,
            handoff,
            hub,
            _h("Request #{number} for {hub} was claimed {age} ago and still has no answer."),
            _h("Still no answer to this request: the network's coordination was told."),
            waited,
        )

    async def _first_step_done(self, catalog: Catalog, handoff: Handoff, hub: Hub) -> None:
        """The first step (a reminder, or the flag of a claimed request left unanswered) is sent: the
        escalation follows after the rest of its delay, in office hours, never both at once; without a
        coordination chat nothing more is scheduled."""
        later = catalog.escalate_after(hub) - catalog.reminder_after(hub)
        coordination = catalog.handoff_policy.coordination_chat_id
        next_step = schedule_for(catalog, hub).next_opening(self.services.now() + later)
        await self.store.update_handoff(
            handoff_id=handoff.id, reminders=1, remind_at=next_step if coordination else None
        )

    async def _escalate(
        self, catalog: Catalog, handoff: Handoff, hub: Hub, headline: str, note: str, waited: str
    ) -> list[Reply]:
        """The second step of a waiting request: the coordination chat is told (`headline`, with {number},
        {hub} and {age}), and the thread says so (`note`); nothing more is scheduled."""
        await self.store.update_handoff(
            handoff_id=handoff.id, reminders=handoff.reminders + 1, remind_at=None
        )
        coordination = catalog.handoff_policy.coordination_chat_id
        if coordination is None:
            return []
        log.info("handoff %s: escalated from hub %s (%s)", handoff.id, hub.id, handoff.status)
        name = catalog.text(hub.name, catalog.default_language)
        return [
            Reply(
                coordination,
                fmt(headline, number=str(handoff.id), hub=bold(name), age=bold(waited)),
            ),
            self.thread.in_thread(handoff, (italic(note),)),
        ]
