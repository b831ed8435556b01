"""Answers to the questions being asked, by button or by typing a label, and what comes after each.

A button answers only the question it belongs to (the dialogue checks it). A short typed message that is
one of the buttons' labels ('démarrage', 'Terminé', '67' at the age question) answers like the button; a
message that says more than that one answer ('croissance manufacturier Lévis' at the stage question) is
left to the free-text way, which fills everything it says.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.core import eligibility
from bot.core.intake import (
    answered_line,
    ask,
    keyboard,
    label_choice,
    next_step,
    question,
    skip,
    store_answer,
    toggle_need,
    toggle_sector,
)
from bot.core.turn import Turn
from bot.understanding.understand import Understanding

SINGLE_STEPS = ("stage", "sector", "region", "hub_region")
MAX_TYPED_WORDS = 3
OWN_SLOT = {
    "stage": "stage",
    "sector": "sector",
    "sectors": "sector",
    "region": "region",
    "hub_region": "region",
    "needs": "needs",
}


def says_more(heard: Understanding, step: str) -> bool:
    """True when a message holds facts beyond one answer to `step` (another slot, or several values)."""
    facts = [slot for slot in ("stage", "sector", "region") if getattr(heard, slot)]
    facts += ["needs"] * len(heard.needs)
    return len(facts) > 1 or (len(facts) == 1 and facts[0] != OWN_SLOT.get(step))


class Answers:
    """Records answers and moves the intake on; `request` opens the advisor request (after the hub's region)."""

    def __init__(self, request: Callable[[Turn], None]) -> None:
        self.request = request

    def answer(self, turn: Turn, step: str, code: str | None) -> bool:
        """A button of a single-choice question (None: Skip, which keeps any answer already given)."""
        store_answer(turn, step, code)
        turn.edit_pressed(answered_line(turn, step, code))
        self.advance(turn, step)
        return True

    def advance(self, turn: Turn, step: str) -> None:
        """After an answer: the next open question, else the eligibility question or the results."""
        if step == "hub_region":
            self.request(turn)
        elif turn.conv.editing or step in eligibility.CRITERIA:
            eligibility.results_or_question(turn)
        elif (following := next_step(turn, "sector" if step == "sectors" else step)) is not None:
            ask(turn, following)
        else:
            eligibility.results_or_question(turn)

    def ticked(self, turn: Turn, step: str, value: str) -> bool:
        """A tick in the needs or the several-sectors question, or Done (`*`), which keeps what was given."""
        field = "needs" if step == "needs" else "sectors"
        if value == "*":
            if not getattr(turn.conv.profile, field):
                skip(turn, step)
            turn.edit_pressed(answered_line(turn, step, None))
            self.advance(turn, step)
            return True
        if not turn.catalog.has_code(field, value):
            return False
        (toggle_need if step == "needs" else toggle_sector)(turn, value)
        turn.edit_pressed(question(turn, step), keyboard(turn, step))
        return True

    def criterion(self, turn: Turn, step: str, prefix: str, value: str) -> bool:
        """An answer to an eligibility question (or its Skip)."""
        if prefix == "sk":
            eligibility.skip(turn, step)
            done: bool | None = True
        else:
            done = eligibility.answer_button(turn, step, prefix, value)
        if done is None:
            return False
        if not done:
            turn.edit_pressed(eligibility.question(turn, step), eligibility.keyboard(turn, step))
            return True
        turn.edit_pressed(eligibility.answered_line(turn, step))
        self.advance(turn, step)
        return True

    def typed(self, turn: Turn, heard: Understanding) -> bool:
        """A short answer that is one of the buttons' labels ('démarrage', 'Terminé'); False leaves the
        message to the free-text way (also when it says more than this one answer)."""
        step, text = turn.conv.step or "", turn.event.text.strip()
        if len(text.split()) > MAX_TYPED_WORDS or says_more(heard, step):
            return False
        if step in ("needs", "sectors", "groups") and text.casefold() in (turn._("Done").casefold(), "ok"):
            if step != "groups":
                return self.ticked(turn, step, "*")
            self.advance(turn, step)
            return True
        if step in eligibility.CRITERIA:
            return self._typed_criterion(turn, step, text)
        if (
            step not in (*SINGLE_STEPS, "needs", "sectors")
            or (code := label_choice(turn, step, text)) is None
        ):
            return False
        if step in ("needs", "sectors"):
            (toggle_need if step == "needs" else toggle_sector)(turn, code)
            turn.say(question(turn, step), keyboard(turn, step))
        else:
            store_answer(turn, step, code)
            turn.say(answered_line(turn, step, code))
            self.advance(turn, step)
        return True

    def _typed_criterion(self, turn: Turn, step: str, text: str) -> bool:
        """'67' at the age question, a typed label at the others."""
        if step == "age":
            age = eligibility.typed_age(text)
            if age is None:
                return False
            turn.update_profile(age=age)
        else:
            code = label_choice(turn, step, text)
            if code is None:
                return False
            if step == "groups":
                turn.update_profile(groups=tuple(dict.fromkeys([*(turn.conv.profile.groups or ()), code])))
                turn.say(eligibility.question(turn, step), eligibility.keyboard(turn, step))
                return True
            turn.update_profile(**{step: code})
        turn.say(eligibility.answered_line(turn, step))
        self.advance(turn, step)
        return True
