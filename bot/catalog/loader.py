"""Loading a catalog folder: every problem reported as `PATH:LINE: message`, a new catalog or nothing.

Pass 1 checks each file's shape against `schema.py`; pass 2 checks what files say about each other
(codes, ids, hubs and regions). The result is all-or-nothing so a bad edit never half-applies.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from bot.catalog.model import DIMENSIONS, Catalog
from bot.catalog.schema import (
    FILES,
    HubsFile,
    NetworkFile,
    OpportunitiesFile,
    ServicesFile,
    TaxonomyFile,
)
from bot.catalog.yamlfile import Problem, YamlDoc, YamlError, read_yaml


class CatalogInvalid(Exception):
    """The folder is not a usable catalog; `problems` lists every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Checked:
    """What `check_catalog` found: a catalog when there is no error, and every problem."""

    catalog: Catalog | None
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def load_catalog(directory: Path) -> Catalog:
    """Load and validate a catalog folder, or raise `CatalogInvalid` with every error."""
    checked = check_catalog(directory)
    if checked.catalog is None:
        raise CatalogInvalid(checked.errors)
    return checked.catalog


def check_catalog(directory: Path) -> Checked:
    """Run both passes over a catalog folder and collect every problem."""
    directory = Path(directory)
    if not directory.is_dir():
        return Checked(None, [Problem(directory, 1, "no such catalog folder")])
    if not any((directory / name).exists() for name in FILES):
        names = ", ".join(FILES)
        return Checked(None, [Problem(directory, 1, f"no catalog here: expected {names}")])
    models: dict[str, Any] = {}
    docs: dict[str, YamlDoc] = {}
    problems: list[Problem] = []
    for name, model in FILES.items():
        parsed = _check_file(directory / name, model, problems)
        if parsed is not None:
            models[name], docs[name] = parsed
    if len(models) < len(FILES):
        return Checked(None, problems)
    problems.extend(_cross_checks(models, docs))
    if any(p.severity == "error" for p in problems):
        return Checked(None, problems)
    services: ServicesFile = models["services.yaml"]
    opportunities: OpportunitiesFile = models["opportunities.yaml"]
    catalog = Catalog(
        directory=directory,
        network=models["network.yaml"],
        taxonomy=models["taxonomy.yaml"],
        hubs=tuple(models["hubs.yaml"].hubs),
        entries=(*services.services, *opportunities.opportunities),
    )
    return Checked(catalog, problems)


def _check_file(path: Path, model: type[BaseModel], problems: list[Problem]) -> tuple[Any, YamlDoc] | None:
    """Pass 1 for one file: YAML syntax, then the pydantic model; problems are appended."""
    if not path.exists():
        problems.append(Problem(path, 1, "file is missing"))
        return None
    try:
        doc = read_yaml(path)
    except YamlError as exc:
        problems.append(exc.problem)
        return None
    if not isinstance(doc.data, dict):
        problems.append(
            Problem(path, 1, "the file must be a set of 'key: value' lines, starting with version: 1")
        )
        return None
    try:
        return model.model_validate(doc.data), doc
    except ValidationError as exc:
        problems.extend(Problem(path, doc.line_of(e["loc"]), _plain(e)) for e in exc.errors())
        return None


def _plain(error: Any) -> str:
    """Pydantic's error in words a catalog admin understands, naming the field."""
    loc = [str(part) for part in error["loc"] if not isinstance(part, int)]
    where = loc[-1] if loc else "file"
    value = error.get("input")
    kind = error["type"]
    if kind == "missing":
        return f"'{where}' is missing"
    if kind == "extra_forbidden":
        return f"unknown field '{where}' (check its spelling in docs/catalog.md)"
    if kind == "literal_error" and where == "version":
        return "version must be 1"
    if kind == "string_pattern_mismatch":
        return f"{where}: '{value}' is not a valid code (letters, digits, - and _, no spaces)"
    if kind.startswith(("date_", "date")):
        return f"{where}: '{value}' is not a date written YYYY-MM-DD"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}"


def _cross_checks(models: dict[str, Any], docs: dict[str, YamlDoc]) -> Iterator[Problem]:
    """Pass 2: codes, ids, languages and hub coverage across files."""
    network: NetworkFile = models["network.yaml"]
    taxonomy: TaxonomyFile = models["taxonomy.yaml"]
    hubs: HubsFile = models["hubs.yaml"]
    codes = {dim: [t.code for t in getattr(taxonomy, dim)] for dim in DIMENSIONS}
    yield from _network_checks(network, docs["network.yaml"])
    yield from _duplicate_codes(codes, docs["taxonomy.yaml"])
    yield from _hub_checks(hubs, codes["regions"], docs["hubs.yaml"])
    first_use: dict[str, str] = {}
    for name, key in (("services.yaml", "services"), ("opportunities.yaml", "opportunities")):
        doc = docs[name]
        for index, entry in enumerate(getattr(models[name], key)):
            loc = (key, index)
            for dim in DIMENSIONS:
                for pos, code in enumerate(getattr(entry, dim)):
                    if code not in codes[dim]:
                        yield _unknown_code(doc, (*loc, dim, pos), dim, code, codes[dim])
            where = f"{doc.path}:{doc.line_of((*loc, 'id'))}"
            if entry.id in first_use:
                yield Problem(
                    doc.path,
                    doc.line_of((*loc, "id")),
                    f"id '{entry.id}' is already used at {first_use[entry.id]}",
                )
            first_use.setdefault(entry.id, where)
            for field in ("title", "summary"):
                if network.default_language not in getattr(entry, field):
                    yield Problem(
                        doc.path,
                        doc.line_of((*loc, field)),
                        f"{field}: the text in '{network.default_language}' (the default language) is missing",
                    )
            deadline = getattr(entry, "deadline", None)
            opens_on = getattr(entry, "opens_on", None)
            if deadline and opens_on and deadline < opens_on:
                yield Problem(doc.path, doc.line_of((*loc, "deadline")), "deadline is before opens_on")


def _network_checks(network: NetworkFile, doc: YamlDoc) -> Iterator[Problem]:
    if network.default_language not in network.languages:
        yield Problem(
            doc.path,
            doc.line_of(("default_language",)),
            f"default_language '{network.default_language}' is not in languages",
        )


def _duplicate_codes(codes: dict[str, list[str]], doc: YamlDoc) -> Iterator[Problem]:
    for dim, values in codes.items():
        for index, code in enumerate(values):
            if code in values[:index]:
                yield Problem(
                    doc.path, doc.line_of((dim, index, "code")), f"{dim}: code '{code}' is listed twice"
                )


def _hub_checks(hubs: HubsFile, regions: list[str], doc: YamlDoc) -> Iterator[Problem]:
    served: dict[str, str] = {}
    ids: set[str] = set()
    for index, hub in enumerate(hubs.hubs):
        if hub.id in ids:
            yield Problem(doc.path, doc.line_of(("hubs", index, "id")), f"hub id '{hub.id}' is used twice")
        ids.add(hub.id)
        for pos, region in enumerate(hub.regions):
            loc = ("hubs", index, "regions", pos)
            if region not in regions:
                yield _unknown_code(doc, loc, "regions", region, regions)
            elif region in served:
                yield Problem(
                    doc.path, doc.line_of(loc), f"region '{region}' is already served by {served[region]}"
                )
            served.setdefault(region, hub.id)
    for region in regions:
        if region not in served:
            yield Problem(doc.path, doc.line_of(("hubs",)), f"no hub serves region '{region}'")


def _unknown_code(doc: YamlDoc, loc: tuple[str | int, ...], dim: str, code: str, known: list[str]) -> Problem:
    shown = ", ".join(known) if len(known) <= 20 else ", ".join(known[:20]) + ", ..."
    singular = dim.removesuffix("s")
    return Problem(doc.path, doc.line_of(loc), f"{singular} '{code}' is not one of {shown}")
