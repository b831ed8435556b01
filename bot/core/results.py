"""Showing matches: a page of results, each with why it fits, how to reach it and its deadline.

The reasons come from matching as data and become one localized line here
("in Bas-Saint-Laurent · for startups · financing").
"""

from __future__ import annotations

from collections.abc import Callable

from bot.catalog.model import Catalog, Entry
from bot.core.matching import Match, Reason, explain, match, top
from bot.core.text import Rich, Span, bold, fmt, italic, link, plain
from bot.core.turn import Keyboard, Turn
from bot.core.types import Button
from bot.i18n import long_date

PAGE_SIZE = 4


def reason_text(catalog: Catalog, gettext: Callable[[str], str], lang: str, reason: Reason) -> str:
    """One reason in the user's language; the command line's JSON uses the same words."""
    _ = gettext
    if reason.dimension == "region":
        if reason.code is None:
            return catalog.text(catalog.network.everywhere, lang) or _("everywhere in the network")
        return _("in {region}").format(region=catalog.label("regions", reason.code, lang))
    if reason.dimension == "stage":
        return _("for your stage: {stage}").format(stage=catalog.label("stages", reason.code or "", lang))
    if reason.dimension == "sector":
        return _("for {sector}").format(sector=catalog.label("sectors", reason.code or "", lang))
    return catalog.label("needs", reason.code or "", lang)


def why_line(turn: Turn, item: Match) -> str:
    return " · ".join(reason_text(turn.catalog, turn._, turn.lang, r) for r in item.reasons)


def contact_spans(turn: Turn, entry: Entry) -> list[Span]:
    """Links, e-mail and phone of an entry, as they should be tapped."""
    _ = turn._
    spans: list[Span] = []
    contact = entry.contact
    if contact.url:
        spans.append(link(_("Website"), contact.url))
    if contact.email:
        spans.append(link(contact.email, f"mailto:{contact.email}"))
    if contact.phone:
        spans.append(plain(contact.phone))
    joined: list[Span] = []
    for index, span in enumerate(spans):
        if index:
            joined.append(plain(" · "))
        joined.append(span)
    return joined


def render_match(turn: Turn, number: int, item: Match) -> Rich:
    """One result: title and organisation, why it fits, deadline, how to reach it."""
    _ = turn._
    entry = item.entry
    parts: list[Span] = [
        plain(f"{number}. "),
        bold(turn.catalog.text(entry.title, turn.lang)),
        plain(f" — {entry.organization}\n"),
        plain("   "),
        italic(why_line(turn, item)),
    ]
    deadline = getattr(entry, "deadline", None)
    if deadline:
        parts.append(plain("\n   "))
        parts.extend(fmt(_("Deadline: {date}"), date=bold(long_date(deadline, turn.locale))))
    contact = contact_spans(turn, entry)
    if contact:
        parts.append(plain("\n   "))
        parts.extend(contact)
    return tuple(parts)


def results_keyboard(turn: Turn, has_more: bool) -> Keyboard:
    _ = turn._
    rows: list[tuple[Button, ...]] = []
    if has_more:
        rows.append((Button(_("More results"), "more"),))
    rows.append((Button(_("Change my answers"), "edit"), Button(_("Talk to an advisor"), "adv")))
    return tuple(rows)


def current_matches(turn: Turn, limit: int | None = None) -> list[Match]:
    return match(turn.catalog, turn.conv.profile, limit=limit)


def show_results(turn: Turn, page: int = 0) -> None:
    """Show one page of results, or say nothing fits and offer an advisor."""
    _ = turn._
    start = page * PAGE_SIZE
    total, entries = top(turn.catalog, turn.conv.profile, count=start + PAGE_SIZE)
    turn.update(step="results", editing=False)
    if start and start >= total:
        turn.notice = _("That was everything I found.")
        return
    turn.update(page=page)
    if not total:
        turn.unmet = turn.conv.profile
        text = (
            bold(_("I found nothing that fits all your answers.")),
            plain("\n"),
            plain(_("An advisor of your hub knows more programs than I do: they can help.")),
        )
        turn.say(text, results_keyboard(turn, has_more=False))
        return
    today = turn.catalog.today()
    shown = [explain(entry, turn.conv.profile, today) for entry in entries[start:]]
    header = _("Here is what fits your project ({first}-{last} of {total}):").format(
        first=start + 1, last=start + len(shown), total=total
    )
    text: list[Span] = [bold(header)]
    for offset, item in enumerate(shown):
        text.append(plain("\n\n"))
        text.extend(render_match(turn, start + offset + 1, item))
    turn.say(tuple(text), results_keyboard(turn, has_more=start + len(shown) < total))


def top_ids(matches: list[Match], limit: int = PAGE_SIZE) -> tuple[str, ...]:
    """The ids of the results the user has seen first, to put on the advisor's card."""
    return tuple(m.entry.id for m in matches[:limit])
