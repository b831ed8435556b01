"""Reading HSDS 3.0 data for an import: a folder or a .zip of tables, or one JSON document of nested services
(a page as the HSDS API serves it, or a bare array), into flat rows that each know their place.

Every record is checked against its official schema first (required fields, types, allowed values; the
`format` of ids and addresses is not enforced: many directories use their own ids). A record that fails is
reported at its place (`services.json#/3/status`) and left out; the nested form is then flattened into the
same tables as the tabular form, each row keeping the JSON pointer it came from.
"""

from __future__ import annotations

import json
import os
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import ValidationError

from bot.catalog.hsds import TABLES
from bot.catalog.hsds_json import validator
from bot.catalog.writer import Finding, ImportFailed

MAX_BYTES = 64_000_000  # per file, and for all the members of a zip together
MAX_MEMBERS = 200
# The tables an HSDS data package may hold (its CSV names, in .json) and their object's schema.
KNOWN = {
    **TABLES,
    "addresses": "address",
    "accessibility": "accessibility",
    "cost_options": "cost_option",
    "funding": "funding",
    "programs": "program",
    "required_documents": "required_document",
    "organization_identifiers": "organization_identifier",
    "metadata": "metadata",
}
# Nested objects and arrays: the table their records go to, and the key that links them.
_ONE = {
    "organization": ("organizations", "organization_id"),
    "program": ("programs", "program_id"),
    "location": ("locations", "location_id"),
    "taxonomy_term": ("taxonomy_terms", "taxonomy_term_id"),
    "taxonomy_detail": ("taxonomies", "taxonomy_id"),
}
_MANY = {
    "phones": "phones",
    "schedules": "schedules",
    "service_areas": "service_areas",
    "service_at_locations": "service_at_location",
    "languages": "languages",
    "contacts": "contacts",
    "attributes": "attributes",
    "funding": "funding",
    "cost_options": "cost_options",
    "required_documents": "required_documents",
    "metadata": "metadata",
    "addresses": "addresses",
    "accessibility": "accessibility",
    "locations": "locations",
    "programs": "programs",
    "organization_identifiers": "organization_identifiers",
    "services": "services",
}
_PARENT_KEY = {
    "services": ("service_id", "service"),
    "organizations": ("organization_id", "organization"),
    "locations": ("location_id", "location"),
    "service_at_location": ("service_at_location_id", "service_at_location"),
    "contacts": ("contact_id", "contact"),
    "phones": ("phone_id", "phone"),
    "service_areas": ("service_area_id", "service_area"),
    "schedules": ("schedule_id", "schedule"),
    "languages": ("language_id", "language"),
    "taxonomy_terms": ("taxonomy_term_id", "taxonomy_term"),
}


def pointer(*parts: str | int) -> str:
    """A JSON pointer (RFC 6901) from its parts."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


@dataclass
class Row:
    """One HSDS record and where it was read; `used` once the import has taken what it could from it."""

    table: str
    data: dict[str, Any]
    where: str
    used: bool = False

    def at(self, key: str) -> str:
        return self.where + pointer(key)


@dataclass
class Source:
    """Every table read, rows in file order, and what reading found wrong."""

    name: str
    tables: dict[str, list[Row]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    _ids: dict[str, dict[str, Row]] = field(default_factory=dict)
    _links: dict[tuple[str, str], dict[str, list[Row]]] = field(default_factory=dict)

    def add(self, table: str, data: dict[str, Any], where: str) -> None:
        known = self._ids.setdefault(table, {})
        key = data.get("id")
        if isinstance(key, str) and key in known:
            if table == "services" and known[key].data != data:
                self.findings.append(Finding(where, f"id {key} is already used at {known[key].where}"))
            return  # nested documents repeat their organization, terms and taxonomies
        row = Row(table, data, where)
        self.tables.setdefault(table, []).append(row)
        if isinstance(key, str):
            known[key] = row

    def by_id(self, table: str, key: Any) -> Row | None:
        return self._ids.get(table, {}).get(key) if isinstance(key, str) else None

    def linked(self, table: str, column: str, key: str) -> list[Row]:
        """The rows of `table` whose `column` is `key` (service areas of a service...)."""
        index = self._links.get((table, column))
        if index is None:
            index = {}
            for row in self.tables.get(table, []):
                value = row.data.get(column)
                if isinstance(value, str):
                    index.setdefault(value, []).append(row)
            self._links[(table, column)] = index
        return index.get(key, [])


def read_source(path: Path) -> Source:
    """The HSDS data at `path` (a folder, a .zip or a .json file), or `ImportFailed` if it cannot be read."""
    source = Source(path.name)
    if path.is_dir():
        for name, text in _folder(path):
            _tables_file(source, name, text)
    elif path.suffix.lower() == ".zip":
        for name, text in _zip(path):
            _tables_file(source, name, text)
    elif path.suffix.lower() == ".json":
        _nested_file(source, path.name, _read(path, path.name))
    else:
        raise ImportFailed(
            [Finding(str(path), "give a folder of HSDS tables, a .zip of them or a .json file")]
        )
    if not source.tables.get("services"):
        source.findings.append(Finding(str(path), "no services found: nothing to import"))
    return source


def _read(path: Path, shown: str) -> str:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise ImportFailed([Finding(shown, f"cannot read it ({exc.strerror})")]) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
            raise ImportFailed([Finding(shown, f"not a regular file of at most {MAX_BYTES // 1_000_000} MB")])
        with os.fdopen(os.dup(fd), "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    finally:
        os.close(fd)
    return _text(raw, shown)


def _text(raw: bytes, shown: str) -> str:
    if len(raw) > MAX_BYTES:
        raise ImportFailed([Finding(shown, f"larger than {MAX_BYTES // 1_000_000} MB")])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFailed([Finding(shown, "not UTF-8 text")]) from None


def _folder(path: Path) -> Iterator[tuple[str, str]]:
    for child in sorted(path.iterdir()):
        if child.suffix == ".json" and child.stem in KNOWN:
            yield child.name, _read(child, child.name)


def _zip(path: Path) -> Iterator[tuple[str, str]]:
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_BYTES:
                raise ImportFailed([Finding(path.name, "too many or too large files inside")])
            for member in members:
                name = member.filename.rsplit("/", 1)[-1]
                if name.endswith(".json") and name[: -len(".json")] in KNOWN:
                    with archive.open(member) as handle:
                        yield member.filename, _text(handle.read(MAX_BYTES + 1), member.filename)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportFailed([Finding(path.name, f"not a readable .zip file ({exc})")]) from None


def _parse(text: str, shown: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFailed(
            [Finding(f"{shown}:{exc.lineno}", f"not valid JSON: {exc.msg} (column {exc.colno})")]
        ) from None
    except RecursionError:
        raise ImportFailed([Finding(shown, "values are nested too deeply")]) from None


def _records(data: Any, shown: str) -> tuple[list[Any], str] | None:
    """The array of records of a file: the file itself, or the `contents` of an API page."""
    if isinstance(data, list):
        return data, ""
    if isinstance(data, dict) and isinstance(data.get("contents"), list):
        return data["contents"], "/contents"
    return None


def _tables_file(source: Source, name: str, text: str) -> None:
    table = name.rsplit("/", 1)[-1].removesuffix(".json")
    found = _records(_parse(text, name), name)
    if found is None:
        source.findings.append(Finding(name, "expected an array of records (or an API page with 'contents')"))
        return
    records, prefix = found
    check = validator(KNOWN[table])
    for index, record in enumerate(records):
        where = f"{name}#{prefix}{pointer(index)}"
        if _valid(source, check.iter_errors(record), where):
            source.add(table, record, where)


def _nested_file(source: Source, name: str, text: str) -> None:
    found = _records(_parse(text, name), name)
    if found is None:
        source.findings.append(Finding(name, "expected an array of services, or an HSDS API page of them"))
        return
    records, prefix = found
    check = validator("service_with_definitions")
    for index, record in enumerate(records):
        where = f"{name}#{prefix}{pointer(index)}"
        if _valid(source, check.iter_errors(record), where):
            _flatten(source, "services", record, where)


def _valid(source: Source, errors: Iterator[ValidationError], where: str) -> bool:
    problems = [Finding(where + pointer(*error.absolute_path), _message(error)) for error in errors]
    source.findings.extend(problems)
    return not problems


def _message(error: ValidationError) -> str:
    if error.validator == "required":
        return error.message.replace("is a required property", "is missing (HSDS requires it)")
    if error.validator == "type":
        return f"{json.dumps(error.instance, ensure_ascii=False)[:80]} is not of type {error.validator_value}"
    if error.validator == "enum":
        values: Any = error.validator_value
        allowed = ", ".join(str(v) for v in values)
        return f"{json.dumps(error.instance, ensure_ascii=False)[:80]} is not one of {allowed}"
    return error.message


def _flatten(source: Source, table: str, record: dict[str, Any], where: str) -> None:
    """A nested record into its table's row, and each object it holds into its own table's rows."""
    row = {key: value for key, value in record.items() if key not in _ONE and key not in _MANY}
    for key, (_table, column) in _ONE.items():
        child = record.get(key)
        if isinstance(child, dict):
            row.setdefault(column, child.get("id"))
    source.add(table, row, where)
    for key, (child_table, _column) in _ONE.items():
        child = record.get(key)
        if isinstance(child, dict):
            _flatten(source, child_table, child, where + pointer(key))
    parent = _PARENT_KEY.get(table)
    for key, child_table in _MANY.items():
        items = record.get(key)
        if not isinstance(items, list):
            continue
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            linked = dict(item)
            if child_table == "attributes" and parent:
                linked.setdefault("link_id", record.get("id"))
                linked.setdefault("link_entity", parent[1])
            elif parent:
                linked.setdefault(parent[0], record.get("id"))
            _flatten(source, child_table, linked, where + pointer(key, index))
