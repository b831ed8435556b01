"""Free text at any step: fill what the message says, confirm it in one line, ask only what is missing.

Facts ("chu en démarrage dans l'agro à Rimouski") fill the profile and are confirmed with two buttons;
facts with a request ("... je veux parler à un conseiller", "... quels services ?") are noted in one line and
the request is carried out at once. Other intents get their natural answer, then the open question again.
Nothing is ever acted on silently: below `UNSURE` the bot says what it can do; a message that is not ours
(out of scope, spam) gets one line saying what the bot does and changes nothing; restarting and switching
language happen at once only when the understanding is sure (`safe_to_act`), else after a Yes.
"""

from __future__ import annotations

from typing import Protocol

from bot.core import commands, eligibility
from bot.core.buttons import ConfirmFacts, EditAnswers, YesNo, button
from bot.core.intake import ask, keyboard, next_step
from bot.core.steps import Step
from bot.core.text import bold, fmt, plain
from bot.core.turn import Turn
from bot.understanding.understanding import Understanding

UNSURE = 0.45
INTAKE_STEPS = (Step.STAGE, Step.SECTOR, Step.REGION, Step.HUB_REGION, Step.NEEDS)
QUESTION_STEPS = (*INTAKE_STEPS, Step.SECTORS, Step.CONFIRM, *eligibility.CRITERIA)
GREETED_ALREADY = ("greet", "help", "restart")  # a first message that /start's greeting answers in full


class Actions(Protocol):
    """What free text may set off beyond the intake: the dialogue provides them."""

    def request_advisor(self, turn: Turn) -> None: ...

    def switch_language(self, turn: Turn, lang: str) -> None: ...


def respond(
    turn: Turn, heard: Understanding, acts: Actions, offered: tuple[str, ...], *, greeted: bool = False
) -> None:
    """Answer a message that is not a typed button label: facts, a request, or another intent."""
    intent, step = heard.intent, turn.step
    if greeted and (intent == "out_of_scope" or (intent in GREETED_ALREADY and not heard.has_facts)):
        return  # a first "bonjour" (or spam): the greeting and the first question are the answer
    action = heard.action or ("ask_advisor" if step is Step.HUB_REGION else None)
    if intent == "out_of_scope":  # never filled from, never acted on
        (out_of_scope if heard.confidence >= UNSURE else unsure)(turn)
    elif step is Step.CONFIRM and intent in ("affirm", "deny"):
        answer_confirmation(turn, intent == "affirm")
    elif fill(turn, heard):
        if action == "ask_advisor":
            noted(turn)
            acts.request_advisor(turn)
        elif action == "find_services":
            noted(turn, correctable=True)
            continue_intake(turn)
        elif heard.changes_state:  # "..., on peut continuer en anglais?": the facts kept, the action asked
            noted(turn)
            state_change(turn, heard, acts, offered)
        else:
            confirm(turn)
    elif heard.confidence < UNSURE:
        unsure(turn)
    elif small_talk(turn, intent):
        pass
    elif intent == "help":
        commands.help_text(turn)
        reask(turn)
    elif action == "ask_advisor":
        acts.request_advisor(turn)
    elif action == "find_services":
        if not reask(turn):
            eligibility.results_or_question(turn)
    elif heard.changes_state:
        state_change(turn, heard, acts, offered)
    else:
        unsure(turn)


def fill(turn: Turn, heard: Understanding) -> bool:
    """Put what the message says into the profile; True when it said anything."""
    changes: dict[str, object] = {}
    for slot in ("stage", "region"):
        value = getattr(heard, slot)
        if value is not None and turn.catalog.has_code(f"{slot}s", value):
            changes[slot] = value
    sector = heard.sector
    if sector is not None and turn.catalog.has_code("sectors", sector):
        known = turn.conv.profile.sectors
        changes["sectors"] = known if sector in known else (sector,)
    needs = [n for n in heard.needs if turn.catalog.has_code("needs", n)]
    if needs:
        changes["needs"] = tuple(dict.fromkeys([*turn.conv.profile.needs, *needs]))
    if not changes:
        return False
    if "region" in changes and (heard.town or changes["region"] != turn.conv.profile.region):
        changes["town"] = heard.town  # the town named, or none for another region
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
    turn.update(step=Step.CONFIRM)
    turn.say(
        fmt(_("Understood: {facts}. Is that right?"), facts=bold(understood_line(turn))),
        ((button(_("Yes"), ConfirmFacts(YesNo.YES)), button(_("Correct"), ConfirmFacts(YesNo.NO))),),
    )


def noted(turn: Turn, *, correctable: bool = False) -> None:
    """'Compris : ...' in one line when the message also asked for something, which comes right after."""
    _ = turn._
    buttons = ((button(_("Change my answers"), EditAnswers()),),) if correctable else ()
    turn.say(fmt(_("Understood: {facts}."), facts=bold(understood_line(turn))), buttons)


def continue_intake(turn: Turn) -> None:
    """Ask the first question still open (never one answered or skipped), or show the results."""
    following = next_step(turn)
    if following is not None:
        ask(turn, following)
    else:
        eligibility.results_or_question(turn)


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
    if intent != "goodbye":
        reask(turn)
    return True


def out_of_scope(turn: Turn) -> None:
    """Not ours (a flat to rent, the weather, spam): one line on what the bot does; nothing changes."""
    _ = turn._
    turn.say(
        (
            plain(
                _(
                    "I help entrepreneurs find support services and talk to an advisor of their hub; "
                    "I can't help with that."
                )
            ),
        )
    )
    reask(turn)


def reask(turn: Turn) -> bool:
    """Ask the open question again, with its buttons; False when no question is open."""
    step = turn.step
    if step in (*INTAKE_STEPS, Step.SECTORS):
        ask(turn, step)
    elif step in eligibility.CRITERIA:
        eligibility.ask(turn, step)
    elif step is Step.CONFIRM:
        confirm(turn)
    else:
        return False
    return True


def state_change(turn: Turn, heard: Understanding, acts: Actions, offered: tuple[str, ...]) -> None:
    """Restart, forget, switch language: at once when the understanding is sure, else after a Yes."""
    asked = heard.language_asked
    if heard.intent == "forget_me":
        commands.confirm_forget(turn)  # deleting always has its own confirmation
    elif heard.intent == "restart":
        if heard.safe_to_act:
            commands.start(turn, turn.conv.hub_id)
        else:
            commands.confirm_restart(turn)
    elif asked in offered and asked != turn.lang and asked is not None:
        if heard.safe_to_act:
            acts.switch_language(turn, asked)
        else:
            commands.confirm_language(turn, asked)
    else:
        commands.language_menu(turn, offered)


def unsure(turn: Turn) -> None:
    """Never a silent guess: during the questions, ask the open question again; otherwise offer the main actions."""
    step = turn.step
    if step in INTAKE_STEPS:
        turn.say(
            (plain(turn._("I did not catch that. Please choose one of the buttons, or Skip.")),),
            keyboard(turn, step),
        )
    else:
        commands.not_understood(turn)
