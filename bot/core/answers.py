"""Answers to the questions being asked, by button or by typing a label, and what comes after each.

A button answers only the question it belongs to (the dialogue checks it). A short typed message that is
one of the buttons' labels ('démarrage', 'Terminé', '67' at the age question) answers like the button; a
message that says more than that one answer ('croissance manufacturier Lévis' at the stage question) is
left to the free-text way, which fills everything it says.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.core import eligibility
from bot.core.buttons import Action, SkipStep
from bot.core.intake import (
    answered_line,
    ask,
    keyboard,
    label_choice,
    next_step,
    place_named,
    question,
    set_region,
    skip,
    store_answer,
    toggle_need,
    toggle_sector,
)
from bot.core.steps import Step
from bot.core.turn import Turn
from bot.understanding.understanding import Understanding

SINGLE_STEPS = (Step.STAGE, Step.SECTOR, Step.REGION, Step.HUB_REGION)
MAX_TYPED_WORDS = 3
OWN_SLOT = {
    Step.STAGE: "stage",
    Step.SECTOR: "sector",
    Step.SECTORS: "sector",
    Step.REGION: "region",
    Step.HUB_REGION: "region",
    Step.NEEDS: "needs",
}


def says_more(heard: Understanding, step: str | None) -> bool:
    """True when a message holds facts beyond one answer to `step` (another slot, or several values)."""
    facts = [slot for slot in ("stage", "sector", "region") if getattr(heard, slot)]
    facts += ["needs"] * len(heard.needs)
    own = OWN_SLOT.get(known) if (known := Step.of(step)) else None
    return len(facts) > 1 or (len(facts) == 1 and facts[0] != own)


class Answers:
    """Records answers and moves the intake on; `request` opens the advisor request (after the hub's region)."""

    def __init__(self, request: Callable[[Turn], None]) -> None:
        self.request = request

    def answer(self, turn: Turn, step: Step, code: str | None) -> bool:
        """A button of a single-choice question (None: Skip, which keeps any answer already given)."""
        store_answer(turn, step, code)
        turn.edit_pressed(answered_line(turn, step, code))
        self.advance(turn, step)
        return True

    def advance(self, turn: Turn, step: Step) -> None:
        """After an answer: the next open question, else the eligibility question or the results."""
        if step is Step.HUB_REGION:
            self.request(turn)
        elif turn.conv.editing or step in eligibility.CRITERIA:
            eligibility.results_or_question(turn)
        elif (following := next_step(turn, Step.SECTOR if step is Step.SECTORS else step)) is not None:
            ask(turn, following)
        else:
            eligibility.results_or_question(turn)

    def ticked(self, turn: Turn, step: Step, value: str | None) -> bool:
        """A tick in the needs or the several-sectors question, or Done (None), which keeps what was given."""
        field = "needs" if step is Step.NEEDS else "sectors"
        if value is None:
            if not getattr(turn.conv.profile, field):
                skip(turn, step)
            turn.edit_pressed(answered_line(turn, step, None))
            self.advance(turn, step)
            return True
        if not turn.catalog.has_code(field, value):
            return False
        (toggle_need if step is Step.NEEDS else toggle_sector)(turn, value)
        turn.edit_pressed(question(turn, step), keyboard(turn, step))
        return True

    def criterion(self, turn: Turn, step: Step, action: Action) -> bool:
        """An answer to an eligibility question (or its Skip)."""
        if isinstance(action, SkipStep):
            eligibility.skip(turn, step)
            done: bool | None = True
        else:
            done = eligibility.answer_button(turn, step, action)
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
        step, text = turn.step, turn.event.text.strip()
        if step is None or len(text.split()) > MAX_TYPED_WORDS or says_more(heard, step):
            return False
        if step in (Step.NEEDS, Step.SECTORS, Step.GROUPS) and text.casefold() in (
            turn._("Done").casefold(),
            "ok",
        ):
            if step is not Step.GROUPS:
                return self.ticked(turn, step, None)
            self.advance(turn, step)
            return True
        if step in eligibility.CRITERIA:
            return self._typed_criterion(turn, step, text)
        if (
            step not in (*SINGLE_STEPS, Step.NEEDS, Step.SECTORS)
            or (code := label_choice(turn, step, text)) is None
        ):
            return False
        if step in (Step.NEEDS, Step.SECTORS):
            (toggle_need if step is Step.NEEDS else toggle_sector)(turn, code)
            turn.say(question(turn, step), keyboard(turn, step))
        else:
            store_answer(turn, step, code)
            if step is Step.REGION and (name := place_named(turn, text)) is not None:
                set_region(turn, code, turn.catalog.town(name))  # "Matane": the town is kept too
            turn.say(answered_line(turn, step, code))
            self.advance(turn, step)
        return True

    def _typed_criterion(self, turn: Turn, step: Step, text: str) -> bool:
        """'67' at the age question, a typed label at the others."""
        if step is Step.AGE:
            age = eligibility.typed_age(text)
            if age is None:
                return False
            turn.update_profile(age=age)
        else:
            code = label_choice(turn, step, text)
            if code is None:
                return False
            if step is Step.GROUPS:
                turn.update_profile(groups=tuple(dict.fromkeys([*(turn.conv.profile.groups or ()), code])))
                turn.say(eligibility.question(turn, step), eligibility.keyboard(turn, step))
                return True
            turn.update_profile(**{step: code})
        turn.say(eligibility.answered_line(turn, step))
        self.advance(turn, step)
        return True
