"""Who an entry is for: the optional questions (age, target groups, legal form, company size).

They are asked only when they change the results: after the four intake answers, if an entry on the first
page of results has a criterion the profile has not answered, the bot asks that one question (skippable,
never mandatory), then shows the results. A skipped criterion is never asked again in the same search.

Buttons: `ag:<age>` (a band's youngest age), `gr:<code>` toggles a group and `gr:*` ends the choice,
`lf:<code>` a legal form, `sz:<code>` a size, `sk:<step>` skips. An answer only counts at its own step.
"""

from __future__ import annotations

import re

from bot.catalog.model import Catalog
from bot.core.intake import code_buttons
from bot.core.matching import open_criteria, rank
from bot.core.results import PAGE_SIZE, show_results
from bot.core.text import Rich, bold, fmt
from bot.core.turn import Keyboard, Turn, grid
from bot.core.types import Button

CRITERIA = ("age", "groups", "legal_form", "size")
DIMENSION = {"groups": "groups", "legal_form": "legal_forms", "size": "sizes"}
PREFIX = {"age": "ag", "groups": "gr", "legal_form": "lf", "size": "sz"}
MAX_AGE = 120
_AGE = re.compile(r"(?<!\d)(\d{1,3})(?!\d)")


def next_criterion(turn: Turn) -> str | None:
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


def question(turn: Turn, step: str) -> Rich:
    _ = turn._
    texts = {
        "age": _("Some programs have an age limit. How old are you? (optional)"),
        "groups": _("Some programs are reserved for some people. Does any of these describe you? (optional)"),
        "legal_form": _("Some programs accept only some legal forms. What is your business? (optional)"),
        "size": _("Some programs depend on the size of the business. How many employees? (optional)"),
    }
    return (bold(texts[step]),)


def keyboard(turn: Turn, step: str) -> Keyboard:
    """The step's choices, then Skip (and for groups, Done or None of these)."""
    _ = turn._
    skip = Button(_("Skip"), f"sk:{step}")
    if step == "age":
        buttons = [
            Button(_band_label(turn, low, high), f"ag:{max(low, 1)}") for low, high in age_bands(turn.catalog)
        ]
        return (*grid(buttons, 3), (skip,))
    chosen = set(turn.conv.profile.groups or ()) if step == "groups" else set()
    buttons = code_buttons(turn, DIMENSION[step], PREFIX[step], chosen)
    if step == "groups":
        done = Button(_("Done") if chosen else _("None of these"), "gr:*")
        return (*grid(buttons), (done, skip))
    return (*grid(buttons), (skip,))


def _band_label(turn: Turn, low: int, high: int | None) -> str:
    _ = turn._
    if high is None:
        return _("{age} or older").format(age=low)
    if low == 0:
        return _("under {age}").format(age=high + 1)
    return f"{low}–{high}"


def ask(turn: Turn, step: str) -> None:
    turn.update(step=step)
    turn.say(question(turn, step), keyboard(turn, step))


def answer_button(turn: Turn, step: str, prefix: str, value: str) -> bool | None:
    """Apply a button of an eligibility step: True when it completes the step, False when the step goes on
    (a group ticked), None when the button does not belong here (stale or forged)."""
    if PREFIX.get(step) != prefix:
        return None
    if step == "age":
        return _set_age(turn, value)
    if step == "groups":
        if value == "*":
            turn.update_profile(groups=tuple(turn.conv.profile.groups or ()))
            return True
        if not turn.catalog.has_code("groups", value):
            return None
        chosen = list(turn.conv.profile.groups or ())
        chosen.remove(value) if value in chosen else chosen.append(value)
        turn.update_profile(groups=tuple(chosen))
        return False
    if not turn.catalog.has_code(DIMENSION[step], value):
        return None
    turn.update_profile(**{step: value})
    return True


def _set_age(turn: Turn, value: str) -> bool | None:
    if not value.isdigit() or not 0 < int(value[:3]) <= MAX_AGE:
        return None
    turn.update_profile(age=int(value[:3]))
    return True


def typed_age(text: str) -> int | None:
    """'67', 'j'ai 67 ans', '34 years old' -> the age; None when the text holds no plausible age."""
    found = _AGE.findall(text)
    if len(found) != 1:
        return None
    age = int(found[0])
    return age if 10 <= age <= MAX_AGE else None


def skip(turn: Turn, step: str) -> None:
    """Never asked again in this search; an answer already given is kept."""
    turn.update_profile(skipped=tuple(dict.fromkeys([*turn.conv.profile.skipped, step])))


def answered_line(turn: Turn, step: str) -> Rich:
    """'Age: 67', 'Is: Woman entrepreneur', 'Legal form: skipped'."""
    _ = turn._
    p = turn.conv.profile
    names = {"age": _("Age"), "groups": _("Is"), "legal_form": _("Legal form"), "size": _("Size")}
    value = describe(turn, step) or (
        _("none of these") if step == "groups" and p.groups == () else _("skipped")
    )
    return fmt(_("{name}: {value}"), name=bold(names[step]), value=value)


def describe(turn: Turn, step: str) -> str:
    """The answer to one criterion in words, '' when not given."""
    p = turn.conv.profile
    catalog = turn.catalog
    if step == "age":
        return str(p.age) if p.age is not None else ""
    if step == "groups":
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
