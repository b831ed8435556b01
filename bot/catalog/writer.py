"""Writing the catalog files an import built (from HSDS or a spreadsheet): checked as `catalog check` checks
them, every problem shown at its place in the source, and written whole or not at all.

An import hands over the records of the files it replaces (`services.yaml`, `hubs.yaml`...) and, for each
file, a function turning a place in that file (`("services", 3, "needs", 0)`) into a place in the source
(`services!J5`, `services.json#/3/...`). The cross-checks of `catalog check` run on them with those places,
so an unknown code or a region served twice is reported where the admin can fix it. Then the YAML is
rendered, the folder as it would be is checked once more in a scratch copy, and each changed file replaces
the old one (written beside it, then renamed).

Comments are out of scope: a file whose records did not change is left as it is, comments included; a
rewritten file has none but a header saying where it came from (the YAML stays the source of truth: its
earlier versions, with their comments, are in version control).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, ValidationError

from bot.catalog.checks import cross_checks
from bot.catalog.loader import check_catalog, check_file, plain_error
from bot.catalog.schema import FILES, OPTIONAL_FILES, HubsFile, NetworkFile, PlacesFile, TaxonomyFile
from bot.catalog.yamlfile import Path_, Problem, YamlDoc

Loc = tuple[str | int, ...]
Locate = Callable[[Loc], str]
LISTS = {"hubs.yaml": "hubs", "services.yaml": "services", "opportunities.yaml": "opportunities"}
# What YAML 1.2 (yaml-rs, which reads the catalog) takes for a number, a boolean or null: quoted on output.
_AMBIGUOUS = re.compile(
    r"^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+"
    r"|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)


@dataclass(frozen=True)
class Finding:
    """One thing an import reports: where in the source, and what. Only blocking findings stop the write."""

    place: str
    message: str
    blocking: bool = True

    def __str__(self) -> str:
        return f"{self.place}: {self.message}"


class ImportFailed(Exception):
    """Nothing was written; `findings` says why, each at its place."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__("\n".join(str(f) for f in findings))
        self.findings = findings


@dataclass
class Incoming:
    """What an import read: the records of each file it replaces, and how to place a problem in its source."""

    files: dict[str, BaseModel]
    locate: dict[str, Locate]
    findings: list[Finding] = field(default_factory=list)
    """What reading the source found: blocking problems, and notes on what was not mapped."""


@dataclass(frozen=True)
class Written:
    """What an import wrote: files changed, files that already said the same, warnings, notes."""

    changed: list[str]
    unchanged: list[str]
    warnings: int
    notes: list[Finding]


@dataclass
class Draft:
    """A record being built: its fields, and the place in the source of each."""

    data: dict[Any, Any] = field(default_factory=dict)
    places: dict[Loc, str] = field(default_factory=dict)

    def put(self, loc: Loc, value: Any, place: str) -> None:
        """Set the field at `loc` (a list index appends) and remember where its value came from."""
        target: Any = self.data
        for key, following in pairwise(loc):
            target = target.setdefault(key, [] if isinstance(following, int) else {})
        if isinstance(target, list):
            target.append(value)
        else:
            target[loc[-1]] = value
        self.places[loc] = place

    def at(self, loc: Loc) -> str:
        """The place of the field at `loc`, else of the record."""
        return self.locate(loc, self.places[()])

    def locate(self, loc: Loc, default: str) -> str:
        for end in range(len(loc), 0, -1):
            if loc[:end] in self.places:
                return self.places[loc[:end]]
        return default


def locator(drafts: dict[str, list[Draft]], default: Callable[[str], str]) -> Locate:
    """Places in a file built from drafts: `("services", 3, "needs", 0)` -> the place of that code in the
    source; anything else -> `default(first part)`."""

    def locate(loc: Loc) -> str:
        key, index = (*loc, "", "")[:2]
        if isinstance(key, str) and isinstance(index, int) and index < len(drafts.get(key, [])):
            draft = drafts[key][index]
            return draft.locate(loc[2:], draft.places[()])
        return default(str(key))

    return locate


@dataclass(frozen=True)
class Target:
    """What an import reads from the folder it writes into: the network, and the codes, places and hubs."""

    network: NetworkFile
    taxonomy: TaxonomyFile | None
    places: PlacesFile | None
    hubs: HubsFile | None


def read_target(target: Path, *, taxonomy: bool) -> Target:
    """The folder's files an import needs (network.yaml, and taxonomy.yaml when `taxonomy`), or
    `ImportFailed` when they are missing or invalid."""
    if not target.is_dir():
        raise ImportFailed([Finding(str(target), "no such catalog folder (it needs network.yaml first)")])
    problems: list[Problem] = []

    def read(name: str, model: type[BaseModel], required: bool) -> Any:
        if not required and not (target / name).exists():
            return None
        parsed = check_file(target / name, model, problems)
        return parsed[0] if parsed else None

    found = Target(
        read("network.yaml", NetworkFile, True),
        read("taxonomy.yaml", TaxonomyFile, taxonomy),
        read("places.yaml", PlacesFile, False),
        read("hubs.yaml", HubsFile, False),
    )
    if problems:
        note = "(the import reads this file of the folder it writes into)"
        raise ImportFailed([Finding(f"{p.path}:{p.line}", f"{p.message} {note}") for p in problems])
    return found


class _PlacedDoc(YamlDoc):
    """Stands for a file not written yet: asked for a line, it records the place in the source instead."""

    def __init__(self, name: str, locate: Locate) -> None:
        super().__init__(Path(name), None, "")
        self.locate = locate
        self.places: list[str] = []

    def line_of(self, loc: Path_) -> int:
        self.places.append(self.locate(loc))
        return len(self.places) - 1


def validation_findings(exc: ValidationError, locate: Callable[[Loc], str]) -> list[Finding]:
    """A pydantic error per finding, in the words of `catalog check`, at the place of its field."""
    return [Finding(locate(tuple(error["loc"])), plain_error(error)) for error in exc.errors()]


def write_catalog(target: Path, incoming: Incoming, *, header: str, today: dt.date | None = None) -> Written:
    """Check `incoming` against the rest of the folder `target`, then write its changed files, or raise
    `ImportFailed` with every problem and write nothing."""
    if not target.is_dir():
        raise ImportFailed([Finding(str(target), "no such catalog folder (it needs network.yaml first)")])
    models, docs = _models(target, incoming)
    network: NetworkFile = models["network.yaml"]
    day = today or dt.datetime.now(ZoneInfo(network.timezone)).date()
    findings = list(incoming.findings)
    warnings = 0
    for problem in cross_checks(models, docs, day):
        if problem.severity != "error":
            warnings += 1
            continue
        doc = next((d for d in docs.values() if d.path == problem.path), None)
        place = doc.places[problem.line] if isinstance(doc, _PlacedDoc) else f"{problem.path}:{problem.line}"
        findings.append(Finding(place, problem.message))
    if any(finding.blocking for finding in findings):
        raise ImportFailed(sorted(findings, key=lambda finding: not finding.blocking))
    rendered = {name: render(name, model, header) for name, model in incoming.files.items()}
    changed = {
        name: text for name, text in rendered.items() if not _same(target / name, incoming.files[name])
    }
    _check_as_written(target, rendered, day)
    _replace(target, changed)
    notes = [finding for finding in findings if not finding.blocking]
    return Written(sorted(changed), sorted(set(rendered) - set(changed)), warnings, notes)


def _models(target: Path, incoming: Incoming) -> tuple[dict[str, Any], dict[str, YamlDoc]]:
    models: dict[str, Any] = {}
    docs: dict[str, YamlDoc] = {}
    problems: list[Problem] = []
    missing: list[str] = []
    for name, model in (*FILES.items(), *OPTIONAL_FILES.items()):
        if name in incoming.files:
            models[name], docs[name] = incoming.files[name], _PlacedDoc(name, incoming.locate[name])
        elif (target / name).exists():
            if parsed := check_file(target / name, model, problems):
                models[name], docs[name] = parsed
        elif name in FILES:
            missing.append(name)
    findings = [Finding(f"{p.path}:{p.line}", p.message) for p in problems if p.severity == "error"]
    findings += [
        Finding(str(target / name), "file is missing: the import keeps it from the folder it writes into")
        for name in missing
    ]
    if findings:
        raise ImportFailed(findings)
    return models, docs


_Dumper: Any = type("_Dumper", (getattr(yaml, "CSafeDumper", yaml.SafeDumper),), {})  # libyaml when there


def _represent_str(dumper: Any, value: str) -> Any:
    style = '"' if _AMBIGUOUS.match(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_list(dumper: Any, value: list[Any]) -> Any:
    codes = all(isinstance(item, str) for item in value)  # [idea, startup], as admins write them
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=codes)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(list, _represent_list)


def render(name: str, model: BaseModel, header: str) -> str:
    """The YAML text of a catalog file: its records, fields at their defaults left out."""
    data = model.model_dump(mode="python", exclude_defaults=True)
    data = {"version": 1, **data}
    if name in LISTS:
        data.setdefault(LISTS[name], [])
    body = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=110)
    note = "# Comments of the previous version of this file are not kept (see its history)."
    return f"# {header}\n{note}\n{body}"


def _same(path: Path, model: BaseModel) -> bool:
    """Whether `path` already holds exactly these records (then it is left alone, with its comments)."""
    if not path.exists():
        return False
    parsed = check_file(path, type(model), [])
    return parsed is not None and parsed[0] == model


def _check_as_written(target: Path, rendered: dict[str, str], day: dt.date) -> None:
    """`catalog check` on a scratch copy of the folder as it would be: what is written must pass it."""
    with tempfile.TemporaryDirectory(prefix="aiguilleur-import-") as scratch:
        folder = Path(scratch)
        for name in (*FILES, *OPTIONAL_FILES):
            if name in rendered:
                (folder / name).write_text(rendered[name], encoding="utf-8")
            elif (target / name).exists():
                shutil.copyfile(target / name, folder / name)
        checked = check_catalog(folder, today=day)
    if checked.errors:
        raise ImportFailed(
            [Finding(f"{p.path.name}:{p.line} (as it would be written)", p.message) for p in checked.errors]
        )


def _replace(target: Path, texts: dict[str, str]) -> None:
    try:
        write_files({target / name: text.encode("utf-8") for name, text in texts.items()})
    except OSError as exc:
        raise ImportFailed([Finding(str(target), f"cannot write there ({exc.strerror})")]) from None


def write_files(files: dict[Path, bytes]) -> None:
    """Each file written beside its final name (`.NAME.tmp`, which the catalog watcher ignores), then renamed
    over it; if any write fails, the others are removed and nothing is renamed."""
    temps: list[tuple[Path, Path]] = []
    try:
        for path, data in files.items():
            temp = path.with_name(f".{path.name}.tmp")
            temps.append((temp, path))
            temp.write_bytes(data)
    except OSError:
        for temp, _path in temps:
            temp.unlink(missing_ok=True)
        raise
    for temp, path in temps:
        os.replace(temp, path)
