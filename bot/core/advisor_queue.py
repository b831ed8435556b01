"""The advisors' desk, what a hub's group asks about its requests: /queue, /mine, and /help."""

from __future__ import annotations

from bot.core import card
from bot.core.text import Rich, Span, bold, lines, plain
from bot.core.thread import DeskServices
from bot.core.turn import HubTurn


async def queue(services: DeskServices, turn: HubTurn, *, mine: bool) -> None:
    """`/queue`: open requests, oldest first, with their age; `/mine`: the ones I claimed."""
    catalog, now = turn.catalog, services.now()
    locale = catalog.locale(catalog.default_language)
    handoffs = await services.store.open_handoffs(
        hub_chat_id=turn.event.chat_id, advisor_id=turn.event.sender.id if mine else None
    )
    if not handoffs:
        turn.answer(
            (plain(turn._h("You have no open request.") if mine else turn._h("No open request. Well done!")),)
        )
        return
    rows: list[str | Span | Rich] = [
        bold(turn._h("Your requests") if mine else turn._h("Open requests, oldest first"))
    ]
    for h in handoffs:
        state = (
            turn._h("waiting {age}").format(age=card.age(h.created_at, now, locale))
            if h.status == "waiting"
            else turn._h("claimed by {advisor}").format(advisor=card.advisor_label(h, turn._h))
        )
        sector = (
            ", ".join(catalog.label("sectors", c, catalog.default_language) for c in h.profile.sectors)
            if h.profile.sectors
            else "—"
        )
        rows.append(f"#{h.id} · {h.first_name or '—'} · {sector} · {state}")
    turn.answer(lines(*rows))


async def help_text(turn: HubTurn) -> None:
    """`/help` in an advisor group: its commands."""
    turn.answer(
        lines(
            bold(turn._h("Commands of the advisor group")),
            turn._h("/queue: open requests, oldest first"),
            turn._h("/mine: the requests you claimed"),
            turn._h(
                "/claim, /close, /transfer, /reopen: in a request's topic, as a reply to its card, or with its number (/close 12)"
            ),
            turn._h("/transfer hub-03 and a reason: the new hub and the entrepreneur read why"),
            turn._h("/r: the canned replies; /r name sends one to the entrepreneur, in their language"),
            turn._h("/suggest: the catalog's best entries for the request, each sent with one button"),
            turn._h("/missing and a text: tell the network's admins what the catalog lacks"),
            turn._h("/ban, /unban: stop, or restore, the entrepreneur's messages to this hub"),
            turn._h("/link hub-03: make this group a hub's advisor group (the hub's admins only)"),
            turn._h("Start a message with ! (or use /note) for a note the entrepreneur will not see."),
        )
    )
