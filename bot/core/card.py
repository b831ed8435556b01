"""What advisors read about a handoff: its card (edited in place as its state changes), its topic's name,
its buttons, and how long it has waited. Everything here is in the network's default language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from babel.dates import format_timedelta

from bot.catalog.model import Catalog
from bot.catalog.schema import Hub
from bot.core.buttons import BackToCard, Claim, CloseRequest, ShowTransfer, TransferTo, button
from bot.core.text import Rich, bold, fmt, italic, lines, plain
from bot.core.types import Button, Handoff, Profile
from bot.i18n import language_name

Gettext = Callable[[str], str]
TOPIC_NAME_LIMIT = 128
QUESTION_IN_CARD = 1500  # the card must stay one message (4096) to be edited in place; the rest follows it


def hub_name(catalog: Catalog, hub_id: str, lang: str) -> str:
    hub = catalog.hub(hub_id)
    return catalog.text(hub.name, lang) if hub else hub_id


def age(since: dt.datetime | None, now: dt.datetime, locale: str) -> str:
    """'2 hours', '5 minutes': how long someone has waited, as people of `locale` say it."""
    seconds = max((now - since).total_seconds(), 60) if since else 60
    return format_timedelta(dt.timedelta(seconds=seconds), threshold=1.5, locale=locale)


def advisor_label(handoff: Handoff, _h: Gettext) -> str:
    return handoff.advisor_name or _h("an advisor")


def status_line(catalog: Catalog, handoff: Handoff, _h: Gettext, now: dt.datetime) -> Rich:
    """Where the request stands: waiting (since when), claimed by whom, closed by whom."""
    locale = catalog.locale(catalog.default_language)
    if handoff.status == "waiting":
        return fmt(_h("Status: waiting for an advisor ({age})"), age=age(handoff.created_at, now, locale))
    if handoff.status == "claimed":
        waited = age(handoff.created_at, handoff.claimed_at or now, locale)
        return fmt(
            _h("Status: claimed by {advisor} (after {age})"),
            advisor=bold(advisor_label(handoff, _h)),
            age=waited,
        )
    reasons = {
        "advisor": _h("Status: closed by {advisor}"),
        "ended": _h("Status: closed by the entrepreneur"),
        "forget": _h("Status: closed, the entrepreneur deleted their data"),
        "blocked": _h("Status: closed, the entrepreneur blocked the bot"),
        "undelivered": _h("Status: closed, this card could not be delivered"),
        "transferred": _h("Status: transferred to another hub"),
    }
    template = reasons.get(handoff.close_reason or "", _h("Status: closed"))
    return (
        fmt(template, advisor=bold(advisor_label(handoff, _h))) if "{advisor}" in template else fmt(template)
    )


def card_text(catalog: Catalog, handoff: Handoff, _h: Gettext, now: dt.datetime) -> Rich:
    """Who, profile, question, what was already suggested, and the state."""
    lang = catalog.default_language
    who = handoff.first_name or _h("(no name)")
    if handoff.username:
        who = f"{who} (@{handoff.username})"
    p = handoff.profile

    def label(dimension: str, code: str | None) -> str:
        return catalog.label(dimension, code, lang) if code else "—"

    needs = ", ".join(catalog.label("needs", n, lang) for n in p.needs) or "—"
    suggested = (
        "; ".join(catalog.text(entry.title, lang) for entry in map(catalog.entry, handoff.matches) if entry)
        or "—"
    )
    return lines(
        fmt(
            _h("Request #{number} for {hub}"),
            number=str(handoff.id),
            hub=bold(hub_name(catalog, handoff.hub_id, lang)),
        ),
        fmt(_h("From: {who} · {language}"), who=bold(who), language=language_name(handoff.lang)),
        fmt(
            _h("Stage: {stage} · Sector: {sector} · Region: {region}"),
            stage=label("stages", p.stage),
            sector=", ".join(label("sectors", s) for s in p.sectors) or "—",
            region=label("regions", p.region),
        ),
        fmt(_h("Needs: {needs}"), needs=needs),
        *eligibility_lines(catalog, p, lang, _h),
        fmt(_h("Question: {question}"), question=italic(card_question(handoff.question))),
        fmt(_h("Already suggested: {titles}"), titles=suggested),
        status_line(catalog, handoff, _h, now),
        italic(
            _h(
                "Write in this topic, or reply to this message, to answer. Start a message with ! for a note "
                "the entrepreneur will not see."
            )
        ),
    )


def eligibility_lines(catalog: Catalog, p: Profile, lang: str, _h: Gettext) -> tuple[Rich, ...]:
    """'Age: 67 · Legal form: Co-operative', only with what the entrepreneur said (nothing when nothing)."""
    parts = []
    if p.age is not None:
        parts.append(_h("Age: {age}").format(age=p.age))
    if p.groups:
        parts.append(
            _h("Is: {groups}").format(groups=", ".join(catalog.label("groups", g, lang) for g in p.groups))
        )
    if p.legal_form:
        parts.append(_h("Legal form: {form}").format(form=catalog.label("legal_forms", p.legal_form, lang)))
    if p.size:
        parts.append(_h("Size: {size}").format(size=catalog.label("sizes", p.size, lang)))
    return ((plain(" · ".join(parts)),),) if parts else ()


def card_question(question: str) -> str:
    """The question as the card shows it; a longer one is copied whole right after the card."""
    return question if len(question) <= QUESTION_IN_CARD else question[:QUESTION_IN_CARD] + " […]"


def card_buttons(handoff: Handoff, _h: Gettext) -> tuple[tuple[Button, ...], ...]:
    """Claim while waiting; transfer and close while open; nothing once closed."""
    if not handoff.is_open:
        return ()
    transfer_or_close = (
        button(_h("Transfer"), ShowTransfer(handoff.id)),
        button(_h("Close"), CloseRequest(handoff.id)),
    )
    if handoff.status == "waiting":
        return ((button(_h("Claim"), Claim(handoff.id)),), transfer_or_close)
    return (transfer_or_close,)


def transfer_buttons(
    catalog: Catalog,
    handoff: Handoff,
    _h: Gettext,
    advisor_chat: Callable[[Hub], int | None] = lambda hub: hub.advisor_chat_id,
) -> tuple[tuple[Button, ...], ...]:
    """One button per other hub that has an advisor chat (the catalog's, or linked with /link), then Back."""
    lang = catalog.default_language
    rows = [
        (button(catalog.text(hub.name, lang), TransferTo(handoff.id, hub.id)),)
        for hub in catalog.hubs
        if hub.id != handoff.hub_id and advisor_chat(hub) is not None
    ]
    rows.append((button(_h("Back"), BackToCard(handoff.id)),))
    return tuple(rows)


def forgotten_card(catalog: Catalog, handoff: Handoff, _h: Gettext) -> Rich:
    """The card once the entrepreneur used /forget: the request's number and hub, nothing about the person."""
    return lines(
        fmt(
            _h("Request #{number} for {hub}"),
            number=str(handoff.id),
            hub=bold(hub_name(catalog, handoff.hub_id, catalog.default_language)),
        ),
        fmt(_h("Status: closed, the entrepreneur deleted their data")),
        italic(_h("Their name, answers and question were removed from this card.")),
    )


def topic_name(catalog: Catalog, handoff: Handoff, _h: Gettext) -> str:
    """'Amine · Technologies · #12': first name, sector and a short id, within Telegram's 128 characters."""
    lang = catalog.default_language
    sector = handoff.profile.sector
    parts = [
        handoff.first_name or _h("(no name)"),
        catalog.label("sectors", sector, lang) if sector else "",
        f"#{handoff.id}",
    ]
    name = " · ".join(part for part in parts if part)
    if len(name) > TOPIC_NAME_LIMIT:
        name = f"{name[: TOPIC_NAME_LIMIT - len(parts[-1]) - 4]}… · {parts[-1]}"
    return name
