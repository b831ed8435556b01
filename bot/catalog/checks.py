"""Pass 2 of catalog validation: what the files say about each other, and the warnings.

Errors make the catalog unusable (an unknown code, a duplicate id, a region no hub serves, a required text
missing). Warnings do not stop it (a past deadline, an entry never or long ago verified, an optional
translation missing); `catalog check --strict` treats them as errors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

from bot.catalog.model import DIMENSIONS, ELIGIBILITY
from bot.catalog.schema import Entry, HubsFile, NetworkFile, PlacesFile, TaxonomyFile
from bot.catalog.yamlfile import Problem, YamlDoc
from bot.normalize import fold

Loc = tuple[str | int, ...]
STALE_AFTER = dt.timedelta(days=365)


def _error(doc: YamlDoc, loc: Loc, message: str) -> Problem:
    return Problem(doc.path, lambda: doc.line_of(loc), message)


def _warning(doc: YamlDoc, loc: Loc, message: str) -> Problem:
    return Problem(doc.path, lambda: doc.line_of(loc), f"warning: {message}", severity="warning")


def cross_checks(models: dict[str, Any], docs: dict[str, YamlDoc], today: dt.date) -> Iterator[Problem]:
    """Every pass-2 problem of a catalog whose files each passed pass 1."""
    network: NetworkFile = models["network.yaml"]
    taxonomy: TaxonomyFile = models["taxonomy.yaml"]
    codes = {dim: [t.code for t in getattr(taxonomy, dim)] for dim in (*DIMENSIONS, *ELIGIBILITY)}
    texts = TextRules(network)
    yield from texts.check(
        docs["network.yaml"], (), network, required=("name",), optional=("notice", "everywhere")
    )
    for dim in (*DIMENSIONS, *ELIGIBILITY):
        for index, term in enumerate(getattr(taxonomy, dim)):
            yield from texts.check(docs["taxonomy.yaml"], (dim, index), term, required=("label",))
    yield from _duplicate_codes(codes, docs["taxonomy.yaml"])
    yield from _hub_checks(models["hubs.yaml"], codes["regions"], docs["hubs.yaml"], texts)
    yield from _hub_delays(models["hubs.yaml"], network, docs["hubs.yaml"])
    yield from _canned_replies(models["hubs.yaml"], network, docs["hubs.yaml"])
    yield from _entry_checks(models, docs, codes, texts, today)
    if "places.yaml" in models:
        yield from _place_checks(models["places.yaml"], codes["regions"], docs["places.yaml"])


class TextRules:
    """Which languages a text must have: every declared one for names, the default one for the rest."""

    def __init__(self, network: NetworkFile) -> None:
        self.languages = network.languages
        self.default = network.default_language

    def check(
        self,
        doc: YamlDoc,
        loc: Loc,
        record: Any,
        *,
        required: tuple[str, ...] = (),
        optional: tuple[str, ...] = (),
    ) -> Iterator[Problem]:
        for field in required:
            for lang in self.languages:
                if lang not in getattr(record, field):
                    yield _error(doc, (*loc, field), f"{field}: the text in '{lang}' is missing")
        for field in optional:
            value = getattr(record, field)
            if not value:
                continue
            if self.default not in value:
                yield _error(
                    doc,
                    (*loc, field),
                    f"{field}: the text in '{self.default}' (the default language) is missing",
                )
            for lang in self.languages:
                if lang != self.default and lang not in value:
                    yield _warning(doc, (*loc, field), f"{field}: no '{lang}' translation (optional)")
        for field in (*required, *optional):
            for lang in getattr(record, field):
                if lang not in self.languages:
                    yield _error(
                        doc, (*loc, field, lang), f"{field}: '{lang}' is not one of the network's languages"
                    )


def _entry_checks(
    models: dict[str, Any],
    docs: dict[str, YamlDoc],
    codes: dict[str, list[str]],
    texts: TextRules,
    today: dt.date,
) -> Iterator[Problem]:
    first_use: dict[str, tuple[Path, Callable[[], int]]] = {}
    gazetteer = {
        fold(n): p.region
        for p in (models["places.yaml"].places if "places.yaml" in models else ())
        for n in (p.name, *p.aliases)
    }
    for name, key in (("services.yaml", "services"), ("opportunities.yaml", "opportunities")):
        doc = docs[name]
        for index, entry in enumerate(getattr(models[name], key)):
            loc = (key, index)
            for dim in (*DIMENSIONS, *ELIGIBILITY):
                for pos, code in enumerate(getattr(entry, dim)):
                    if code not in codes[dim]:
                        yield unknown_code(doc, (*loc, dim, pos), dim, code, codes[dim])
            if entry.id in first_use:
                where = first_use[entry.id]
                yield _error(doc, (*loc, "id"), f"id '{entry.id}' is already used at {where[0]}:{where[1]()}")
            first_use.setdefault(entry.id, (doc.path, partial(doc.line_of, (*loc, "id"))))
            yield from texts.check(doc, loc, entry, required=("title",), optional=("summary",))
            yield from _dates(doc, loc, entry, today)
            for pos, place in enumerate(entry.places):
                region = gazetteer.get(fold(place))
                if region is None:
                    yield _error(doc, (*loc, "places", pos), f"place '{place}' is not a name of places.yaml")
                elif region not in entry.regions:
                    yield _error(
                        doc,
                        (*loc, "places", pos),
                        f"place '{place}' is in region '{region}', not in its regions",
                    )


def _dates(doc: YamlDoc, loc: Loc, entry: Entry, today: dt.date) -> Iterator[Problem]:
    deadline = getattr(entry, "deadline", None)
    opens_on = getattr(entry, "opens_on", None)
    if deadline and opens_on and deadline < opens_on:
        yield _error(doc, (*loc, "deadline"), "deadline is before opens_on")
    if deadline and deadline < today:
        yield _warning(
            doc, (*loc, "deadline"), f"deadline {deadline} has passed: '{entry.id}' is no longer shown"
        )
    if entry.verified_on is None:
        yield _warning(
            doc, (*loc, "id"), f"'{entry.id}' was never verified: add verified_on: YYYY-MM-DD once checked"
        )
    elif today - entry.verified_on > STALE_AFTER:
        yield _warning(
            doc,
            (*loc, "verified_on"),
            f"'{entry.id}' was last verified on {entry.verified_on}, over 12 months ago",
        )


def _duplicate_codes(codes: dict[str, list[str]], doc: YamlDoc) -> Iterator[Problem]:
    for dim, values in codes.items():
        for index, code in enumerate(values):
            if code in values[:index]:
                yield _error(doc, (dim, index, "code"), f"{dim}: code '{code}' is listed twice")


def _hub_checks(hubs: HubsFile, regions: list[str], doc: YamlDoc, texts: TextRules) -> Iterator[Problem]:
    served: dict[str, str] = {}
    ids: set[str] = set()
    for index, hub in enumerate(hubs.hubs):
        if hub.id in ids:
            yield _error(doc, ("hubs", index, "id"), f"hub id '{hub.id}' is used twice")
        ids.add(hub.id)
        yield from texts.check(doc, ("hubs", index), hub, required=("name",))
        for pos, region in enumerate(hub.regions):
            loc = ("hubs", index, "regions", pos)
            if region not in regions:
                yield unknown_code(doc, loc, "regions", region, regions)
            elif region in served:
                yield _error(doc, loc, f"region '{region}' is already served by {served[region]}")
            served.setdefault(region, hub.id)
    for region in regions:
        if region not in served:
            yield _error(doc, ("hubs",), f"no hub serves region '{region}'")


def _hub_delays(hubs: HubsFile, network: NetworkFile, doc: YamlDoc) -> Iterator[Problem]:
    """A hub's own delays, mixed with the network's, must still remind before they escalate."""
    policy = network.handoff
    for index, hub in enumerate(hubs.hubs):
        reminder = hub.reminder_after_minutes or policy.reminder_after_minutes
        escalate = hub.escalate_after_minutes or policy.escalate_after_minutes
        if escalate > reminder:
            continue
        inherited = ", from network.yaml"
        shown_reminder = f"{reminder}{'' if hub.reminder_after_minutes else inherited}"
        shown_escalate = f"{escalate}{'' if hub.escalate_after_minutes else inherited}"
        own = "escalate_after_minutes" if hub.escalate_after_minutes else "reminder_after_minutes"
        yield _error(
            doc,
            ("hubs", index, own),
            f"hub '{hub.id}': escalate_after_minutes ({shown_escalate}) must be more than "
            f"reminder_after_minutes ({shown_reminder})",
        )


def _canned_replies(hubs: HubsFile, network: NetworkFile, doc: YamlDoc) -> Iterator[Problem]:
    """A canned reply's text in a language the network does not speak is an error; one missing in a
    language it speaks is a warning (advisors are told at once, and nothing is sent, when they use it)."""
    for index, hub in enumerate(hubs.hubs):
        for name, texts in hub.canned_replies.items():
            loc: Loc = ("hubs", index, "canned_replies", name)
            for lang in texts:
                if lang not in network.languages:
                    yield _error(
                        doc,
                        (*loc, lang),
                        f"canned reply '{name}': '{lang}' is not one of the network's languages",
                    )
            for lang in network.languages:
                if lang not in texts:
                    yield _warning(doc, loc, f"canned reply '{name}' of hub '{hub.id}' has no '{lang}' text")


def _place_checks(places: PlacesFile, regions: list[str], doc: YamlDoc) -> Iterator[Problem]:
    seen: dict[str, tuple[str, Callable[[], int]]] = {}
    for index, place in enumerate(places.places):
        if place.region not in regions:
            yield unknown_code(doc, ("places", index, "region"), "regions", place.region, regions)
        for pos, name in enumerate([place.name, *place.aliases]):
            loc: Loc = ("places", index, "name") if pos == 0 else ("places", index, "aliases", pos - 1)
            key = fold(name)
            if key in seen:
                region, line = seen[key][0], seen[key][1]()
                if region != place.region:
                    yield _error(doc, loc, f"'{name}' already means region '{region}' at line {line}")
                else:
                    yield _warning(doc, loc, f"'{name}' is listed twice (also at line {line})")
            seen.setdefault(key, (place.region, partial(doc.line_of, loc)))


NAMES = {"groups": "target group", "legal_forms": "legal form", "sizes": "company size"}


def unknown_code(doc: YamlDoc, loc: Loc, dim: str, code: str, known: list[str]) -> Problem:
    """'region '19' is not one of 01, 02, ...' at the line of the code."""
    name = NAMES.get(dim, dim.removesuffix("s"))
    if not known:
        return _error(doc, loc, f"{name} '{code}': taxonomy.yaml lists no {dim} (add them there first)")
    shown = ", ".join(known) if len(known) <= 20 else ", ".join(known[:20]) + ", ..."
    return _error(doc, loc, f"{name} '{code}' is not one of {shown}")
