"""`aiguilleur catalog import --format hsds`: HSDS 3.0 data (ours, or a 211-style directory) into a catalog
folder's services.yaml, opportunities.yaml and, when the data has hubs, hubs.yaml.

The folder keeps its network.yaml, taxonomy.yaml and places.yaml: codes are read from the attributes whose
taxonomy is ours (urn:aiguilleur:taxonomy:..., see `bot.catalog.hsds`) and must be codes of that taxonomy.
A service area without a region code is matched by name against the regions and the places of the folder.
A record of another kind (a service of a foreign directory) becomes a service; its id is made from its
name when it carries none of ours; a title missing in a language of the network is copied from the default
language, and said so. A hub keeps its Telegram group and delays from the folder's hubs.yaml (HSDS does not
carry them). Every record or field that could not be mapped is reported with its place; any missing
required field, wrong type or unknown code stops the import before anything is written.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from bot.catalog.hours import parse_week
from bot.catalog.hsds import ICAL_DAYS, RECORD, URI, day_key
from bot.catalog.hsds_read import Row, Source, read_source
from bot.catalog.model import DIMENSIONS, ELIGIBILITY
from bot.catalog.schema import (
    Hub,
    HubsFile,
    OpportunitiesFile,
    Opportunity,
    Service,
    ServicesFile,
)
from bot.catalog.writer import (
    Draft,
    Finding,
    Incoming,
    Target,
    Written,
    locator,
    read_target,
    validation_findings,
    write_catalog,
)
from bot.normalize import fold

LISTS = frozenset((*DIMENSIONS, *ELIGIBILITY, RECORD))
# Service fields the import reads, or that our own export writes for people to read (not carried back).
_READ = {"id", "organization_id", "name", "description", "status", "url", "email", "assured_date"}
_READ |= {"minimum_age", "maximum_age"}
_GENERATED = {"eligibility_description", "application_process"}
_HUB_INTERNALS = (
    "advisor_chat_id",
    "reminder_after_minutes",
    "escalate_after_minutes",
    "unanswered_after_minutes",
    "admins",
    "canned_replies",
)
_CLOCK = re.compile(r"^([0-2][0-9]:[0-5][0-9])(?::[0-5][0-9])?$")


@dataclass
class _Attr:
    dim: str
    code: str
    value: Any
    where: str


def import_hsds(source_path: Path, target: Path) -> Written:
    """Import, or raise `ImportFailed` (with the blocking findings first) having written nothing."""
    source = read_source(source_path)
    mapper = _Mapper(source, read_target(target, taxonomy=True))
    incoming = mapper.run()
    incoming.findings = source.findings + mapper.findings + mapper.unmapped()
    header = f"Written by `aiguilleur catalog import --format hsds` from {source_path.name}."
    return write_catalog(target, incoming, header=header)


class _Mapper:
    def __init__(self, source: Source, target: Target) -> None:
        network, taxonomy, places, hubs = target.network, target.taxonomy, target.places, target.hubs
        assert taxonomy is not None
        self.source = source
        self.network = network
        self.lang = network.default_language
        self.findings: list[Finding] = []
        self.dropped: Counter[str] = Counter()
        self.ids: set[str] = set()
        self.region_names = {fold(p.name): p.region for p in places.places} if places else {}
        self.region_names |= {fold(a): p.region for p in places.places for a in p.aliases} if places else {}
        for term in taxonomy.regions:
            self.region_names |= {fold(term.code): term.code} | {
                fold(text): term.code for text in term.label.values()
            }
        self.old_hubs = {hub.id: hub for hub in hubs.hubs} if hubs else {}
        self.models: dict[str, list[Any]] = {"services": [], "opportunities": [], "hubs": []}
        self.drafts: dict[str, list[Draft]] = {"services": [], "opportunities": [], "hubs": []}

    def run(self) -> Incoming:
        for row in self.source.tables.get("services", []):
            self._service(row)
        for lang, count in sorted(self.dropped.items()):
            self.findings.append(
                Finding(
                    self.source.name,
                    f"{count} texts in '{lang}' not kept: the network does not speak it",
                    False,
                )
            )
        files: dict[str, BaseModel] = {
            "services.yaml": ServicesFile(version=1, services=self.models["services"]),
            "opportunities.yaml": OpportunitiesFile(version=1, opportunities=self.models["opportunities"]),
        }
        if self.models["hubs"]:
            files["hubs.yaml"] = HubsFile(version=1, hubs=self.models["hubs"])
        locate = locator(self.drafts, lambda key: self.source.name)
        return Incoming(files, dict.fromkeys(files, locate))

    def unmapped(self) -> list[Finding]:
        """Every record nothing was taken from (the vocabulary, taxonomies and terms, aside)."""
        return [
            Finding(row.where, f"not mapped: the catalog has no place for this {row.table} record", False)
            for table, rows in self.source.tables.items()
            if table not in ("taxonomies", "taxonomy_terms")
            for row in rows
            if not row.used
        ]

    def _note(self, place: str, message: str) -> None:
        self.findings.append(Finding(place, message, blocking=False))

    def _error(self, place: str, message: str) -> None:
        self.findings.append(Finding(place, message))

    def _attributes(self, link: str) -> list[_Attr]:
        found = []
        for attr in self.source.linked("attributes", "link_id", link):
            term = self.source.by_id("taxonomy_terms", attr.data.get("taxonomy_term_id"))
            if term is None:
                self._error(attr.at("taxonomy_term_id"), "no taxonomy term has this id")
                continue
            dim = self._list_of(term)
            if dim is None:
                continue  # a classification of another directory: reported as not mapped
            code = term.data.get("code")
            if not isinstance(code, str):
                self._error(term.at("code"), "the term has no code: the catalog's codes are read from it")
                continue
            attr.used = True
            found.append(_Attr(dim, code, attr.data.get("value"), attr.where))
        return found

    def _children(self, service_id: str) -> list[Row]:
        tables = ("service_areas", "phones", "schedules", "languages", "contacts", "service_at_location")
        rows = [row for table in tables for row in self.source.linked(table, "service_id", service_id)]
        areas = [row for row in rows if row.table == "service_areas"]
        links = [service_id, *(str(area.data.get("id")) for area in areas)]
        return rows + [row for link in links for row in self.source.linked("attributes", "link_id", link)]

    def _list_of(self, term: Row) -> str | None:
        uri = term.data.get("taxonomy")
        if not (isinstance(uri, str) and uri.startswith(URI)):
            taxonomy = self.source.by_id("taxonomies", term.data.get("taxonomy_id"))
            uri = taxonomy.data.get("uri") if taxonomy else None
        name = uri.removeprefix(URI) if isinstance(uri, str) and uri.startswith(URI) else None
        return name if name in LISTS else None

    def _service(self, row: Row) -> None:
        data = row.data
        row.used = True
        status = data.get("status")
        if status in ("inactive", "defunct"):
            self._note(row.at("status"), f"not imported: the service is {status}")
            for child in self._children(str(data.get("id"))):
                child.used = True  # said once, with its service
            return
        attrs = self._attributes(data["id"]) if isinstance(data.get("id"), str) else []
        own = {a.code: a for a in attrs if a.dim == RECORD}
        kind = own["kind"].value if "kind" in own else "service"
        if kind not in ("service", "opportunity", "hub"):
            self._error(own["kind"].where, f"kind '{kind}' is not service, opportunity or hub")
            return
        built = Draft()
        built.places[()] = row.where
        self._identity(built, row, own)
        self._texts(built, row, own, "name" if kind == "hub" else "title")
        self._regions(built, row)
        self._contact(built, row)
        ignored = {k for k, v in data.items() if k not in _READ and v not in (None, "", [])}
        ignored -= _GENERATED if "id" in own else set()
        if ignored:
            self._note(row.where, f"not kept: {', '.join(sorted(ignored))} (the catalog has no such fields)")
        if kind == "hub":
            self._hub(built, row, own)
            return
        org = self.source.by_id("organizations", data.get("organization_id"))
        if org is None:
            self._error(row.at("organization_id"), "no organization: an entry needs who offers it")
        if not isinstance(data.get("description"), str):
            self._error(row.at("description"), "'description' is missing: the entry's summary is required")
        if org is None or not isinstance(data.get("description"), str):
            return
        org.used = True
        built.put(("organization",), org.data.get("name"), org.at("name"))
        for attr in (a for a in attrs if a.dim in (*DIMENSIONS, *ELIGIBILITY) and a.dim != "regions"):
            built.put((attr.dim, len(built.data.get(attr.dim, []))), attr.code, attr.where)
        for end in ("min", "max"):
            age = data.get(f"{end}imum_age")
            if age is not None:
                built.put(
                    ("age", end), int(age) if float(age).is_integer() else age, row.at(f"{end}imum_age")
                )
        if data.get("assured_date"):
            built.put(("verified_on",), data["assured_date"], row.at("assured_date"))
        for attr in (a for a in attrs if a.dim == RECORD and a.code == "place"):
            built.put(("places", len(built.data.get("places", []))), attr.value, attr.where)
        self._schedules(built, row, kind)
        self._keep(
            "services" if kind == "service" else "opportunities",
            Service if kind == "service" else Opportunity,
            built,
        )

    def _identity(self, built: Draft, row: Row, own: dict[str, _Attr]) -> None:
        if "id" in own and isinstance(own["id"].value, str):
            built.put(("id",), own["id"].value, own["id"].where)
            self.ids.add(own["id"].value)
            return
        name = row.data.get("name", "")
        slug = re.sub(r"[^a-z0-9]+", "-", fold(str(name))).strip("-")[:34].strip("-") or "entry"
        candidate, number = slug, 1
        while candidate in self.ids:
            number += 1
            candidate = f"{slug}-{number}"
        self.ids.add(candidate)
        built.put(("id",), candidate, row.at("name"))

    def _texts(self, built: Draft, row: Row, own: dict[str, _Attr], title: str) -> None:
        built.put((title, self.lang), row.data.get("name"), row.at("name"))
        if title == "title" and isinstance(row.data.get("description"), str):
            built.put(("summary", self.lang), row.data["description"], row.at("description"))
        for code, attr in own.items():
            field_name, _dash, lang = code.partition("-")
            if field_name in ("title", "summary") and lang:
                if lang not in self.network.languages:
                    self.dropped[lang] += 1
                    continue
                key = title if field_name == "title" else "summary"
                built.put((key, lang), attr.value, attr.where)
        for lang in self.network.languages:
            if lang not in built.data[title]:
                built.put((title, lang), row.data.get("name"), row.at("name"))
                self._note(
                    row.at("name"), f"no '{lang}' text: the '{self.lang}' one was copied, translate it"
                )

    def _regions(self, built: Draft, row: Row) -> None:
        codes: list[str] = []
        for area in self.source.linked("service_areas", "service_id", str(row.data.get("id"))):
            area.used = True
            found = [a for a in self._attributes(str(area.data.get("id"))) if a.dim == "regions"]
            if not found:
                code = self.region_names.get(fold(str(area.data.get("name", ""))))
                if code is None:
                    name = area.data.get("name")
                    self._error(
                        area.where,
                        f"service area '{name}' is not a region code, region or place of the catalog",
                    )
                    continue
                found = [_Attr("regions", code, None, area.where)]
            for attr in found:
                if attr.code not in codes:
                    built.put(("regions", len(codes)), attr.code, attr.where)
                    codes.append(attr.code)
        built.data.setdefault("regions", [])

    def _contact(self, built: Draft, row: Row) -> None:
        """The service's url, e-mail and first phone; else its organization's, else its contacts'."""
        data = row.data
        org = self.source.by_id("organizations", data.get("organization_id"))
        for key, fallback in (("url", "website"), ("email", "email")):
            if data.get(key):
                built.put(("contact", key), data[key], row.at(key))
            elif org and org.data.get(fallback):
                built.put(("contact", key), org.data[fallback], org.at(fallback))
        contacts = self.source.linked("contacts", "service_id", str(data.get("id")))
        phones = self.source.linked("phones", "service_id", str(data.get("id")))
        phones += [
            p for c in contacts for p in self.source.linked("phones", "contact_id", str(c.data.get("id")))
        ]
        for contact in contacts:
            if contact.data.get("email") and "email" not in built.data.get("contact", {}):
                built.put(("contact", "email"), contact.data["email"], contact.at("email"))
            if not any(contact.data.get(k) for k in ("name", "title", "department")):
                contact.used = True
        for index, phone in enumerate(phones):
            if index == 0:
                phone.used = True
                built.put(("contact", "phone"), phone.data.get("number"), phone.at("number"))
            else:
                phone.used = True
                self._note(phone.where, "not kept: the catalog keeps one phone number per entry")

    def _schedules(self, built: Draft, row: Row, kind: str) -> None:
        schedules = self.source.linked("schedules", "service_id", str(row.data.get("id")))
        window = next((s for s in schedules if s.data.get("valid_to")), None)
        if kind == "opportunity" and window is None:
            self._error(row.where, "an opportunity needs a schedule whose valid_to is its deadline")
        if kind == "opportunity" and window is not None:
            window.used = True
            built.put(("deadline",), window.data["valid_to"], window.at("valid_to"))
            if window.data.get("valid_from"):
                built.put(("opens_on",), window.data["valid_from"], window.at("valid_from"))

    def _hub(self, built: Draft, row: Row, own: dict[str, _Attr]) -> None:
        service_id = str(row.data.get("id"))
        org = self.source.by_id("organizations", row.data.get("organization_id"))
        if org:
            org.used = True
        for link in self.source.linked("service_at_location", "service_id", service_id):
            location = self.source.by_id("locations", link.data.get("location_id"))
            if location and location.data.get("name") and "city" not in built.data:
                link.used = location.used = True
                built.put(("city",), location.data["name"], location.at("name"))
        for language in self.source.linked("languages", "service_id", service_id):
            language.used = True  # the network's languages: network.yaml says them
        if "timezone" in own:
            built.put(("timezone",), own["timezone"].value, own["timezone"].where)
        hours = self._hours(service_id)
        if hours is not None:
            week, places = hours
            try:
                same = parse_week(week) == parse_week(self.network.handoff.office_hours)
            except ValueError:
                same = False
            if not same:
                built.put(("office_hours",), week, places)
        old = self.old_hubs.get(str(built.data.get("id")))
        for key in _HUB_INTERNALS:
            if old is not None and getattr(old, key) not in (None, [], {}):
                built.data[key] = getattr(old, key)
        self._keep("hubs", Hub, built)

    def _hours(self, service_id: str) -> tuple[dict[str, str], str] | None:
        groups: dict[tuple[int, ...], list[str]] = {}
        first = ""
        for schedule in self.source.linked("schedules", "service_id", service_id):
            data = schedule.data
            days = [
                ICAL_DAYS.index(d.strip())
                for d in str(data.get("byday", "")).split(",")
                if d.strip() in ICAL_DAYS
            ]
            opens, closes = (_CLOCK.match(str(data.get(k, ""))) for k in ("opens_at", "closes_at"))
            if not days or opens is None or closes is None:
                self._error(
                    schedule.where, "office hours need byday (MO,TU...), opens_at and closes_at as HH:MM"
                )
                continue
            schedule.used = True
            first = first or schedule.where
            groups.setdefault(tuple(days), []).append(f"{opens.group(1)}-{closes.group(1)}")
        if not groups:
            return None
        return {day_key(list(days)): ", ".join(sorted(spans)) for days, spans in groups.items()}, first

    def _keep(self, key: str, model: type[BaseModel], built: Draft) -> None:
        try:
            record = model.model_validate(built.data)
        except ValidationError as exc:
            self.findings += validation_findings(exc, built.at)
            return
        self.models[key].append(record)
        self.drafts[key].append(built)
