"""Loading a catalog folder: every problem reported as `PATH:LINE: message`, a new catalog or nothing.

Pass 1 checks each file's shape against `schema.py`; pass 2 checks what files say about each other
(codes, ids, hubs and regions). The result is all-or-nothing so a bad edit never half-applies.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ValidationError

from bot.catalog.checks import cross_checks
from bot.catalog.model import Catalog
from bot.catalog.schema import FILES, OPTIONAL_FILES, NetworkFile, OpportunitiesFile, ServicesFile
from bot.catalog.yamlfile import Problem, YamlDoc, YamlError, read_yaml

MAX_PROBLEMS_PER_FILE = 50  # then one line "and N more": fixing the first ones often fixes the rest


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


def load_catalog(directory: Path, *, today: dt.date | None = None) -> Catalog:
    """Load and validate a catalog folder, or raise `CatalogInvalid` with every error."""
    checked = check_catalog(directory, today=today)
    if checked.catalog is None:
        raise CatalogInvalid(checked.errors)
    return checked.catalog


def check_catalog(directory: Path, *, today: dt.date | None = None) -> Checked:
    """Run both passes over a catalog folder and collect every problem (at most `MAX_PROBLEMS_PER_FILE`
    of each severity per file, then a count of the others); `today` dates the warnings."""
    checked = _check_catalog(Path(directory), today)
    return Checked(checked.catalog, _capped(checked.problems))


def _capped(problems: list[Problem]) -> list[Problem]:
    """The first problems of each file and severity, and one line saying how many more there are."""
    seen: dict[tuple[Path, str], int] = {}
    kept: list[Problem] = []
    for problem in problems:
        key = (problem.path, problem.severity)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] <= MAX_PROBLEMS_PER_FILE:
            kept.append(problem)
    for (path, severity), count in seen.items():
        if count > MAX_PROBLEMS_PER_FILE:
            more = count - MAX_PROBLEMS_PER_FILE
            kind = "errors" if severity == "error" else "warnings"
            kept.append(Problem(path, 1, f"... and {more:,} more {kind} in this file", severity))
    return kept


def _check_catalog(directory: Path, today: dt.date | None) -> Checked:
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
        parsed = check_file(directory / name, model, problems)
        if parsed is not None:
            models[name], docs[name] = parsed
    for name, model in OPTIONAL_FILES.items():
        if (directory / name).exists() and (parsed := check_file(directory / name, model, problems)):
            models[name], docs[name] = parsed
    if any(p.severity == "error" for p in problems):
        return Checked(None, problems)
    network: NetworkFile = models["network.yaml"]
    if network.default_language not in network.languages:
        line = docs["network.yaml"].line_of(("default_language",))
        problems.append(
            Problem(
                docs["network.yaml"].path,
                line,
                f"default_language '{network.default_language}' is not in languages",
            )
        )
        return Checked(None, problems)
    day = today or dt.datetime.now(ZoneInfo(network.timezone)).date()
    problems.extend(cross_checks(models, docs, day))
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
        places=tuple(models["places.yaml"].places) if "places.yaml" in models else (),
    )
    return Checked(catalog, problems)


def check_file(path: Path, model: type[BaseModel], problems: list[Problem]) -> tuple[Any, YamlDoc] | None:
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
        problems.extend(Problem(path, partial(doc.line_of, e["loc"]), plain_error(e)) for e in exc.errors())
        return None


def plain_error(error: Any) -> str:
    """Pydantic's error in words a catalog admin understands, naming the field."""
    parts = error["loc"][:-2] if error["loc"][-1:] == ("[key]",) else error["loc"]  # a bad key: its mapping
    loc = [str(part) for part in parts if not isinstance(part, int)]
    where = loc[-1] if loc else "file"
    value = error.get("input")
    kind = error["type"]
    if kind == "missing":
        return f"'{where}' is missing"
    if kind == "extra_forbidden":
        return f"unknown field '{where}' (check its spelling in docs/catalog.md)"
    if kind == "literal_error" and where == "version":
        return "version must be 1"
    if kind == "string_type" and isinstance(value, int | float) and not isinstance(value, bool):
        return f'{where}: {value} must be written in quotes, like "08" for a code or "2027" for a text'
    if kind == "string_pattern_mismatch":
        return f"{where}: '{value}' is not a valid code (letters, digits, - and _, no spaces)"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"{where}: '{str(value).lower() if isinstance(value, bool) else value}' is not a whole number"
    if kind == "greater_than_equal":
        return f"{where}: {value} is too small, the least is {error['ctx']['ge']}"
    if kind.startswith(("date_", "date")):
        return f"{where}: '{value}' is not a date written YYYY-MM-DD"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}"
