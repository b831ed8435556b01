"""The intake: stage, sector, region, then needs, each by button or by typing its label, each skippable.

Buttons carry short codes (`PickStage("idea")` is sent as `st:idea`, see `bot.core.buttons`); an answer only
counts for the question being asked, so an old or forged button never changes anything behind the user's
back. A sector button answers at once; "Several sectors" (`sc:+`) turns the question into ticks (`ss:tech`,
`ss:*` when done). Skip never erases an answer already given.

A question answered already (by a button, by a typed message, by a hub's link) or skipped is never asked
again in the same intake: skips are kept in the profile's `skipped`, with the eligibility criteria skipped.
"""

from __future__ import annotations

from collections.abc import Callable

from rapidfuzz import fuzz, process

from bot.catalog.model import Catalog
from bot.core.buttons import (
    Action,
    Cancel,
    NeedsDone,
    OpenProfile,
    PickRegion,
    PickSector,
    PickStage,
    ProfileTarget,
    SectorsDone,
    SeveralSectors,
    SkipStep,
    TickNeed,
    TickSector,
    button,
)
from bot.core.steps import Step
from bot.core.text import Rich, bold, fmt, lines
from bot.core.turn import Keyboard, Turn, grid
from bot.core.types import Button, Profile
from bot.normalize import fold

STEPS = (Step.STAGE, Step.SECTOR, Step.REGION, Step.NEEDS)
DIMENSION = {
    Step.STAGE: "stages",
    Step.SECTOR: "sectors",
    Step.REGION: "regions",
    Step.NEEDS: "needs",
    Step.HUB_REGION: "regions",
    Step.SECTORS: "sectors",
    Step.GROUPS: "groups",
    Step.LEGAL_FORM: "legal_forms",
    Step.SIZE: "sizes",
}
# The button of one code at each step: `PickStage("idea")` answers the stage question.
KIND: dict[Step, Callable[[str], Action]] = {
    Step.STAGE: PickStage,
    Step.SECTOR: PickSector,
    Step.REGION: PickRegion,
    Step.HUB_REGION: PickRegion,
    Step.NEEDS: TickNeed,
    Step.SECTORS: TickSector,
}
MULTI = {Step.NEEDS: "needs", Step.SECTORS: "sectors"}  # steps answered by ticking, then Done
MAX_SECTORS = 3
LABEL_CUTOFF = 85


def question(turn: Turn, step: Step) -> Rich:
    """The question for a step, in the user's language."""
    _ = turn._
    texts = {
        Step.STAGE: _("Where is your project at?"),
        Step.SECTOR: _("Which sector are you in?"),
        Step.REGION: _("Which region is your business in?"),
        Step.HUB_REGION: _("To find your hub, which region is your business in?"),
        Step.NEEDS: _("What do you need? Pick one or more, then press Done."),
        Step.SECTORS: _("Which sectors are you in? Pick up to three, then press Done."),
    }
    return (bold(texts[step]),)


def keyboard(turn: Turn, step: Step) -> Keyboard:
    """The buttons of a step: its codes, then Skip (or Done for the needs)."""
    _ = turn._
    chosen = set(getattr(turn.conv.profile, MULTI[step])) if step in MULTI else set()
    buttons = code_buttons(turn, DIMENSION[step], KIND[step], chosen)
    last = {
        Step.NEEDS: button(_("Done"), NeedsDone()),
        Step.SECTORS: button(_("Done"), SectorsDone()),
        Step.HUB_REGION: button(_("Cancel"), Cancel()),
    }.get(step) or button(_("Skip"), SkipStep(step))
    if step is Step.SECTOR:
        return (*grid(buttons), (button(_("Several sectors"), SeveralSectors()), last))
    return (*grid(buttons), (last,))


def code_buttons(turn: Turn, dimension: str, kind: Callable[[str], Action], chosen: set[str]) -> list[Button]:
    """One button per code of a taxonomy list (`kind(code)`), ticked when already chosen."""
    buttons = []
    for term in turn.catalog.terms(dimension):
        label = turn.catalog.label(dimension, term.code, turn.lang)
        buttons.append(button(f"✓ {label}" if term.code in chosen else label, kind(term.code)))
    return buttons


def ask(turn: Turn, step: Step) -> None:
    """Move the conversation to `step` and ask its question."""
    turn.update(step=step)
    turn.say(question(turn, step), keyboard(turn, step))


def next_step(turn: Turn, after: Step | None = None) -> Step | None:
    """The first intake question after `after` (from the start when None) still open: a step answered
    already, whether by a button, a typed message or a hub's link, or skipped, is not asked again."""
    steps = STEPS if after is None else STEPS[STEPS.index(after) + 1 :]
    return next((step for step in steps if not answered(turn, step)), None)


def answered(turn: Turn, step: Step) -> bool:
    """Whether an intake step has an answer, or was skipped, in this intake."""
    p = turn.conv.profile
    values = {Step.STAGE: p.stage, Step.SECTOR: p.sectors, Step.REGION: p.region, Step.NEEDS: p.needs}
    return bool(values[step]) or step in p.skipped


def skip(turn: Turn, step: Step) -> None:
    """Skip a question: what was answered stays, and the step is not asked again in this intake."""
    step = {Step.SECTORS: Step.SECTOR, Step.HUB_REGION: Step.REGION}.get(step, step)
    turn.update_profile(skipped=tuple(dict.fromkeys([*turn.conv.profile.skipped, str(step)])))


PLACE_CUTOFF = 85  # "rimousky" vs "rimouski" scores 87.5
PLACE_MIN_LENGTH = 5


def place_choice(turn: Turn, text: str) -> str | None:
    """The region of a town typed in answer to the region question: 'Rimouski', 'rimousky' -> '01'."""
    name = place_named(turn, text)
    return None if name is None else turn.catalog.place_region(name)


def place_named(turn: Turn, text: str) -> str | None:
    """The gazetteer's place name (or alias) that `text` is, typos tolerated: 'rimousky' -> 'rimouski'."""
    folded = fold(text)
    if turn.catalog.place_region(folded) or len(folded) < PLACE_MIN_LENGTH:
        return folded if turn.catalog.place_region(folded) else None
    found = process.extractOne(
        folded, turn.catalog.place_names.keys(), scorer=fuzz.ratio, processor=None, score_cutoff=PLACE_CUTOFF
    )
    return str(found[0]) if found else None


def label_choice(turn: Turn, step: Step, text: str) -> str | None:
    """The code whose label the user typed (typos tolerated), for the step being asked; None if unclear."""
    dimension = DIMENSION[step]
    if dimension == "regions" and (region := place_choice(turn, text)):
        return region
    options = [
        (turn.catalog.label(dimension, t.code, turn.lang), t.code) for t in turn.catalog.terms(dimension)
    ]
    options += [(code, code) for _label, code in list(options)]
    found = process.extractOne(
        fold(text),
        [fold(label) for label, _code in options],
        scorer=fuzz.WRatio,
        processor=None,
        score_cutoff=LABEL_CUTOFF,
    )
    return options[found[2]][1] if found else None


def answered_line(turn: Turn, step: Step, code: str | None) -> Rich:
    """What replaces a question once answered: 'Stage: Startup'."""
    _ = turn._
    if step in MULTI or step is Step.SECTOR:
        field = "needs" if step is Step.NEEDS else "sectors"
        labels = [turn.catalog.label(field, c, turn.lang) for c in getattr(turn.conv.profile, field)]
        value = ", ".join(labels) if labels else _("skipped")
    else:
        value = turn.catalog.label(DIMENSION[step], code, turn.lang) if code else _("skipped")
    return fmt(_("{name}: {value}"), name=bold(step_name(turn, step)), value=value)


def step_name(turn: Turn, step: Step) -> str:
    """What an answer is called: 'Étape', 'Secteur', 'Région', 'Besoins'."""
    _ = turn._
    names = {
        Step.STAGE: _("Stage"),
        Step.SECTOR: _("Sector"),
        Step.REGION: _("Region"),
        Step.NEEDS: _("Needs"),
    }
    return names[{Step.HUB_REGION: Step.REGION, Step.SECTORS: Step.SECTOR}.get(step, step)]


def profile_summary(turn: Turn) -> Rich:
    """The four answers, one per line, for /profile and the handoff."""
    _ = turn._
    p = turn.conv.profile
    catalog = turn.catalog

    def show(dimension: str, code: str | None) -> str:
        return catalog.label(dimension, code, turn.lang) if code else _("not given")

    needs = ", ".join(catalog.label("needs", n, turn.lang) for n in p.needs) or _("not given")
    values = {
        Step.STAGE: show("stages", p.stage),
        Step.SECTOR: ", ".join(show("sectors", s) for s in p.sectors) or _("not given"),
        Step.REGION: show("regions", p.region),
    }
    return lines(
        *(
            fmt(_("{name}: {value}"), name=bold(step_name(turn, step)), value=value)
            for step, value in values.items()
        ),
        fmt(_("{name}: {value}"), name=bold(step_name(turn, Step.NEEDS)), value=needs),
        *about_lines(turn),
    )


def about_lines(turn: Turn) -> tuple[Rich, ...]:
    """The eligibility answers the person gave (age, groups, legal form, size), one line each."""
    from bot.core import eligibility

    return tuple(
        eligibility.answered_line(turn, step)
        for step in eligibility.CRITERIA
        if eligibility.describe(turn, step) or (step == "groups" and turn.conv.profile.groups == ())
    )


def profile_keyboard(turn: Turn) -> Keyboard:
    _ = turn._

    def change(label: str, target: ProfileTarget) -> Button:
        return button(label, OpenProfile(target))

    return (
        (change(_("Change stage"), ProfileTarget.STAGE), change(_("Change sector"), ProfileTarget.SECTOR)),
        (change(_("Change region"), ProfileTarget.REGION), change(_("Change needs"), ProfileTarget.NEEDS)),
        (
            change(_("Change age, status, size"), ProfileTarget.ABOUT),
            change(_("See my results"), ProfileTarget.RESULTS),
        ),
    )


def store_answer(turn: Turn, step: Step, code: str | None) -> None:
    """Record a single-choice answer; None (skipped) keeps what was there. A new region resets the hub."""
    if code is None:
        skip(turn, step)
        return
    if step is Step.STAGE:
        turn.update_profile(stage=code)
    elif step is Step.SECTOR:
        turn.update_profile(sectors=(code,))
    else:
        set_region(turn, code)


def set_region(turn: Turn, region: str, town: str | None = None) -> None:
    """A region answered (with the town named, if any: entries serving part of a region are matched on it);
    its hub becomes the person's hub. A new region without a town forgets the old town."""
    turn.update_profile(region=region, town=town)
    hub = turn.catalog.hub_for_region(region)
    turn.update(hub_id=hub.id if hub else None)


def toggle_need(turn: Turn, code: str) -> None:
    needs = list(turn.conv.profile.needs)
    if code in needs:
        needs.remove(code)
    else:
        needs.append(code)
    turn.update_profile(needs=tuple(needs))


def toggle_sector(turn: Turn, code: str) -> None:
    """Tick or untick a sector; a fourth one replaces the oldest."""
    sectors = [s for s in turn.conv.profile.sectors if s != code]
    if len(sectors) == len(turn.conv.profile.sectors):
        sectors = [*sectors, code][-MAX_SECTORS:]
    turn.update_profile(sectors=tuple(sectors))


def answers_line(catalog: Catalog, profile: Profile, lang: str) -> str:
    """'Startup · Technology · Bas-Saint-Laurent · Financing, Export': the answers in one line (what a
    subscription is for, what a partner is told)."""
    parts = [catalog.label("stages", profile.stage, lang)] if profile.stage else []
    parts += [catalog.label("sectors", s, lang) for s in profile.sectors]
    if profile.region:
        parts.append(catalog.label("regions", profile.region, lang))
    if profile.needs:
        parts.append(", ".join(catalog.label("needs", n, lang) for n in profile.needs))
    return " · ".join(parts)
