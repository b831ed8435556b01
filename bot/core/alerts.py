"""Opportunity alerts, the entrepreneur's side (docs/alerts.md): "Alert me about new opportunities" after the
results and in /alerts, asked with its own consent; /alerts to see and stop them; "Remind me" on an
opportunity with a deadline. What happens over time (announcements, reminders) is in `announcements.py`.
"""

from __future__ import annotations

from bot.catalog.schema import Opportunity
from bot.core.alert_buttons import (
    AlertAction,
    AlertConsent,
    CancelReminder,
    OfferAlerts,
    RemindMe,
    StopAlerts,
)
from bot.core.announcements import remind_at, today_of
from bot.core.buttons import YesNo, button
from bot.core.intake import answers_line
from bot.core.matching import rank
from bot.core.results import alerts_button
from bot.core.text import Rich, Span, bold, fmt, italic, lines, plain
from bot.core.thread import DeskServices
from bot.core.turn import Turn
from bot.core.types import Button, DeadlineReminder, Profile
from bot.i18n import long_date

TITLE_CHARS = 28  # a reminder's title on its "Cancel" button


def has_answers(profile: Profile) -> bool:
    """Whether the profile says anything to match on (a subscription with no answers would fit everything)."""
    return bool(profile.stage or profile.sectors or profile.region or profile.needs)


class AlertDesk:
    """Subscribing, seeing and stopping alerts; saving and cancelling deadline reminders."""

    def __init__(self, services: DeskServices) -> None:
        self.services = services
        self.store = services.store

    async def press(self, turn: Turn, action: AlertAction) -> bool:
        """A button of the alerts; False when it no longer counts (the press is then 'expired')."""
        if isinstance(action, OfferAlerts):
            self.offer(turn)
            return True
        if isinstance(action, AlertConsent):
            await self.consent(turn, action.answer is YesNo.YES)
            return True
        if isinstance(action, StopAlerts):
            return await self.stop(turn)
        if isinstance(action, RemindMe):
            return await self.remind(turn, action.entry_id)
        return await self.cancel_reminder(turn, action.entry_id)

    def offer(self, turn: Turn) -> None:
        """The consent question: what is kept, for how long, how to stop."""
        _ = turn._
        if not has_answers(turn.conv.profile):
            self._answers_first(turn)
            return
        turn.say(
            lines(
                bold(_("Alerts about new opportunities")),
                _(
                    "When the catalog gains an opportunity that fits your answers, or one reopens, I send you "
                    "one message with why it fits and its deadline."
                ),
                italic(
                    _(
                        "For this I keep your Telegram chat id, your language and your answers as codes (stage, "
                        "sectors, region, needs, and the town, age, groups, legal form and size if you gave them), "
                        "until you stop the alerts. /alerts stops them, /forget deletes everything."
                    )
                ),
                bold(_("Shall I alert you?")),
            ),
            (
                (
                    button(_("Yes, alert me"), AlertConsent(YesNo.YES)),
                    button(_("No, thanks"), AlertConsent(YesNo.NO)),
                ),
            ),
        )

    async def consent(self, turn: Turn, yes: bool) -> None:
        _ = turn._
        profile = turn.conv.profile
        if not yes:
            turn.say((plain(_("No alerts, then. Nothing was kept for them.")),))
            return
        if not has_answers(profile):
            self._answers_first(turn)
            return
        new = await self.store.subscribe(
            chat_id=turn.conv.chat_id, lang=turn.lang, profile=profile, at=self.services.now()
        )
        parts: list[str | Span | Rich] = [
            bold(
                _("Done: I will alert you about new opportunities for:")
                if new
                else _("Your alerts now follow:")
            ),
            answers_line(turn.catalog, profile, turn.lang),
        ]
        if not rank(turn.catalog, profile).total:
            parts.append(
                _("Nothing in the catalog fits these answers today: I will write when something does.")
            )
        parts.append(italic(_("Send /alerts to see or stop them.")))
        turn.say(lines(*parts))

    async def show(self, turn: Turn) -> None:
        """/alerts: the subscription (what it is for), the reminders, and the buttons to stop them."""
        _ = turn._
        chat_id = turn.conv.chat_id
        subscription = await self.store.subscription(chat_id=chat_id)
        reminders = await self.store.reminders_of(chat_id=chat_id)
        parts: list[str | Span | Rich] = [bold(_("Your alerts"))]
        rows: list[tuple[Button, ...]] = []
        if subscription is not None:
            parts.append(
                fmt(
                    _("New opportunities for: {profile}"),
                    profile=answers_line(turn.catalog, subscription.profile, turn.lang),
                )
            )
            if not rank(turn.catalog, subscription.profile).total:
                parts.append(
                    italic(
                        _(
                            "Nothing in the catalog fits these answers today: I will write when something does."
                        )
                    )
                )
            rows.append((button(_("Stop the alerts"), StopAlerts()),))
        else:
            parts.append(_("You get no alerts about new opportunities."))
            if has_answers(turn.conv.profile):
                rows.append((alerts_button(turn),))
            else:
                parts.append(_("Answer a few questions first (/start): your answers tell me what fits you."))
        if reminders:
            parts.append(bold(_("Reminders")))
            parts.extend(self._reminder_line(turn, r) for r in reminders)
            rows.extend((self._cancel_button(turn, r),) for r in reminders)
        turn.say(lines(*parts), tuple(rows))

    async def stop(self, turn: Turn) -> bool:
        if not await self.store.unsubscribe(chat_id=turn.conv.chat_id):
            return False
        _ = turn._
        turn.edit_pressed((plain(_("Alerts stopped.")),))
        turn.say((plain(_("Done: no more alerts about new opportunities. Your reminders stay (/alerts).")),))
        return True

    async def remind(self, turn: Turn, entry_id: str) -> bool:
        """'Remind me': one message 7 days before the deadline; said plainly when that cannot be."""
        _ = turn._
        catalog = turn.catalog
        entry = catalog.entry(entry_id)
        if entry is None:
            return False
        title = bold(catalog.text(entry.title, turn.lang))
        if not isinstance(entry, Opportunity):
            turn.say(fmt(_("{title} is open all year: it has no deadline to remind you of."), title=title))
            return True
        now = self.services.now()
        deadline = bold(long_date(entry.deadline, turn.locale))
        if entry.deadline < today_of(catalog, now):
            turn.say(fmt(_("The deadline of {title} has passed ({date})."), title=title, date=deadline))
            return True
        when = remind_at(catalog, entry.deadline)
        if when <= now:
            turn.say(
                fmt(
                    _("The deadline of {title} is {date}, less than 7 days away: apply without waiting."),
                    title=title,
                    date=deadline,
                )
            )
            return True
        reminder = DeadlineReminder(turn.conv.chat_id, entry.id, entry.deadline, turn.lang, when)
        saved = await self.store.save_reminder(reminder, at=now)
        day = bold(long_date(when.astimezone(catalog.timezone).date(), turn.locale))
        text = (
            _("I will remind you of {title} on {day}, 7 days before its deadline ({date}).")
            if saved
            else _("You already have a reminder for {title}, on {day} (deadline {date}).")
        )
        turn.say(
            lines(
                fmt(text, title=title, day=day, date=deadline), italic(_("Send /alerts to see or stop them."))
            )
        )
        return True

    async def cancel_reminder(self, turn: Turn, entry_id: str) -> bool:
        if not await self.store.cancel_reminder(chat_id=turn.conv.chat_id, entry_id=entry_id):
            return False
        entry = turn.catalog.entry(entry_id)
        title = turn.catalog.text(entry.title, turn.lang) if entry is not None else entry_id
        turn.say(fmt(turn._("Reminder cancelled: {title}."), title=bold(title)))
        return True

    def _answers_first(self, turn: Turn) -> None:
        turn.say(
            (plain(turn._("Answer a few questions first (/start): your answers tell me what fits you.")),)
        )

    def _reminder_line(self, turn: Turn, reminder: DeadlineReminder) -> Rich:
        entry = turn.catalog.entry(reminder.entry_id)
        title = turn.catalog.text(entry.title, turn.lang) if entry is not None else reminder.entry_id
        day = reminder.remind_at.astimezone(turn.catalog.timezone).date()
        return fmt(
            turn._("• {title}: reminder on {day} (deadline {date})"),
            title=bold(title),
            day=long_date(day, turn.locale),
            date=long_date(reminder.deadline, turn.locale),
        )

    def _cancel_button(self, turn: Turn, reminder: DeadlineReminder) -> Button:
        entry = turn.catalog.entry(reminder.entry_id)
        title = turn.catalog.text(entry.title, turn.lang) if entry is not None else reminder.entry_id
        if len(title) > TITLE_CHARS:
            title = title[: TITLE_CHARS - 1].rstrip() + "…"
        return button(
            turn._("Cancel the reminder: {title}").format(title=title), CancelReminder(reminder.entry_id)
        )
