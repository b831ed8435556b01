"""The catalog as Open Referral HSDS 3.0 (Human Services Data Specification), for directories such as 211s.

HSDS 3.0 serialises the same objects two ways, and the export writes the one each destination expects:

- **a folder, or a .zip, of tables** (`aiguilleur catalog export --format hsds DIR` or `--out FILE.zip`): one
  JSON file per HSDS table, named as in the HSDS data package (`organizations.json`, `services.json`,
  `service_at_location.json`, ...), each an array of flat records linked by ids (`organization_id`,
  `service_id`, `link_id`). This is HSDS's tabular form: what a directory loads table by table into its
  database, what ETL tools and the data package exchange, and what a publisher hands over as files. JSON
  rather than CSV, so each record validates as is against its object's official schema (numbers stay
  numbers, texts keep every character).
- **one JSON document** (`--out FILE.json`): a page of fully nested services, exactly what the HSDS API
  serves for `GET /services?full=true` (each service as `/services/{id}` returns it, validated by
  `service_with_definitions.json`). A consumer reading one document expects this form.

What goes where:

- each hub is an organization and a service (its advisors, reached through the bot): service areas for its
  regions, weekly schedules for its office hours, a physical location named after its city, the network's
  languages; each entry is a service of the organization named in its `organization` field;
- our codes are HSDS taxonomies (one per list of taxonomy.yaml, `uri` urn:aiguilleur:taxonomy:<list>) and
  taxonomy terms (`code` is our code); attributes link them: `link_type` eligibility (stages, sectors,
  groups, legal forms, sizes), category (needs) and area (regions, on the service areas);
- what HSDS has no field for rides in attributes with a `value`, from the taxonomy
  urn:aiguilleur:taxonomy:record: the entry's or hub's id, its kind (service, opportunity, hub), a hub's
  time zone, and the titles and summaries in the languages other than the default one (HSDS texts have one
  language: `name` and `description` hold the default language's);
- an opportunity's window is a schedule (`valid_from` opens_on, `valid_to` the deadline); `assured_date` is
  verified_on; `minimum_age` and `maximum_age` the age band.

Not exported, never: a hub's Telegram group and its reminder delays (internal to the bot), network.yaml and
places.yaml. Ids are UUIDs derived from the network and our ids (uuid5), so two exports are identical.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from itertools import pairwise
from typing import Any

from babel import Locale

from bot.catalog.hours import DAYS, parse_days, parse_spans
from bot.catalog.model import DIMENSIONS, ELIGIBILITY, Catalog, Entry
from bot.catalog.schema import Hub, Opportunity

NAMESPACE = uuid.UUID("c26da101-fce2-46c2-9a51-6f610509d084")
"""Root of every exported id: never change it, or ids change and consumers see new records."""
TABLES = {
    "organizations": "organization",
    "services": "service",
    "locations": "location",
    "service_at_location": "service_at_location",
    "service_areas": "service_area",
    "phones": "phone",
    "contacts": "contact",
    "schedules": "schedule",
    "languages": "language",
    "taxonomies": "taxonomy",
    "taxonomy_terms": "taxonomy_term",
    "attributes": "attribute",
}
"""The tables written, named as the HSDS data package names them (without .csv), and their object."""
URI = "urn:aiguilleur:taxonomy:"
RECORD = "record"
LINK_TYPES = dict.fromkeys(("stages", "sectors", *ELIGIBILITY), "eligibility") | {
    "needs": "category",
    "regions": "area",
    RECORD: "aiguilleur",
}
LIST_NAMES = {
    "stages": "business stages",
    "sectors": "business sectors",
    "needs": "needs",
    "regions": "regions",
    "groups": "target groups",
    "legal_forms": "legal forms",
    "sizes": "company sizes",
    RECORD: "fields HSDS has no place for",
}
ICAL_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
Record = dict[str, Any]
Tables = dict[str, list[Record]]


def stable_id(network: str, *parts: str) -> str:
    """The UUID of a record: `stable_id("quebec", "entry", "bdc-financement")`, the same in every export."""
    return str(uuid.uuid5(NAMESPACE, "/".join((network, *parts))))


def export_tables(catalog: Catalog) -> Tables:
    """Every HSDS table of the catalog, records in catalog order."""
    builder = _Builder(catalog)
    for hub in catalog.hubs:
        builder.hub(hub)
    for entry in catalog.entries:
        builder.entry(entry)
    return builder.tables


class _Builder:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.network = catalog.network.id
        self.lang = catalog.default_language
        self.tables: Tables = {name: [] for name in TABLES}
        self.organizations: set[str] = set()
        for dim in (*DIMENSIONS, *ELIGIBILITY, RECORD):
            self._taxonomy(dim)

    def id(self, *parts: str) -> str:
        return stable_id(self.network, *parts)

    def _taxonomy(self, dim: str) -> None:
        network_name = self.catalog.text(self.catalog.network.name, self.lang)
        self.tables["taxonomies"].append(
            {
                "id": self.id("taxonomy", dim),
                "name": f"{network_name}: {LIST_NAMES[dim]}",
                "description": f"The {LIST_NAMES[dim]} of the Aiguilleur catalog '{self.network}'.",
                "uri": URI + dim,
                "version": "1",
            }
        )
        if dim == RECORD:
            terms = [
                ("id", "Identifier", ""),
                ("kind", "Kind", ""),
                ("timezone", "Time zone", ""),
                ("place", "Place served", ""),
            ]
            for lang in self.catalog.languages:  # a translation's term has the language of its values
                if lang != self.lang:
                    terms += [
                        (f"title-{lang}", f"Title ({lang})", lang),
                        (f"summary-{lang}", f"Summary ({lang})", lang),
                    ]
            for code, name, lang in terms:
                self._term(dim, code, name, f"{name} in Aiguilleur's catalog", lang)
            return
        for term in self.catalog.terms(dim):
            labels = "; ".join(f"{lang}: {text}" for lang, text in term.label.items())
            self._term(dim, term.code, self.catalog.text(term.label, self.lang), labels, self.lang)

    def _term(self, dim: str, code: str, name: str, description: str, lang: str) -> None:
        term = {
            "id": self.id("term", dim, code),
            "code": code,
            "name": name,
            "description": description,
            "taxonomy": URI + dim,
            "taxonomy_id": self.id("taxonomy", dim),
        }
        self.tables["taxonomy_terms"].append(term | ({"language": lang} if lang else {}))

    def _attribute(
        self, link: str, entity: str, dim: str, code: str, value: str | None = None, key: str = ""
    ) -> None:
        row = {
            "id": self.id("attribute", link, dim, code, *([key] if key else [])),
            "link_id": link,
            "link_entity": entity,
            "link_type": LINK_TYPES[dim],
            "taxonomy_term_id": self.id("term", dim, code),
        }
        self.tables["attributes"].append(row | ({"value": value} if value is not None else {}))

    def _organization(self, key: str, name: str, description: str, **contact: str | None) -> str:
        org_id = self.id("organization", key)
        if org_id not in self.organizations:
            self.organizations.add(org_id)
            row = {"id": org_id, "name": name, "description": description}
            self.tables["organizations"].append(row | {k: v for k, v in contact.items() if v})
        return org_id

    def _service(self, service_id: str, kind: str, our_id: str, texts: dict[str, dict[str, str]]) -> None:
        """What hubs and entries share: their id and kind, their texts in the other languages."""
        self._attribute(service_id, "service", RECORD, "id", our_id)
        self._attribute(service_id, "service", RECORD, "kind", kind)
        for field, localized in texts.items():
            for lang, text in localized.items():
                if lang != self.lang:
                    self._attribute(service_id, "service", RECORD, f"{field}-{lang}", text)

    def _areas(self, service_id: str, regions: list[str]) -> None:
        for code in regions:
            area_id = self.id("area", service_id, code)
            name = self.catalog.label("regions", code, self.lang)
            self.tables["service_areas"].append({"id": area_id, "service_id": service_id, "name": name})
            self._attribute(area_id, "service_area", "regions", code)

    def _phone(self, service_id: str, number: str | None) -> None:
        if number:
            phone = {"id": self.id("phone", service_id), "service_id": service_id, "number": number}
            self.tables["phones"].append(phone | {"type": "voice"})

    def hub(self, hub: Hub) -> None:
        name = self.catalog.text(hub.name, self.lang)
        regions = ", ".join(self.catalog.label("regions", code, self.lang) for code in hub.regions)
        about = f"Innovation hub of the network '{self.network}', serving: {regions}."
        contact = hub.contact
        org_id = self._organization(f"hub/{hub.id}", name, about, website=contact.url, email=contact.email)
        service_id = self.id("hub", hub.id)
        service = {"id": service_id, "organization_id": org_id, "name": name, "status": "active"}
        service["description"] = (
            f"Advisors of {name} answer entrepreneurs of {regions}, who reach them through the Aiguilleur bot."
        )
        self.tables["services"].append(service | _some(url=contact.url, email=contact.email))
        self._service(service_id, "hub", hub.id, {"title": hub.name})
        if hub.timezone:
            self._attribute(service_id, "service", RECORD, "timezone", hub.timezone)
        self._areas(service_id, hub.regions)
        self._phone(service_id, contact.phone)
        if hub.city:
            location_id = self.id("location", hub.id)
            location = {"id": location_id, "location_type": "physical", "organization_id": org_id}
            self.tables["locations"].append(location | {"name": hub.city})
            link = {"id": self.id("service_at_location", hub.id), "service_id": service_id}
            self.tables["service_at_location"].append(link | {"location_id": location_id})
        zone = hub.timezone or self.catalog.network.timezone
        for index, (days, opens, closes) in enumerate(
            _weekly(hub.office_hours or self.catalog.handoff_policy.office_hours)
        ):
            self.tables["schedules"].append(
                {
                    "id": self.id("schedule", hub.id, str(index)),
                    "service_id": service_id,
                    "freq": "WEEKLY",
                    "wkst": "MO",
                    "byday": ",".join(ICAL_DAYS[day] for day in days),
                    "opens_at": opens,
                    "closes_at": closes,
                    "description": "Office hours of the hub's advisors",
                    "notes": f"Local time ({zone})",
                }
            )
        for lang in self.catalog.languages:
            name_en = Locale.parse(lang).get_display_name("en") or lang
            language = {"id": self.id("language", hub.id, lang), "service_id": service_id, "code": lang}
            self.tables["languages"].append(language | {"name": name_en, "note": "The bot talks in it"})

    def entry(self, entry: Entry) -> None:
        about = f"Offers services or opportunities listed in the Aiguilleur catalog '{self.network}'."
        org_id = self._organization(f"name/{entry.organization}", entry.organization, about)
        service_id = self.id("entry", entry.id)
        service: Record = {
            "id": service_id,
            "organization_id": org_id,
            "name": self.catalog.text(entry.title, self.lang),
            "description": self.catalog.text(entry.summary, self.lang),
            "status": "active",
        }
        service |= _some(url=entry.contact.url, email=entry.contact.email)
        if entry.age and entry.age.min is not None:
            service["minimum_age"] = entry.age.min
        if entry.age and entry.age.max is not None:
            service["maximum_age"] = entry.age.max
        if eligibility := self._eligibility(entry):
            service["eligibility_description"] = eligibility
        if entry.verified_on:
            service["assured_date"] = entry.verified_on.isoformat()
        if isinstance(entry, Opportunity):
            service["application_process"] = _window_text(entry.opens_on, entry.deadline)
        self.tables["services"].append(service)
        self._service(service_id, entry.kind, entry.id, {"title": entry.title, "summary": entry.summary})
        for dim in ("stages", "sectors", "needs", *ELIGIBILITY):
            for code in getattr(entry, dim):
                self._attribute(service_id, "service", dim, code)
        self._areas(service_id, entry.regions)
        for place in entry.places:  # the part of its regions it serves: a town or area of places.yaml
            self._attribute(service_id, "service", RECORD, "place", place, key=place)
        self._phone(service_id, entry.contact.phone)
        if isinstance(entry, Opportunity):
            window = {"id": self.id("schedule", entry.id), "service_id": service_id}
            if entry.opens_on:
                window["valid_from"] = entry.opens_on.isoformat()
            window |= {"valid_to": entry.deadline.isoformat(), "description": "Application period"}
            self.tables["schedules"].append(window)

    def _eligibility(self, entry: Entry) -> str:
        """Who the entry is for, in words, for people reading the directory (the codes are attributes)."""
        parts = [
            f"{LIST_NAMES[dim].capitalize()}: "
            + ", ".join(self.catalog.label(dim, c, self.lang) for c in codes)
            for dim in ("stages", "sectors", *ELIGIBILITY)
            if (codes := getattr(entry, dim))
        ]
        if entry.age:
            parts.append(
                f"Ages: {entry.age.min or 0} to {entry.age.max if entry.age.max is not None else 'any'}"
            )
        return ". ".join(parts) + ("." if parts else "")


def _some(**values: str | None) -> Record:
    return {key: value for key, value in values.items() if value}


def _window_text(opens_on: dt.date | None, deadline: dt.date) -> str:
    start = f"from {opens_on.isoformat()} " if opens_on else ""
    return f"Apply {start}until {deadline.isoformat()} (the deadline)."


def _weekly(hours: dict[str, str]) -> Iterator[tuple[tuple[int, ...], str, str]]:
    """Each day group and span of office hours: ((0, 1, 2, 3, 4), "09:00", "12:00")."""
    for key, text in hours.items():
        days = parse_days(key)
        for opens, closes in parse_spans(text):
            yield days, _clock(opens), _clock(closes)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def day_key(days: list[int]) -> str:
    """(6, 0, 1, 2, 3) -> 'sun-thu'; (1, 3) -> 'tue, thu': the office-hours key of a group of days."""
    if len(days) > 1 and all((after - before) % 7 == 1 for before, after in pairwise(days)):
        return f"{DAYS[days[0]]}-{DAYS[days[-1]]}"
    return ", ".join(DAYS[day] for day in days)
