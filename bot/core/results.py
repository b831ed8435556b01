"""Showing matches: a page of results, each saying what it is and for whom, why it fits, how to reach it
and its deadline; and, plainly, what nothing in the catalog covers.

The reasons come from matching as data and become one localized line here
("Export · for your stage: Startup · in Montréal"). Results that cover a stated need come first; any that
do not follow only after a line saying so. A stated need that nothing covers is admitted ("Nothing in the
catalog covers export for: Startup · Technology · Montréal") and recorded as a gap for the network.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from bot.catalog.model import Catalog, Entry
from bot.core import funnel
from bot.core.alert_buttons import OfferAlerts, RemindMe
from bot.core.buttons import AskAdvisor, EditAnswers, MoreResults, button, pack
from bot.core.matching import Match, Reason, explain, match, rank
from bot.core.referral_partner import touch_buttons
from bot.core.steps import Step
from bot.core.text import Rich, Span, bold, fmt, italic, link, plain
from bot.core.turn import Keyboard, Turn, grid
from bot.core.types import Button, Profile
from bot.i18n import long_date

PAGE_SIZE = 4
# The steps an intake ends from: results shown after one of them complete a profile (the report's funnel);
# shown again later (after /profile, a cancelled request, an edited answer) they do not.
INTAKE_STEPS = (
    None,
    Step.STAGE,
    Step.SECTOR,
    Step.SECTORS,
    Step.REGION,
    Step.NEEDS,
    Step.AGE,
    Step.GROUPS,
    Step.LEGAL_FORM,
    Step.SIZE,
    Step.CONFIRM,
)
SUMMARY_CHARS = 220  # four results with their summaries stay well inside one Telegram message


def reason_text(catalog: Catalog, gettext: Callable[[str], str], lang: str, reason: Reason) -> str:
    """One reason in the user's language; the command line's JSON uses the same words."""
    _ = gettext
    code = reason.code or ""
    if reason.dimension == "region":
        if reason.code is None:
            return catalog.text(catalog.network.everywhere, lang) or _("everywhere in the network")
        return _("in {region}").format(region=catalog.label("regions", code, lang))
    if reason.dimension == "stage":
        return _("for your stage: {stage}").format(stage=catalog.label("stages", code, lang))
    if reason.dimension == "sector":
        return _("for {sector}").format(sector=catalog.label("sectors", code, lang))
    if reason.dimension == "age":
        return _age_text(_, code, reason.sure)
    if reason.dimension in ("group", "legal_form", "size"):
        dimension = {"group": "groups", "legal_form": "legal_forms", "size": "sizes"}[reason.dimension]
        labels = ", ".join(catalog.label(dimension, c, lang) for c in code.split(","))
        return (_("for: {who}") if reason.sure else _("only for: {who}")).format(who=labels)
    return catalog.label("needs", code, lang)


def _age_text(_: Callable[[str], str], band: str, sure: bool) -> str:
    """'ages 18 to 39', or 'if you are 18 to 39' while the age is unknown."""
    low, _sep, high = band.partition("-")
    if low and high:
        text = _("if you are {low} to {high}") if not sure else _("ages {low} to {high}")
    elif low:
        text = _("if you are {low} or older") if not sure else _("ages {low} and over")
    else:
        text = _("if you are {high} or younger") if not sure else _("ages up to {high}")
    return text.format(low=low, high=high)


def why_line(turn: Turn, item: Match) -> str:
    return " · ".join(reason_text(turn.catalog, turn._, turn.lang, r) for r in item.reasons)


def contact_spans(turn: Turn, entry: Entry) -> list[Span]:
    """Links, e-mail and phone of an entry, as they should be tapped."""
    return contact_of(turn, entry.contact)


def contact_of(turn: Turn, contact: object) -> list[Span]:
    """Website, e-mail and phone of a catalog contact (an entry's or a hub's), separated by dots."""
    _ = turn._
    spans: list[Span] = []
    url, email, phone = (getattr(contact, name, None) for name in ("url", "email", "phone"))
    if url:
        spans.append(link(_("Website"), url))
    if email:
        spans.append(link(email, f"mailto:{email}"))
    if phone:
        spans.append(plain(phone))
    joined: list[Span] = []
    for index, span in enumerate(spans):
        if index:
            joined.append(plain(" · "))
        joined.append(span)
    return joined


def one_line_summary(text: str, limit: int = SUMMARY_CHARS) -> str:
    """The summary, cut at a word before `limit` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def render_match(turn: Turn, number: int, item: Match) -> Rich:
    """One result: title and organisation; what it is and for whom; why it fits; how to reach it; deadline."""
    _ = turn._
    entry = item.entry
    parts: list[Span] = [
        plain(f"{number}. "),
        bold(turn.catalog.text(entry.title, turn.lang)),
        plain(f" — {entry.organization}\n"),
    ]
    summary = turn.catalog.text(entry.summary, turn.lang)
    if summary:
        parts.append(plain(f"   {one_line_summary(summary)}\n"))
    parts.extend((plain("   "), italic(fmt_why(turn, item))))
    contact = contact_spans(turn, entry)
    if contact:
        parts.append(plain("\n   "))
        parts.extend(contact)
    deadline = getattr(entry, "deadline", None)
    if deadline:
        parts.append(plain("\n   "))
        parts.extend(fmt(_("Deadline: {date}"), date=bold(long_date(deadline, turn.locale))))
    return tuple(parts)


def fmt_why(turn: Turn, item: Match) -> str:
    return turn._("Why: {reasons}").format(reasons=why_line(turn, item))


def results_keyboard(turn: Turn, has_more: bool, shown: tuple[tuple[int, Entry], ...] = ()) -> Keyboard:
    """More, "Remind me" for each opportunity shown, the alerts, then change the answers or ask an advisor."""
    _ = turn._
    rows: list[tuple[Button, ...]] = []
    if has_more:
        rows.append((Button(_("More results"), pack(MoreResults())),))
    rows.extend(remind_buttons(turn, shown))
    rows.extend(touch_buttons(turn, shown, turn.email_referrals))  # warm referrals (docs/referrals.md)
    rows.append((alerts_button(turn),))
    rows.append(
        (
            Button(_("Change my answers"), pack(EditAnswers())),
            Button(_("Talk to an advisor"), pack(AskAdvisor())),
        )
    )
    return tuple(rows)


def alerts_button(turn: Turn) -> Button:
    """'Alert me about new opportunities' (asks consent first; see bot/core/alerts.py)."""
    return button(turn._("🔔 Alert me about new opportunities"), OfferAlerts())


def remind_buttons(turn: Turn, shown: tuple[tuple[int, Entry], ...]) -> list[tuple[Button, ...]]:
    """'Remind me' for each opportunity of the page, by its number: none for a service (no deadline), nor for
    a deadline 7 days away or less (too close for a reminder 7 days before)."""
    soon = turn.catalog.today() + dt.timedelta(days=7)
    buttons = [
        button(turn._("⏰ Remind me: {number}").format(number=number), RemindMe(entry.id))
        for number, entry in shown
        if entry.kind == "opportunity" and entry.deadline > soon
    ]
    return grid(buttons)


def current_matches(turn: Turn, limit: int | None = None) -> list[Match]:
    return match(turn.catalog, turn.conv.profile, limit=limit)


def profile_facts(turn: Turn, profile: Profile) -> str:
    """'Startup · Technology · Montréal': who the search was for, in the gap line."""
    catalog = turn.catalog
    parts = [catalog.label("stages", profile.stage, turn.lang)] if profile.stage else []
    parts += [catalog.label("sectors", s, turn.lang) for s in profile.sectors]
    if profile.region:
        parts.append(catalog.label("regions", profile.region, turn.lang))
    return " · ".join(parts)


def gap_text(turn: Turn, uncovered: tuple[str, ...]) -> Rich:
    """'Nothing in the catalog covers Export for: Startup · Technology · Montréal.'"""
    _ = turn._
    needs = ", ".join(turn.catalog.label("needs", n, turn.lang) for n in uncovered)
    facts = profile_facts(turn, turn.conv.profile)
    if facts:
        return fmt(
            _("Nothing in the catalog covers {needs} for: {profile}."), needs=bold(needs), profile=facts
        )
    return fmt(_("Nothing in the catalog covers {needs}."), needs=bold(needs))


def show_results(turn: Turn, page: int = 0) -> None:
    """Show one page of results: need-covering entries first, then, after a line that says so, the others;
    admit any stated need that nothing covers, and offer an advisor."""
    _ = turn._
    profile = turn.conv.profile
    start = page * PAGE_SIZE
    ranking = rank(turn.catalog, profile)
    total = ranking.total
    if page == 0 and not turn.conv.editing and Step.of(turn.conv.step) in INTAKE_STEPS:
        turn.events.extend(funnel.completed(turn.catalog, turn.conv.hub_id, profile, total))
    turn.update(step="results", editing=False)
    if start and start >= total:
        turn.notice = _("That was everything I found.")
        return
    turn.update(page=page)
    if page == 0 and ranking.uncovered:
        turn.gaps = ranking.uncovered
    if not total:
        turn.unmet = profile
        nothing = (
            bold(_("I found nothing that fits all your answers.")),
            plain("\n"),
            plain(_("An advisor of your hub knows more programs than I do: they can help.")),
        )
        turn.say(nothing, results_keyboard(turn, has_more=False))
        return
    today = turn.catalog.today()
    shown = [explain(entry, profile, today) for entry in ranking.best(start + PAGE_SIZE)[start:]]
    covering = ranking.covering if profile.needs else total
    text: list[Span] = list(_page_header(turn, start, len(shown), total, covering, ranking.uncovered))
    for offset, item in enumerate(shown):
        number = start + offset + 1
        if profile.needs and number > covering and (number == covering + 1 or offset == 0) and covering:
            text.append(plain("\n\n"))
            text.append(bold(_("None of these covers what you asked for, but they fit your profile:")))
        text.append(plain("\n\n"))
        text.extend(render_match(turn, number, item))
    numbered = tuple((start + offset + 1, item.entry) for offset, item in enumerate(shown))
    turn.say(tuple(text), results_keyboard(turn, has_more=start + len(shown) < total, shown=numbered))


def _page_header(
    turn: Turn, start: int, count: int, total: int, covering: int, uncovered: tuple[str, ...]
) -> Rich:
    """The gap admission (first page only), then 'Here is what fits your project (1-4 of 12):', or 'The
    closest' when no entry covers any stated need genuinely (some may list one in passing)."""
    _ = turn._
    spans: list[Span] = []
    if start == 0 and uncovered:
        spans.extend(gap_text(turn, uncovered))
        spans.append(plain(" "))
        spans.append(plain(_("An advisor of your hub may know other options: press “Talk to an advisor”.")))
        spans.append(plain("\n\n"))
        if not covering or set(uncovered) >= set(turn.conv.profile.needs):  # only "in passing", if at all
            spans.append(
                bold(_("The closest ({first}-{last} of {total}):").format(first=1, last=count, total=total))
            )
            return tuple(spans)
    header = _("Here is what fits your project ({first}-{last} of {total}):").format(
        first=start + 1, last=start + count, total=total
    )
    spans.append(bold(header))
    return tuple(spans)


def top_ids(matches: list[Match], limit: int = PAGE_SIZE) -> tuple[str, ...]:
    """The ids of the results the user has seen first, to put on the advisor's card."""
    return tuple(m.entry.id for m in matches[:limit])
