"""`aiguilleur catalog import --format xlsx FILE --into CATALOG_DIR`: a workbook made by `catalog export
--format xlsx` (then edited) back into the folder's taxonomy.yaml, hubs.yaml, services.yaml and
opportunities.yaml; network.yaml and places.yaml are kept.

Every problem is reported as `SHEET!CELL: message`: a missing sheet or column, a missing required cell, a
wrong type (a word where a number or a date goes, a number where a code goes: `01` typed into a number cell
became 1), an unknown code, and then everything `catalog check` finds. Refused outright: a workbook with
macros (.xlsm, or any file holding vbaProject.bin), a formula in any cell read (its cached result may be
stale, and the YAML must hold values), an error value (#N/A). Nothing is written while anything is wrong.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from pydantic import BaseModel, ValidationError

from bot.catalog.schema import HubsFile, OpportunitiesFile, ServicesFile, TaxonomyFile, Term
from bot.catalog.spreadsheet import CODE_SHEETS, KEPT_IN_YAML, KINDS, README, SHEETS, Column, columns
from bot.catalog.writer import (
    Draft,
    Finding,
    ImportFailed,
    Incoming,
    Written,
    locator,
    read_target,
    validation_findings,
    write_catalog,
)

MAX_BYTES = 20_000_000
MAX_UNPACKED = 200_000_000  # all the XML inside: a few MB for a catalog of thousands of entries
MAX_ROWS = 50_000
_WHOLE = re.compile(r"^-?[0-9]+$")
_FILES: dict[str, type[BaseModel]] = {
    "services": ServicesFile,
    "opportunities": OpportunitiesFile,
    "hubs": HubsFile,
}


def import_workbook(path: Path, target: Path) -> Written:
    """Import, or raise `ImportFailed` with every problem, having written nothing."""
    _refuse_macros(path)
    folder = read_target(target, taxonomy=False)
    network = folder.network
    workbook = _load(path)
    try:
        incoming = _Reader(workbook, list(network.languages)).run()
    finally:
        workbook.close()
    _keep_hub_settings(incoming, folder.hubs)
    if any(f.blocking for f in incoming.findings) and len(incoming.files) < len(_FILES) + 1:
        raise ImportFailed(sorted(incoming.findings, key=lambda f: not f.blocking))
    return write_catalog(
        target, incoming, header=f"Written by `aiguilleur catalog import --format xlsx` from {path.name}."
    )


def _keep_hub_settings(incoming: Incoming, old: HubsFile | None) -> None:
    """A hub's admins and canned replies are not in the workbook: those of the folder's hubs.yaml stay."""
    hubs = incoming.files.get("hubs.yaml")
    if old is None or not isinstance(hubs, HubsFile):
        return
    before = {hub.id: hub for hub in old.hubs}
    kept = [
        hub.model_copy(update={name: getattr(before[hub.id], name) for name in KEPT_IN_YAML})
        if hub.id in before
        else hub
        for hub in hubs.hubs
    ]
    incoming.files["hubs.yaml"] = hubs.model_copy(update={"hubs": kept})


def _refuse_macros(path: Path) -> None:
    name = path.name
    if path.suffix.lower() in (".xlsm", ".xltm", ".xlam"):
        raise ImportFailed(
            [Finding(name, "a workbook with macros is refused: save it as .xlsx (Excel Workbook)")]
        )
    if path.suffix.lower() != ".xlsx" or not path.is_file():
        raise ImportFailed(
            [Finding(name, "give the .xlsx file of a workbook (as `catalog export --format xlsx` makes)")]
        )
    if path.stat().st_size > MAX_BYTES:
        raise ImportFailed(
            [Finding(name, f"larger than {MAX_BYTES // 1_000_000} MB: not a catalog workbook")]
        )
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        raise ImportFailed([Finding(name, "not an .xlsx workbook (it cannot be opened as one)")]) from None
    if any(m.filename.lower().endswith("vbaproject.bin") for m in members):
        raise ImportFailed(
            [Finding(name, "the workbook holds macros (vbaProject.bin): refused; save it as .xlsx")]
        )
    if sum(m.file_size for m in members) > MAX_UNPACKED:
        raise ImportFailed([Finding(name, "unpacks to more than a catalog workbook can hold: refused")])


def _load(path: Path) -> Workbook:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about extensions it drops (we read values only)
            return load_workbook(path, read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file: each means "cannot read it"
        raise ImportFailed(
            [Finding(path.name, f"not a readable .xlsx workbook ({type(exc).__name__})")]
        ) from None


class _Reader:
    def __init__(self, workbook: Workbook, languages: list[str]) -> None:
        self.workbook = workbook
        self.languages = languages
        self.findings: list[Finding] = []
        self.drafts: dict[str, list[Draft]] = {}
        self.missing: set[str] = set()

    def run(self) -> Incoming:
        for name in self.workbook.sheetnames:
            if name not in SHEETS and name != README:
                self.findings.append(
                    Finding(f"{name}!A1", "sheet not read: it is not one of the catalog's", False)
                )
        files: dict[str, BaseModel] = {}
        terms = {dim: self._records(dim, Term) for dim in CODE_SHEETS}
        try:
            files["taxonomy.yaml"] = TaxonomyFile.model_validate({"version": 1, **terms})
        except ValidationError as exc:
            self._whole_sheets(exc)
        for sheet, model in KINDS.items():
            records = self._records(sheet, model)
            try:
                files[f"{sheet}.yaml"] = _FILES[sheet].model_validate({"version": 1, sheet: records})
            except ValidationError as exc:
                self._whole_sheets(exc)
        locate = locator(self.drafts, lambda sheet: f"{sheet}!A1" if sheet in SHEETS else "(workbook)")
        return Incoming(files, dict.fromkeys(files, locate), self.findings)

    def _whole_sheets(self, exc: ValidationError) -> None:
        """A sheet without a valid row where the catalog needs one (a missing sheet says so already)."""
        for finding in validation_findings(exc, lambda loc: f"{loc[0]}!A2"):
            if finding.place.split("!")[0] not in self.missing:
                self.findings.append(finding)

    def _records(self, sheet: str, model: type[BaseModel]) -> list[BaseModel]:
        records: list[BaseModel] = []
        drafts = self.drafts.setdefault(sheet, [])
        optional = {name for name, field in model.model_fields.items() if not field.is_required()}
        for draft in self._rows(sheet, columns(model, self.languages), optional):
            try:
                records.append(model.model_validate(draft.data))
            except ValidationError as exc:
                self.findings += validation_findings(exc, draft.at)
                continue
            drafts.append(draft)
        return records

    def _error(self, place: str, message: str) -> None:
        self.findings.append(Finding(place, message))

    def _header(
        self, sheet: str, cells: tuple[Any, ...], cols: list[Column], optional: set[str]
    ) -> dict[int, Column] | None:
        known = {column.header: column for column in cols}
        found: dict[int, Column] = {}
        for position, cell in enumerate(cells):
            where = f"{sheet}!{get_column_letter(position + 1)}1"
            if cell.value is None or self._refused(cell, where):
                continue
            header = str(cell.value).strip()
            if header not in known:
                self._error(where, f"unknown column '{header}' (the columns: {', '.join(known)})")
            elif known[header] in found.values():
                self._error(where, f"column '{header}' is there twice")
            else:
                found[position] = known[header]
        # An optional field's column may be missing: an export made before that field existed still imports.
        missing = [
            column.header
            for column in cols
            if column not in found.values() and column.path[0] not in optional
        ]
        if missing:
            self._error(
                f"{sheet}!A1", f"columns missing: {', '.join(missing)} (keep every column, even empty)"
            )
            return None
        return found

    def _rows(self, sheet: str, cols: list[Column], optional: set[str]) -> Iterator[Draft]:
        if sheet not in self.workbook.sheetnames:
            self._error(f"{sheet}!A1", "the sheet is missing (keep every sheet of the export, even empty)")
            self.missing.add(sheet)
            return
        rows = self.workbook[sheet].iter_rows()
        header = self._header(sheet, next(rows, ()), cols, optional)
        if header is None:
            return
        for number, cells in enumerate(rows, start=2):
            if number > MAX_ROWS + 1:
                self._error(f"{sheet}!A{number}", f"more than {MAX_ROWS:,} rows: refused")
                return
            draft = self._row(sheet, number, cells, header)
            if draft is not None:
                yield draft

    def _row(
        self, sheet: str, number: int, cells: tuple[Any, ...], header: dict[int, Column]
    ) -> Draft | None:
        filled = [(p, c) for p, c in enumerate(cells) if c.value is not None and str(c.value).strip()]
        if not filled:
            return None
        draft = Draft()
        draft.places[()] = f"{sheet}!A{number}"
        blank: set[tuple[str, ...]] = set()  # texts placed at an empty cell (a missing translation)
        for position, column in header.items():
            where = f"{sheet}!{get_column_letter(position + 1)}{number}"
            draft.places.setdefault(column.path, where)
            field = column.path[:1]
            empty = position >= len(cells) or cells[position].value in (None, "")
            if len(column.path) == 2 and (field not in draft.places or (empty and field not in blank)):
                draft.places[field] = where
                if empty:
                    blank.add(field)
        good = True
        for position, cell in filled:
            where = f"{sheet}!{get_column_letter(position + 1)}{number}"
            found = header.get(position)
            if self._refused(cell, where):
                good = False
            elif found is None:
                self._error(where, "a value in a column without a header: move it or delete it")
                good = False
            elif (converted := _convert(found, cell.value)) is None:
                self._error(where, _wrong_type(found, cell.value))
                good = False
            elif found.kind == "codes":
                for code in converted:
                    draft.put((*found.path, len(draft.data.get(found.path[0], []))), code, where)
            else:
                draft.put(found.path, converted, where)
        return draft if good else None

    def _refused(self, cell: Any, where: str) -> bool:
        value = cell.value
        if cell.data_type == "f" or (isinstance(value, str) and value.startswith("=")):
            shown = str(value)[:40]
            self._error(where, f"a formula ({shown}): type the value itself, formulas are refused")
            return True
        if cell.data_type == "e":
            self._error(where, f"an error value ({value}): type the value itself")
            return True
        return False


def _convert(column: Column, value: Any) -> Any:
    """The cell's value as the field takes it, or None when it has the wrong type."""
    if isinstance(value, bool):
        return None
    if column.kind == "int":
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and _WHOLE.match(value.strip()):
            return int(value.strip())
        return value if isinstance(value, int) else None
    if column.kind == "date":
        if isinstance(value, dt.datetime):
            return value.date() if value.time() == dt.time() else None
        if isinstance(value, dt.date):
            return value
        return _date(value.strip()) if isinstance(value, str) else None
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        return None
    if column.kind == "codes":
        return [code.strip() for code in value.split(",") if code.strip()] if isinstance(value, str) else None
    if column.kind == "hours":
        return _hours(value) if isinstance(value, str) else None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def _hours(text: str) -> dict[str, str] | None:
    """`mon-thu: 08:30-12:00, 13:00-16:30; fri: 08:30-12:00` -> the office_hours mapping."""
    hours: dict[str, str] = {}
    for part in text.split(";"):
        days, colon, spans = part.strip().partition(": ")
        if not part.strip():
            continue
        if not colon or days.strip() in hours:
            return None
        hours[days.strip()] = spans.strip()
    return hours or None


def _wrong_type(column: Column, value: Any) -> str:
    shown = value.isoformat() if isinstance(value, dt.date | dt.datetime) else repr(value)
    if column.kind == "int":
        return f"{column.header}: {shown} is not a whole number"
    if column.kind == "date":
        return f"{column.header}: {shown} is not a date (write it YYYY-MM-DD, or use a date cell)"
    if column.kind == "codes" and isinstance(value, int | float):
        return f"{column.header}: {shown} is a number, codes are text: format the cell as text, type the code (01)"
    if column.kind == "hours":
        return f"{column.header}: {shown} is not a week of hours such as mon-fri: 09:00-12:00, 13:00-17:00; sat: 10:00-12:00"
    return f"{column.header}: {shown} is not a text"
