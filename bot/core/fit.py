"""What makes an entry right for a person, written plainly: the hard filters, the fit points and the reasons
an entry fits (docs/matching.md). `bot/core/matching.py` packs the same rules into integers for speed, and a
test checks that the two agree."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from bot.catalog.model import Catalog, Entry
from bot.core.types import Profile
from bot.normalize import fold

ADULT_AGE = 18  # an age band open to every adult ("18 and over") is a condition, not a specialty
SELECTIVE_CODES = 2  # one or two legal forms (or sizes) make a specialist; more only exclude a few
# Fit points, chosen on tests/relevance/judgments.yaml (tests/relevance/heldout.yaml is the blind check).
# Every specialty is worth the same, being local a little less (a region's generalist office is less of a
# specialist than a program for the person's need, sector or group); an unanswered selective criterion
# cancels one specialty; an opportunity costs a point against a service with the same merits.
WEIGHTS = {
    "extra_need": 3,  # each stated need covered beyond the first
    "main_need": 3,  # the entry's main purpose (its first need) is a stated need
    "group": 3,  # a target group, or a selective age band, the person is in
    "legal_form": 3,  # one or two legal forms (at most half of them), theirs among them
    "size": 3,  # likewise for company sizes
    "sector": 3,  # at most half of the sectors, theirs among them
    "local": 2,  # at most a third of the network's regions (or one region), theirs among them
    "town": 2,  # besides local: it serves part of its region (`places`), the person's town among it
    "unknown": -3,  # per selective criterion (or sector restriction) the profile has not answered
    "opportunity": -1,  # a call with a deadline, against an entry open any day
}


@dataclass(frozen=True)
class Reason:
    """Why an entry fits: a dimension and a code ('region', '01'); code None means 'open to all'.

    `sure` is False for a condition the profile has not answered yet ('age', '18-39': "if you are 18 to 39").
    """

    dimension: str
    code: str | None
    sure: bool = True


@dataclass(frozen=True)
class Match:
    """One entry that fits the profile, with a display score, the needs it covers and its reasons."""

    entry: Entry
    score: float
    reasons: tuple[Reason, ...]
    covers: tuple[str, ...] = ()


def first_need(entry: Entry, profile: Profile) -> bool:
    """The entry's main purpose (the first of its `needs`) is the need the person named first: what they
    came for. Between entries of equal fit points, such an entry comes first."""
    return bool(profile.needs) and bool(entry.needs) and entry.needs[0] == profile.needs[0]


def selective_age(entry: Entry) -> bool:
    """A youth or senior band ("18 to 39", "50 and over"), not one open to every adult ("18 and over")."""
    age = entry.age
    return age is not None and (age.max is not None or (age.min or 0) > ADULT_AGE)


def is_local(entry: Entry, regions: int) -> bool:
    """An entry of one region, or of at most a third of the network's regions (not a network of offices)."""
    return bool(entry.regions) and (len(entry.regions) == 1 or 3 * len(entry.regions) <= regions)


def serves_town(entry: Entry, profile: Profile) -> bool | None:
    """For an entry serving part of its regions (its `places`: towns or areas of places.yaml), whether the
    person's town is among them; None when the entry serves its regions whole or the town is unknown."""
    if not entry.places or not profile.town:
        return None
    return fold(profile.town) in {fold(place) for place in entry.places}


def narrow(codes: Iterable[str], of: int) -> bool:
    """At most half of a dimension's codes: a restriction that makes a specialist."""
    count = len(set(codes))
    return count > 0 and 2 * count <= of


def selective(entry: Entry) -> tuple[str, ...]:
    """The entry's criteria that narrow its audience enough to make it a specialist: any target group, a
    youth or senior age band, one or two legal forms or sizes. The others ("18 and over"; any business
    form but an association) only exclude those they exclude."""
    found = []
    if selective_age(entry):
        found.append("age")
    if entry.groups:
        found.append("groups")
    if 0 < len(set(entry.legal_forms)) <= SELECTIVE_CODES:
        found.append("legal_form")
    if 0 < len(set(entry.sizes)) <= SELECTIVE_CODES:
        found.append("size")
    return tuple(found)


def eligible(entry: Entry, profile: Profile, today: dt.date) -> bool:
    """The hard filters, written plainly (the index must agree with this). An unknown region only admits
    network-wide entries; an unanswered stage, sector or criterion admits all; a known town excludes the
    entries serving another part of its region."""
    if entry.regions and profile.region not in entry.regions:
        return False
    if serves_town(entry, profile) is False:  # another part of the region: another office serves them
        return False
    if entry.stages and profile.stage and profile.stage not in entry.stages:
        return False
    if entry.sectors and profile.sectors and not set(profile.sectors) & set(entry.sectors):
        return False
    if entry.groups and profile.groups is not None and not set(profile.groups) & set(entry.groups):
        return False
    if entry.age and profile.age is not None and not entry.age.admits(profile.age):
        return False
    if entry.legal_forms and profile.legal_form and profile.legal_form not in entry.legal_forms:
        return False
    if entry.sizes and profile.size and profile.size not in entry.sizes:
        return False
    return entry.kind != "opportunity" or entry.deadline >= today


def fit_points(catalog: Catalog, entry: Entry, profile: Profile) -> tuple[bool, int]:
    """The ranking written plainly (the index must agree with this): whether an eligible entry covers a
    stated need, and its fit points (`WEIGHTS`)."""
    terms = {dim: len(catalog.terms(dim)) for dim in ("regions", "sectors")}
    covered = [n for n in profile.needs if n in entry.needs]
    points = WEIGHTS["extra_need"] * max(len(covered) - 1, 0)
    if covered and entry.needs[0] in profile.needs:
        points += WEIGHTS["main_need"]
    town = serves_town(entry, profile)
    if is_local(entry, terms["regions"]) and (not entry.places or town):
        points += WEIGHTS["local"]  # serving part of a region is local only for a town it serves
    if town:
        points += WEIGHTS["town"]
    if entry.kind == "opportunity":
        points += WEIGHTS["opportunity"]
    if entry.sectors:
        if not profile.sectors:
            points += WEIGHTS["unknown"]
        elif narrow(entry.sectors, terms["sectors"]):
            points += WEIGHTS["sector"]
    answered = {
        "groups": profile.groups is not None,
        "age": profile.age is not None,
        "legal_form": profile.legal_form is not None,
        "size": profile.size is not None,
    }
    weight = {"groups": "group", "age": "group", "legal_form": "legal_form", "size": "size"}
    for criterion in selective(entry):
        points += WEIGHTS[weight[criterion]] if answered[criterion] else WEIGHTS["unknown"]
    return bool(covered), points


def open_criteria(entry: Entry, profile: Profile) -> tuple[str, ...]:
    """The entry's selective conditions the profile has not answered yet: 'age', 'groups', 'legal_form',
    'size' (the ones worth a question: a broad one such as "18 and over" changes nothing for most people,
    and excludes the others once they say so)."""
    answered = {
        "age": profile.age is not None,
        "groups": profile.groups is not None,
        "legal_form": profile.legal_form is not None,
        "size": profile.size is not None,
    }
    return tuple(c for c in selective(entry) if not answered[c])


def explain(entry: Entry, profile: Profile, today: dt.date) -> Match:
    """An eligible entry with its score and the reasons it fits, needs first."""
    covered = tuple(need for need in profile.needs if need in entry.needs)
    reasons = [Reason("need", need) for need in covered]
    if entry.stages and profile.stage:
        reasons.append(Reason("stage", profile.stage))
    reasons.extend(Reason("sector", s) for s in profile.sectors if s in entry.sectors)
    reasons.extend(_criteria_reasons(entry, profile))
    reasons.append(Reason("region", profile.region if entry.regions else None))
    deadline = entry.deadline if entry.kind == "opportunity" else None
    proximity = 1 / (2 + (deadline - today).days) if deadline else 0.0
    sure = not open_criteria(entry, profile)
    specificity = (2 * len(covered) / len(entry.needs) if covered else 0) + (1 if entry.regions else 0)
    score = 100 * len(covered) + 10 * specificity + (5 if sure else 0) + proximity
    return Match(entry, round(score, 4), tuple(reasons), covered)


def _criteria_reasons(entry: Entry, profile: Profile) -> list[Reason]:
    """'for women', 'ages 18-39' when the profile says so; 'if you are 18 to 39' while it does not."""
    reasons = []
    if entry.age:
        band = f"{'' if entry.age.min is None else entry.age.min}-{'' if entry.age.max is None else entry.age.max}"
        reasons.append(Reason("age", band, profile.age is not None))
    if entry.groups:
        mine = [g for g in entry.groups if profile.groups and g in profile.groups]
        reasons.extend(Reason("group", g) for g in mine)
        if not mine:
            reasons.append(Reason("group", ",".join(entry.groups), False))
    if entry.legal_forms:
        sure = profile.legal_form is not None
        reasons.append(
            Reason("legal_form", profile.legal_form if sure else ",".join(entry.legal_forms), sure)
        )
    if entry.sizes:
        sure = profile.size is not None
        reasons.append(Reason("size", profile.size if sure else ",".join(entry.sizes), sure))
    return reasons
