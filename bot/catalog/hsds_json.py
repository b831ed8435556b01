"""HSDS documents as files: the tables, the nested services of the HSDS API, and the official schemas.

`bot.catalog.hsds` builds the tables; this module nests them (`nested`, `page`), lays them out as the files
an export writes (`outputs`, written by `bot.catalog.writer.write_files`), and checks HSDS records against
the JSON schemas copied from Open Referral into `hsds_schema/` (`validator`).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from bot.catalog.hsds import Record, Tables

SCHEMA_DIR = Path(__file__).with_name("hsds_schema")


def nested(tables: Tables) -> list[Record]:
    """The services fully nested, each as the HSDS API's `/services/{id}` returns it."""
    by_id = {name: {row["id"]: row for row in rows} for name, rows in tables.items()}
    children: dict[tuple[str, str, str], list[Record]] = {}
    for name, key in (
        ("service_areas", "service_id"),
        ("phones", "service_id"),
        ("schedules", "service_id"),
        ("languages", "service_id"),
        ("contacts", "service_id"),
        ("service_at_location", "service_id"),
        ("attributes", "link_id"),
    ):
        for row in tables[name]:
            children.setdefault((name, key, row[key]), []).append(row)

    def attributes(link: str) -> list[Record]:
        found = []
        for row in children.get(("attributes", "link_id", link), []):
            term = dict(by_id["taxonomy_terms"][row["taxonomy_term_id"]])
            term["taxonomy_detail"] = by_id["taxonomies"][term["taxonomy_id"]]
            found.append(row | {"taxonomy_term": term})
        return found

    services = []
    for service in tables["services"]:
        key = service["id"]

        def of(name: str, service_id: str = key) -> list[Record]:
            return children.get((name, "service_id", service_id), [])

        services.append(
            service
            | {
                "organization": by_id["organizations"][service["organization_id"]],
                "service_areas": [
                    area | {"attributes": attributes(area["id"])} for area in of("service_areas")
                ],
                "service_at_locations": [
                    link | {"location": by_id["locations"][link["location_id"]]}
                    for link in of("service_at_location")
                ],
                "phones": of("phones"),
                "schedules": of("schedules"),
                "languages": of("languages"),
                "contacts": of("contacts"),
                "attributes": attributes(key),
            }
        )
    return services


def page(services: list[Record]) -> Record:
    """One page holding every service, as the HSDS API pages `GET /services`."""
    count = len(services)
    return {
        "total_items": count,
        "total_pages": 1,
        "page_number": 1,
        "size": count,
        "first_page": True,
        "last_page": True,
        "empty": count == 0,
        "contents": services,
    }


def dumps(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def outputs(tables: Tables, destination: Path, *, folder: bool) -> dict[Path, bytes]:
    """The files an export writes: one per table into a folder, or one .json or .zip file."""
    if folder:
        return {destination / f"{name}.json": dumps(rows) for name, rows in tables.items()}
    if destination.suffix.lower() == ".zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, rows in tables.items():
                member = zipfile.ZipInfo(f"{name}.json", date_time=(1980, 1, 1, 0, 0, 0))
                member.compress_type = zipfile.ZIP_DEFLATED
                member.external_attr = 0o644 << 16
                archive.writestr(member, dumps(rows))
        return {destination: buffer.getvalue()}
    return {destination: dumps(page(nested(tables)))}


@cache
def _registry() -> Registry[Any]:
    resources = [
        (
            path.name,
            Resource.from_contents(json.loads(path.read_text("utf-8")), default_specification=DRAFT202012),
        )
        for path in sorted(SCHEMA_DIR.glob("*.json"))
    ]
    return Registry().with_resources(resources)


@cache
def validator(name: str, *, formats: bool = False) -> Draft202012Validator:
    """A validator for one HSDS object (`service`, `service_with_definitions`...), its references resolved
    among the copied schemas; `formats` also checks uuid, email, uri and date-time values."""
    schema = _registry().contents(f"{name}.json")
    checker = _format_checker() if formats else None
    return Draft202012Validator(schema, registry=_registry(), format_checker=checker)


def _format_checker() -> FormatChecker:
    checker = FormatChecker()

    @checker.checks("uri")
    def _uri(value: object) -> bool:
        from urllib.parse import urlsplit

        return not isinstance(value, str) or bool(urlsplit(value).scheme)

    @checker.checks("date-time")
    def _date_time(value: object) -> bool:
        return not isinstance(value, str) or dt.datetime.fromisoformat(value) is not None

    return checker
