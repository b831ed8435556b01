"""The catalog as a spreadsheet for catalog admins: `aiguilleur catalog export --format xlsx --out FILE`.

One sheet per kind (services, opportunities, hubs) and per code list of taxonomy.yaml (stages, sectors, needs,
regions, groups, legal_forms, sizes), after a "read me" sheet. One row per record, one column per field,
named as in the YAML (`title.fr`, `age.min`, `contact.url`); the columns are generated from the catalog's
models, so a new field appears here and round-trips by itself. Codes are chosen from drop-down lists (data
validation on the code sheets; several codes are written separated by commas); office hours are written as
`mon-thu: 08:30-12:00, 13:00-16:30; fri: 08:30-12:00`. network.yaml and places.yaml stay in YAML.

The YAML stays the source of truth: `aiguilleur catalog import --format xlsx` (bot.catalog.spreadsheet_import)
writes it back from the workbook, checked as `catalog check` checks it.
"""

from __future__ import annotations

import datetime as dt
import io
import typing
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import BaseModel

from bot.catalog.model import DIMENSIONS, ELIGIBILITY, Catalog
from bot.catalog.schema import AgeBand, Contact, Hub, Opportunity, Service, Term

CODE_SHEETS = ("stages", "sectors", "needs", "regions", "groups", "legal_forms", "sizes")
assert set(CODE_SHEETS) == {*DIMENSIONS, *ELIGIBILITY}
KINDS: dict[str, type[BaseModel]] = {"services": Service, "opportunities": Opportunity, "hubs": Hub}
SHEETS = (*KINDS, *CODE_SHEETS)
README = "read me"
LOCALIZED = frozenset(("title", "summary", "name", "label"))
NESTED: dict[str, type[BaseModel]] = {"age": AgeBand, "contact": Contact}
NAME_LISTS = frozenset(("places",))  # lists of names (places.yaml's towns), not of codes
DROPDOWN_ROWS = 2000  # rows that get the drop-down lists, beyond the records already there
KEPT_IN_YAML = ("admins", "canned_replies")  # a hub's settings for the bot: an import keeps the folder's


@dataclass(frozen=True)
class Column:
    """One column: its header, the field it holds (`("title", "fr")`), how its cells are read."""

    header: str
    path: tuple[str, ...]
    kind: str  # text, codes, int, date, hours
    dim: str = ""


def columns(model: type[BaseModel], languages: list[str]) -> list[Column]:
    """The columns of a sheet, in the model's field order; texts per language get one column each."""
    found: list[Column] = []
    for name in model.model_fields:
        if name == "kind" or name in KEPT_IN_YAML:
            continue
        if name in LOCALIZED:
            found += [Column(f"{name}.{lang}", (name, lang), "text") for lang in languages]
        elif name in NESTED:
            found += [
                Column(f"{name}.{part}", (name, part), _kind(NESTED[name], part))
                for part in NESTED[name].model_fields
            ]
        elif name in CODE_SHEETS:
            found.append(Column(name, (name,), "codes", name))
        elif name in NAME_LISTS:  # names separated by commas, like codes, without a drop-down list
            found.append(Column(name, (name,), "codes"))
        else:
            found.append(Column(name, (name,), _kind(model, name)))
    return found


def _kind(model: type[BaseModel], name: str) -> str:
    annotation = model.model_fields[name].annotation
    plain = {annotation, *typing.get_args(annotation)}
    if name == "office_hours":
        return "hours"
    if dt.date in plain:
        return "date"
    return "int" if int in plain else "text"


def export_workbook(catalog: Catalog) -> bytes:
    """The workbook's bytes (.xlsx)."""
    workbook = Workbook()
    about = workbook.active
    assert about is not None
    about.title = README
    _readme(about, catalog)
    languages = list(catalog.languages)
    records: dict[str, list[BaseModel]] = {
        "services": [e for e in catalog.entries if e.kind == "service"],
        "opportunities": [e for e in catalog.entries if e.kind == "opportunity"],
        "hubs": list(catalog.hubs),
    }
    sizes = {dim: len(catalog.terms(dim)) for dim in CODE_SHEETS}
    for sheet, model in KINDS.items():
        _fill(workbook.create_sheet(sheet), columns(model, languages), records[sheet], sizes)
    for dim in CODE_SHEETS:
        _fill(workbook.create_sheet(dim), columns(Term, languages), list(catalog.terms(dim)), sizes)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def cell_value(record: BaseModel, column: Column) -> Any:
    """What a record puts in a column's cell (None for nothing)."""
    value: Any = record
    for part in column.path:
        value = value.get(part) if isinstance(value, dict) else getattr(value, part, None)
        if value is None:
            return None
    if column.kind == "codes":
        return ", ".join(value) or None
    if column.kind == "hours":
        return "; ".join(f"{days}: {hours}" for days, hours in value.items())
    return value


def _fill(sheet: Worksheet, cols: list[Column], records: list[BaseModel], sizes: dict[str, int]) -> None:
    bold = Font(bold=True)
    for index, column in enumerate(cols, start=1):
        header = sheet.cell(row=1, column=index, value=column.header)
        header.font = bold
        letter = get_column_letter(index)
        width = (
            40
            if column.header.startswith(("summary", "office_hours"))
            else 20
            if column.kind == "text"
            else 14
        )
        sheet.column_dimensions[letter].width = width
        if column.kind in ("codes", "text"):
            sheet.column_dimensions[letter].number_format = "@"  # 01 stays 01 when typed
        if column.kind == "codes" and sizes.get(column.dim):
            _dropdown(sheet, column, letter, sizes[column.dim], len(records))
    for row, record in enumerate(records, start=2):
        for index, column in enumerate(cols, start=1):
            value = cell_value(record, column)
            if value is None:
                continue
            cell = sheet.cell(row=row, column=index, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # a text starting with = stays a text, never a formula
                cell.number_format = "@"
            elif isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(value, int):
                cell.number_format = "0"  # a Telegram group id in full, not 1.0E+12
    sheet.freeze_panes = "B2"


def _dropdown(sheet: Worksheet, column: Column, letter: str, size: int, count: int) -> None:
    source = f"={quote_sheetname(column.dim)}!$A$2:$A${size + 1}"
    check = DataValidation(type="list", formula1=source, allow_blank=True, showErrorMessage=False)
    check.promptTitle = column.header
    check.prompt = f"A code of the sheet '{column.dim}', or several separated by commas; empty: all."
    check.showInputMessage = True
    check.add(f"{letter}2:{letter}{count + DROPDOWN_ROWS}")
    sheet.add_data_validation(check)


def _readme(sheet: Worksheet, catalog: Catalog) -> None:
    name = catalog.text(catalog.network.name, catalog.default_language)
    lines = [
        f"Catalog '{catalog.network.id}': {name}",
        "",
        "One sheet per kind: services, opportunities, hubs; and one per code list: "
        + ", ".join(CODE_SHEETS)
        + ".",
        "One row per record; columns are the fields of docs/catalog.md (title.fr is the title in French).",
        "Codes: pick one from the drop-down list, or write several separated by commas. Empty means all.",
        "Dates: YYYY-MM-DD. Office hours: mon-thu: 08:30-12:00, 13:00-16:30; fri: 08:30-12:00",
        "Keep every column, even empty. Write values, never formulas; save as .xlsx (no macros).",
        "network.yaml and places.yaml are not here: edit them as YAML.",
        "",
        "Back to the catalog's YAML (checked as 'catalog check' checks it; nothing is written if anything is wrong):",
        "  aiguilleur catalog import --format xlsx THIS_FILE.xlsx --into CATALOG_DIR",
    ]
    for row, line in enumerate(lines, start=1):
        sheet.cell(row=row, column=1, value=line)
    sheet["A1"].font = Font(bold=True)
    sheet.column_dimensions["A"].width = 110
