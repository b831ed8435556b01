"""The loaded catalog: immutable records plus the look-ups the dialogue and matching need.

A `Catalog` is built whole by the loader or not at all, so code holding one never sees half an edit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.catalog.schema import (
    HandoffPolicy,
    Hub,
    NetworkFile,
    Opportunity,
    Place,
    Service,
    TaxonomyFile,
    Term,
)
from bot.normalize import fold

Entry = Service | Opportunity
DIMENSIONS = ("stages", "sectors", "needs", "regions")
ELIGIBILITY = ("groups", "legal_forms", "sizes")
"""Taxonomy lists that restrict who an entry is for; a network may leave them empty."""


@dataclass(frozen=True)
class Catalog:
    """A hub network's data, indexed for the hot path."""

    directory: Path
    network: NetworkFile
    taxonomy: TaxonomyFile
    hubs: tuple[Hub, ...]
    entries: tuple[Entry, ...]
    places: tuple[Place, ...] = ()
    _terms: dict[str, dict[str, Term]] = field(init=False, repr=False, compare=False)
    _hub_by_id: dict[str, Hub] = field(init=False, repr=False, compare=False)
    _hub_by_region: dict[str, Hub] = field(init=False, repr=False, compare=False)
    _entry_by_id: dict[str, Entry] = field(init=False, repr=False, compare=False)
    _place_region: dict[str, str] = field(init=False, repr=False, compare=False)
    _town: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        terms = {dim: {t.code: t for t in getattr(self.taxonomy, dim)} for dim in (*DIMENSIONS, *ELIGIBILITY)}
        object.__setattr__(self, "_terms", terms)
        object.__setattr__(self, "_hub_by_id", {h.id: h for h in self.hubs})
        by_region = {region: hub for hub in self.hubs for region in hub.regions}
        object.__setattr__(self, "_hub_by_region", by_region)
        object.__setattr__(self, "_entry_by_id", {e.id: e for e in self.entries})
        gazetteer = {fold(name): p.region for p in reversed(self.places) for name in (p.name, *p.aliases)}
        object.__setattr__(self, "_place_region", gazetteer)
        regions = {fold(label) for term in self.taxonomy.regions for label in term.label.values()}
        towns = {
            fold(name): p.name
            for p in reversed(self.places)
            if fold(p.name) not in regions
            for name in (p.name, *p.aliases)
        }
        object.__setattr__(self, "_town", towns)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.network.languages)

    @property
    def default_language(self) -> str:
        return self.network.default_language

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.network.timezone)

    @property
    def handoff_policy(self) -> HandoffPolicy:
        """The network's `handoff:` block, with its defaults when `network.yaml` has none."""
        return self.network.handoff

    def hub_timezone(self, hub: Hub) -> ZoneInfo:
        """The hub's own zone (the Islands keep Atlantic time), else the network's."""
        return ZoneInfo(hub.timezone) if hub.timezone else self.timezone

    def reminder_after(self, hub: Hub) -> dt.timedelta:
        """How long an unclaimed request waits before it is announced again in the hub chat."""
        minutes = hub.reminder_after_minutes
        return dt.timedelta(minutes=minutes or self.handoff_policy.reminder_after_minutes)

    def escalate_after(self, hub: Hub) -> dt.timedelta:
        """How long an unclaimed request waits before it goes to the coordination chat."""
        minutes = hub.escalate_after_minutes
        return dt.timedelta(minutes=minutes or self.handoff_policy.escalate_after_minutes)

    def unanswered_after(self, hub: Hub) -> dt.timedelta:
        """How long a request claimed but not answered waits before it is flagged in the hub chat."""
        minutes = hub.unanswered_after_minutes
        return dt.timedelta(minutes=minutes or self.handoff_policy.unanswered_after_minutes)

    def today(self) -> dt.date:
        """Today in the network's time zone: deadlines are local dates."""
        return dt.datetime.now(self.timezone).date()

    def locale(self, lang: str) -> str:
        """The babel locale used to format dates for `lang` in this network (fr -> fr_CA)."""
        return self.network.locales.get(lang, lang)

    def terms(self, dimension: str) -> tuple[Term, ...]:
        return tuple(self._terms[dimension].values())

    def has_code(self, dimension: str, code: str) -> bool:
        return code in self._terms[dimension]

    def label(self, dimension: str, code: str, lang: str) -> str:
        """The label of a code in `lang`, falling back to the default language, then to the code."""
        term = self._terms[dimension].get(code)
        return self.text(term.label, lang) if term else code

    def text(self, localized: dict[str, str], lang: str) -> str:
        """A catalog text in `lang`, else in the network's default language, else any."""
        return (
            localized.get(lang) or localized.get(self.default_language) or next(iter(localized.values()), "")
        )

    def hub(self, hub_id: str) -> Hub | None:
        return self._hub_by_id.get(hub_id)

    def hub_for_region(self, region: str | None) -> Hub | None:
        return self._hub_by_region.get(region) if region else None

    def entry(self, entry_id: str) -> Entry | None:
        return self._entry_by_id.get(entry_id)

    def place_region(self, name: str) -> str | None:
        """The region of a place name of the gazetteer, whatever its case and accents."""
        return self._place_region.get(fold(name))

    def town(self, name: str) -> str | None:
        """The official name of the town (or area) a place name or alias of the gazetteer names; None for a
        region's own name ("Gaspésie") or a name it does not know. Entries' `places` use these names."""
        return self._town.get(fold(name))

    @property
    def place_names(self) -> dict[str, str]:
        """Every folded place name and alias -> its region, for fuzzy look-ups."""
        return self._place_region
