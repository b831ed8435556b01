"""Free text at any step: fill what the message says, confirm it in one line, ask only what is missing.

Facts ("chu en démarrage dans l'agro à Rimouski") fill the profile and are confirmed with two buttons;
other intents get their natural answer. A message the bot is unsure about is never acted on silently: below
`UNSURE` it says what it can do and offers the main buttons.
"""

from __future__ import annotations

from bot.core import commands
from bot.core.eligibility import results_or_question
from bot.core.intake import ask, keyboard, next_step
from bot.core.text import bold, fmt, plain
from bot.core.turn import Turn
from bot.core.types import Button
from bot.understanding.understand import Understanding

UNSURE = 0.45
FACT_INTENTS = ("inform", "find_services")


def fill(turn: Turn, heard: Understanding) -> bool:
    """Put what the message says into the profile; True when it said anything."""
    changes: dict[str, object] = {}
    for slot in ("stage", "region"):
        value = getattr(heard, slot)
        if value is not None and turn.catalog.has_code(f"{slot}s", value):
            changes[slot] = value
    sectors = [s for s in (heard.sector,) if s is not None and turn.catalog.has_code("sectors", s)]
    if sectors:
        changes["sectors"] = tuple(sectors)
    needs = [n for n in heard.needs if turn.catalog.has_code("needs", n)]
    if needs:
        changes["needs"] = tuple(dict.fromkeys([*turn.conv.profile.needs, *needs]))
    if not changes:
        return False
    turn.update_profile(**changes)
    if "region" in changes:
        hub = turn.catalog.hub_for_region(str(changes["region"]))
        turn.update(hub_id=hub.id if hub else None)
    return True


def understood_line(turn: Turn) -> str:
    """'démarrage · agroalimentaire · Bas-Saint-Laurent · financement'."""
    p = turn.conv.profile
    parts = [turn.catalog.label("stages", p.stage, turn.lang)] if p.stage else []
    parts += [turn.catalog.label("sectors", s, turn.lang) for s in p.sectors]
    if p.region:
        parts.append(turn.catalog.label("regions", p.region, turn.lang))
    parts.extend(turn.catalog.label("needs", need, turn.lang) for need in p.needs)
    return " · ".join(parts)


def confirm(turn: Turn) -> None:
    """'Compris : ... C'est bien ça ?' with Yes / Correct."""
    _ = turn._
    turn.update(step="confirm")
    turn.say(
        fmt(_("Understood: {facts}. Is that right?"), facts=bold(understood_line(turn))),
        ((Button(_("Yes"), "cf:yes"), Button(_("Correct"), "cf:no")),),
    )


def continue_intake(turn: Turn) -> None:
    """After a confirmation: ask the first question still unanswered, or show the results."""
    p = turn.conv.profile
    for step, value in (("stage", p.stage), ("sector", p.sector), ("region", p.region)):
        if value is None and not (step == "region" and next_step(turn, "sector") != "region"):
            ask(turn, step)
            return
    if not p.needs:
        ask(turn, "needs")
        return
    results_or_question(turn)


def answer_confirmation(turn: Turn, yes: bool) -> None:
    if yes:
        continue_intake(turn)
    else:
        commands.show_profile(turn)


def small_talk(turn: Turn, intent: str) -> bool:
    """Greetings, thanks and goodbyes: a short natural answer, then the question still open."""
    _ = turn._
    texts = {
        "greet": _("Hello! Tell me about your project, or answer the question below."),
        "thanks": _("You're welcome!"),
        "goodbye": _("Goodbye, and good luck with your project! Send /start any time."),
    }
    if intent not in texts:
        return False
    turn.say((plain(texts[intent]),))
    step = turn.conv.step
    if intent != "goodbye" and step in ("stage", "sector", "region", "hub_region", "needs"):
        ask(turn, step)
    return True


INTAKE_STEPS = ("stage", "sector", "region", "hub_region", "needs")


def unsure(turn: Turn) -> None:
    """Never a silent guess: during the questions, ask the open question again; otherwise offer the main actions."""
    step = turn.conv.step
    if step in INTAKE_STEPS:
        turn.say(
            (plain(turn._("I did not catch that. Please choose one of the buttons, or Skip.")),),
            keyboard(turn, step),
        )
    else:
        commands.not_understood(turn)
