"""The spreadsheet round trip for catalog admins: export, edit, import; every problem at its cell."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from bot.catalog.loader import check_catalog, load_catalog
from bot.catalog.schema import Hub, Opportunity, Service, Term
from bot.catalog.spreadsheet import CODE_SHEETS, KINDS, columns, export_workbook
from bot.catalog.spreadsheet_import import import_workbook
from bot.catalog.writer import ImportFailed
from bot.cli import main
from tests.conftest import MINI, QUEBEC, ROOT

ALGERIE = ROOT / "catalog" / "algerie"


def exported(directory: Path, path: Path) -> Path:
    path.write_bytes(export_workbook(load_catalog(directory)))
    return path


@pytest.mark.parametrize("directory", [QUEBEC, ALGERIE, MINI], ids=lambda p: p.name)
def test_import_of_the_export_reproduces_the_catalog(directory: Path, tmp_path: Path) -> None:
    """Into a folder with only network.yaml and places.yaml: every file is written, and passes the check."""
    book = exported(directory, tmp_path / "catalog.xlsx")
    target = tmp_path / "catalog"
    target.mkdir()
    for name in ("network.yaml", "places.yaml"):
        if (directory / name).exists():
            shutil.copy(directory / name, target / name)
    written = import_workbook(book, target)
    assert written.changed == ["hubs.yaml", "opportunities.yaml", "services.yaml", "taxonomy.yaml"]
    assert written.notes == []
    assert check_catalog(target).errors == []
    before, after = load_catalog(directory), load_catalog(target)
    assert (after.entries, after.taxonomy) == (before.entries, before.taxonomy)
    # a hub's admins and canned replies stay in hubs.yaml (the folder had none here)
    assert after.hubs == tuple(h.model_copy(update={"admins": [], "canned_replies": {}}) for h in before.hubs)


def test_files_that_did_not_change_keep_their_comments(tmp_path: Path) -> None:
    book = exported(ALGERIE, tmp_path / "algerie.xlsx")
    target = shutil.copytree(ALGERIE, tmp_path / "algerie")
    workbook = load_workbook(book)
    sheet = workbook["services"]
    sheet.cell(row=sheet.max_row + 1, column=1, value="new-service")
    values = {"title.fr": "Nouveau", "title.ar": "جديد", "title.en": "New", "organization": "ANPT"}
    values |= {"summary.fr": "Un service.", "needs": "financing, advice", "regions": "DZ-16"}
    headers = [cell.value for cell in sheet[1]]
    for header, value in values.items():
        sheet.cell(row=sheet.max_row, column=headers.index(header) + 1, value=value)
    workbook.save(book)
    taxonomy = (target / "taxonomy.yaml").read_bytes()
    written = import_workbook(book, target)
    assert (written.changed, written.unchanged) == (
        ["services.yaml"],
        ["hubs.yaml", "opportunities.yaml", "taxonomy.yaml"],
    )
    assert (target / "taxonomy.yaml").read_bytes() == taxonomy  # its long comments on new wilayas stay
    entry = load_catalog(target).entry("new-service")
    assert entry is not None
    assert (entry.needs, entry.regions, entry.summary) == (
        ["financing", "advice"],
        ["DZ-16"],
        {"fr": "Un service."},
    )


def test_one_sheet_per_kind_with_drop_down_codes() -> None:
    workbook = load_workbook(io.BytesIO(export_workbook(load_catalog(QUEBEC))))
    assert workbook.sheetnames == ["read me", *KINDS, *CODE_SHEETS]
    services = workbook["services"]
    headers = [cell.value for cell in services[1]]
    assert headers == [c.header for c in columns(Service, ["fr", "en"])]
    lists = {str(v.sqref).split(":")[0][:-1]: v.formula1 for v in services.data_validations.dataValidation}
    letter = {h: services.cell(row=1, column=i + 1).column_letter for i, h in enumerate(headers)}
    assert lists[letter["needs"]] == "='needs'!$A$2:$A$13"
    assert lists[letter["regions"]] == "='regions'!$A$2:$A$19"
    assert (
        services[f"{letter['regions']}6"].value
        == "01, 02, 03, 04, 05, 07, 08, 09, 10, 11, 12, 14, 15, 16, 17, idm"
    )
    assert [c.header for c in columns(Hub, ["fr"])][-4:] == [
        "office_hours",
        "reminder_after_minutes",
        "escalate_after_minutes",
        "unanswered_after_minutes",
    ]
    assert [c.kind for c in columns(Opportunity, ["fr"])][-3:] == ["date", "date", "date"]
    assert [c.header for c in columns(Term, ["fr", "ar"])] == ["code", "label.fr", "label.ar"]


def edited(tmp_path: Path, edits: dict[tuple[str, str, int], object]) -> Path:
    """The mini catalog's workbook with some cells changed: (sheet, column header, row) -> value."""
    book = exported(MINI, tmp_path / "mini.xlsx")
    workbook = load_workbook(book)
    for (sheet, header, row), value in edits.items():
        headers = [cell.value for cell in workbook[sheet][1]]
        workbook[sheet].cell(row=row, column=headers.index(header) + 1).value = value
    workbook.save(book)
    return book


def refused(book: Path, tmp_path: Path) -> list[str]:
    target = tmp_path / "mini"
    if not target.exists():
        shutil.copytree(MINI, target)
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    with pytest.raises(ImportFailed) as failed:
        import_workbook(book, target)
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before, "nothing may be written"
    return [str(f) for f in failed.value.findings if f.blocking]


def test_every_bad_cell_is_reported_at_its_place_and_nothing_is_written(tmp_path: Path) -> None:
    book = edited(
        tmp_path,
        {
            ("services", "title.en", 2): None,  # required in every language
            ("services", "organization", 3): "=A3&B3",  # a formula
            ("services", "age.min", 4): "eighteen",
            ("services", "needs", 5): "advice, fundng",  # an unknown code
            ("opportunities", "deadline", 2): "15 mars 2027",
            ("opportunities", "regions", 2): 1,  # 01 typed into a number cell
            ("opportunities", "deadline", 3): None,  # required
            ("hubs", "advisor_chat_id", 3): 1234,  # a person's id, not a group's
            ("hubs", "office_hours", 2): "mon-fri 09:00-17:00",
            ("sectors", "label.en", 3): "=UPPER(B3)",
        },
    )
    assert refused(book, tmp_path) == [
        "sectors!C3: a formula (=UPPER(B3)): type the value itself, formulas are refused",
        "services!D3: a formula (=A3&B3): type the value itself, formulas are refused",
        "services!M4: age.min: 'eighteen' is not a whole number",
        "opportunities!G2: regions: 1 is a number, codes are text: format the cell as text, type the code (01)",
        "opportunities!W2: deadline: '15 mars 2027' is not a date (write it YYYY-MM-DD, or use a date cell)",
        "opportunities!W3: 'deadline' is missing",
        "hubs!K2: office_hours: 'mon-fri 09:00-17:00' is not a week of hours such as"
        " mon-fri: 09:00-12:00, 13:00-17:00; sat: 10:00-12:00",
        "hubs!E3: advisor_chat_id: 1234 is not a group's id: those are negative, such as -1001234567899",
        "hubs!A1: no hub serves region '01'",  # hub-01 and hub-02 were refused above
        "hubs!A1: no hub serves region '02'",
        "services!C2: title: the text in 'en' is missing",
        "services!K5: need 'fundng' is not one of financing, mentoring, advice",
    ]


def test_missing_sheets_and_columns_are_reported(tmp_path: Path) -> None:
    book = exported(MINI, tmp_path / "mini.xlsx")
    workbook = load_workbook(book)
    del workbook["sizes"]
    headers = [cell.value for cell in workbook["services"][1]]
    workbook["services"].delete_cols(headers.index("organization") + 1)  # a required field's column
    workbook.create_sheet("notes")
    workbook.save(book)
    assert refused(book, tmp_path) == [
        "sizes!A1: the sheet is missing (keep every sheet of the export, even empty)",
        "services!A1: columns missing: organization (keep every column, even empty)",
    ]


def test_an_export_made_before_an_optional_field_existed_still_imports(tmp_path: Path) -> None:
    """Exports from before `places` and `partner_chat_id` (2026-12-04) lack their columns: still welcome."""
    book = exported(MINI, tmp_path / "mini.xlsx")
    workbook = load_workbook(book)
    for sheet in ("services", "opportunities"):
        for header in ("partner_chat_id", "places"):
            headers = [cell.value for cell in workbook[sheet][1]]
            workbook[sheet].delete_cols(headers.index(header) + 1)
    workbook.save(book)
    target = tmp_path / "mini"
    shutil.copytree(MINI, target)
    import_workbook(book, target)
    assert load_catalog(target).entries == load_catalog(MINI).entries


def test_a_workbook_with_macros_is_refused(tmp_path: Path) -> None:
    book = exported(MINI, tmp_path / "mini.xlsx")
    assert refused(book.rename(tmp_path / "mini.xlsm"), tmp_path) == [
        "mini.xlsm: a workbook with macros is refused: save it as .xlsx (Excel Workbook)"
    ]
    hidden = tmp_path / "hidden.xlsx"
    with zipfile.ZipFile(tmp_path / "mini.xlsm") as source, zipfile.ZipFile(hidden, "w") as copy:
        for item in source.infolist():
            copy.writestr(item, source.read(item))
        copy.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 macros")
    assert refused(hidden, tmp_path) == [
        "hidden.xlsx: the workbook holds macros (vbaProject.bin): refused; save it as .xlsx"
    ]
    (tmp_path / "text.xlsx").write_text("not a workbook", encoding="utf-8")
    assert refused(tmp_path / "text.xlsx", tmp_path) == [
        "text.xlsx: not an .xlsx workbook (it cannot be opened as one)"
    ]


def test_command_line_round_trip_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = tmp_path / "mini.xlsx"
    assert main(["catalog", "export", "--catalog", str(MINI), "--format", "xlsx", "--out", str(book)]) == 0
    assert capsys.readouterr().out.startswith(f"{book}: 3 hubs, 6 entries written as xlsx (1 files, ")
    target = shutil.copytree(MINI, tmp_path / "mini")
    assert main(["catalog", "import", "--format", "xlsx", str(book), "--into", str(target)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{target}: wrote nothing (the files already say the same); unchanged: hubs.yaml, ")
    workbook = Workbook()
    workbook.active["A1"] = dt.date(2027, 1, 1)  # type: ignore[index]
    workbook.save(tmp_path / "other.xlsx")
    assert (
        main(["catalog", "import", "--format", "xlsx", str(tmp_path / "other.xlsx"), "--into", str(target)])
        == 2
    )
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "stages!A1: the sheet is missing (keep every sheet of the export, even empty)"
    assert err[-1] == f"aiguilleur: {tmp_path / 'other.xlsx'}: 10 problems; nothing written to {target}"
    assert (
        main(
            [
                "catalog",
                "export",
                "--catalog",
                str(MINI),
                "--format",
                "xlsx",
                "--out",
                str(tmp_path / "x.json"),
            ]
        )
        == 2
    )
    assert "needs --out FILE.xlsx" in capsys.readouterr().err
