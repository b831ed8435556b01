"""Who an entry is for: the optional questions (age, target groups, legal form, company size).

They are asked only when they change the results: after the four intake answers, if an entry on the first
page of results has a criterion the profile has not answered, the bot asks that one question (skippable,
never mandatory), then shows the results. A skipped criterion is never asked again in the same search.

Buttons (`bot.core.buttons`): `PickAge` (a band's youngest age), `TickGroup` toggles a group and `GroupsDone`
ends the choice, `PickLegalForm`, `PickSize`, `SkipStep` skips. An answer only counts at its own step.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.catalog.model import Catalog
from bot.core.buttons import (
    Action,
    GroupsDone,
    PickAge,
    PickLegalForm,
    PickSize,
    SkipStep,
    TickGroup,
    button,
)
from bot.core.intake import code_buttons
from bot.core.matching import open_criteria, rank
from bot.core.results import PAGE_SIZE, show_results
from bot.core.steps import Step
from bot.core.text import Rich, bold, fmt
from bot.core.turn import Keyboard, Turn, grid

CRITERIA = (Step.AGE, Step.GROUPS, Step.LEGAL_FORM, Step.SIZE)
DIMENSION = {Step.GROUPS: "groups", Step.LEGAL_FORM: "legal_forms", Step.SIZE: "sizes"}
KIND: dict[Step, Callable[[str], Action]] = {
    Step.GROUPS: TickGroup,
    Step.LEGAL_FORM: PickLegalForm,
    Step.SIZE: PickSize,
}
MAX_AGE = 120
_AGE = re.compile(r"(?<!\d)(\d{1,3})(?!\d)")


def next_criterion(turn: Turn) -> Step | None:
    """The first criterion that the first page of results depends on and the profile has not answered."""
    profile = turn.conv.profile
    ranking = rank(turn.catalog, profile)
    pending = {c for entry in ranking.best(PAGE_SIZE) for c in open_criteria(entry, profile)}
    return next((c for c in CRITERIA if c in pending and c not in profile.skipped), None)


def age_bands(catalog: Catalog) -> list[tuple[int, int | None]]:
    """Age bands cut where some entry's band starts or ends: [(0, 17), (18, 39), (40, None)]."""
    cuts = set()
    for entry in catalog.entries:
        if entry.age:
            if entry.age.min is not None:
                cuts.add(entry.age.min)
            if entry.age.max is not None:
                cuts.add(entry.age.max + 1)
    edges = sorted(c for c in cuts if 0 < c <= MAX_AGE)
    starts = [0, *edges]
    return [(low, (starts[i + 1] - 1) if i + 1 < len(starts) else None) for i, low in enumerate(starts)]


def question(turn: Turn, step: Step) -> Rich:
    _ = turn._
    texts = {
        Step.AGE: _("Some programs have an age limit. How old are you? (optional)"),
        Step.GROUPS: _(
            "Some programs are reserved for some people. Does any of these describe you? (optional)"
        ),
        Step.LEGAL_FORM: _("Some programs accept only some legal forms. What is your business? (optional)"),
        Step.SIZE: _("Some programs depend on the size of the business. How many employees? (optional)"),
    }
    return (bold(texts[step]),)


def keyboard(turn: Turn, step: Step) -> Keyboard:
    """The step's choices, then Skip (and for groups, Done or None of these)."""
    _ = turn._
    skip = button(_("Skip"), SkipStep(step))
    if step is Step.AGE:
        buttons = [
            button(_band_label(turn, low, high), PickAge(max(low, 1)))
            for low, high in age_bands(turn.catalog)
        ]
        return (*grid(buttons, 3), (skip,))
    chosen = set(turn.conv.profile.groups or ()) if step is Step.GROUPS else set()
    buttons = code_buttons(turn, DIMENSION[step], KIND[step], chosen)
    if step is Step.GROUPS:
        done = button(_("Done") if chosen else _("None of these"), GroupsDone())
        return (*grid(buttons), (done, skip))
    return (*grid(buttons), (skip,))


def _band_label(turn: Turn, low: int, high: int | None) -> str:
    _ = turn._
    if high is None:
        return _("{age} or older").format(age=low)
    if low == 0:
        return _("under {age}").format(age=high + 1)
    return f"{low}–{high}"


def ask(turn: Turn, step: Step) -> None:
    turn.update(step=step)
    turn.say(question(turn, step), keyboard(turn, step))


def answer_button(turn: Turn, step: Step, action: Action) -> bool | None:
    """Apply a button of an eligibility step: True when it completes the step, False when the step goes on
    (a group ticked), None when the button does not belong here (stale or forged)."""
    if step is Step.AGE and isinstance(action, PickAge):
        if not 0 < action.age <= MAX_AGE:
            return None
        turn.update_profile(age=action.age)
        return True
    if step is Step.GROUPS and isinstance(action, GroupsDone):
        turn.update_profile(groups=tuple(turn.conv.profile.groups or ()))
        return True
    if not isinstance(action, TickGroup | PickLegalForm | PickSize) or KIND.get(step) is not type(action):
        return None
    if not turn.catalog.has_code(DIMENSION[step], action.code):
        return None
    if step is Step.GROUPS:
        chosen = list(turn.conv.profile.groups or ())
        chosen.remove(action.code) if action.code in chosen else chosen.append(action.code)
        turn.update_profile(groups=tuple(chosen))
        return False
    turn.update_profile(**{step: action.code})
    return True


def typed_age(text: str) -> int | None:
    """'67', 'j'ai 67 ans', '34 years old' -> the age; None when the text holds no plausible age."""
    found = _AGE.findall(text)
    if len(found) != 1:
        return None
    age = int(found[0])
    return age if 10 <= age <= MAX_AGE else None


def skip(turn: Turn, step: Step) -> None:
    """Never asked again in this search; an answer already given is kept."""
    turn.update_profile(skipped=tuple(dict.fromkeys([*turn.conv.profile.skipped, str(step)])))


def answered_line(turn: Turn, step: Step) -> Rich:
    """'Age: 67', 'Is: Woman entrepreneur', 'Legal form: skipped'."""
    _ = turn._
    p = turn.conv.profile
    names = {Step.AGE: _("Age"), Step.GROUPS: _("Is"), Step.LEGAL_FORM: _("Legal form"), Step.SIZE: _("Size")}
    value = describe(turn, step) or (
        _("none of these") if step is Step.GROUPS and p.groups == () else _("skipped")
    )
    return fmt(_("{name}: {value}"), name=bold(names[step]), value=value)


def describe(turn: Turn, step: Step) -> str:
    """The answer to one criterion in words, '' when not given."""
    p = turn.conv.profile
    catalog = turn.catalog
    if step is Step.AGE:
        return str(p.age) if p.age is not None else ""
    if step is Step.GROUPS:
        return ", ".join(catalog.label("groups", g, turn.lang) for g in p.groups or ())
    code = getattr(p, step)
    return catalog.label(DIMENSION[step], code, turn.lang) if code else ""


def results_or_question(turn: Turn) -> None:
    """At the end of the intake: the one eligibility question the first page depends on, else the results."""
    step = next_criterion(turn)
    if step is None:
        show_results(turn)
    else:
        ask(turn, step)
