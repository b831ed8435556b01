"""HSDS 3.0 export and import: valid against the official schemas, stable, and a faithful round trip.

The round trip compares the loaded catalogs field by field. HSDS cannot carry, and the comparison leaves out
only: a hub's Telegram group and its own reminder delays (internal to the bot; an import keeps them from the
folder's hubs.yaml), and how office hours are grouped (compared as weeks: a hub without its own hours is
exported with the network's, and `sat: closed` is the same week as no Saturday).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from bot.catalog.hours import parse_week
from bot.catalog.hsds import TABLES, export_tables, stable_id
from bot.catalog.hsds_import import import_hsds
from bot.catalog.hsds_json import SCHEMA_DIR, nested, outputs, validator
from bot.catalog.loader import check_catalog, load_catalog
from bot.catalog.model import Catalog
from bot.catalog.writer import ImportFailed, write_files
from bot.cli import main
from tests.conftest import MINI, QUEBEC, ROOT

ALGERIE = ROOT / "catalog" / "algerie"
# Every record of a sample network checked against the official schemas takes a second: the mini network's
# checks run in the inner loop (`tasks.py quick`), the sample networks' in the whole suite.
WHOLE = pytest.mark.slow(busy=True)
NETWORKS = [
    pytest.param(QUEBEC, marks=WHOLE, id="quebec"),
    pytest.param(ALGERIE, marks=WHOLE, id="algerie"),
    pytest.param(MINI, id="mini"),
]
HSDS_CANNOT_CARRY = (  # the bot's own settings of a hub: an import keeps those of the folder it writes into
    "advisor_chat_id",
    "reminder_after_minutes",
    "escalate_after_minutes",
    "unanswered_after_minutes",
    "admins",
    "canned_replies",
)


def aiguilleur(*args: str) -> subprocess.CompletedProcess[str]:
    """The command as a script runs it (one test: the others call `main` in the process, faster)."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "TELEGRAM_BOT_TOKEN": ""},
        timeout=120,
    )


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def schema_errors(catalog: Catalog) -> list[str]:
    """Every record of every table, and every nested service, checked with formats (uuid, email, uri)."""
    tables = export_tables(catalog)
    errors = [
        f"{name}[{index}]: {error.message}"
        for name, kind in TABLES.items()
        for index, row in enumerate(tables[name])
        for error in validator(kind, formats=True).iter_errors(row)
    ]
    errors += [
        f"service {service['id']}: {error.message}"
        for service in nested(tables)
        for error in validator("service_with_definitions", formats=True).iter_errors(service)
    ]
    return errors


@pytest.mark.parametrize("directory", NETWORKS)
def test_export_is_valid_against_the_official_hsds_schemas(directory: Path) -> None:
    catalog = load_catalog(directory)
    assert schema_errors(catalog) == []
    tables = export_tables(catalog)
    assert len(tables["services"]) == len(catalog.hubs) + len(catalog.entries)
    codes = {row["code"] for row in tables["taxonomy_terms"]}
    assert {t.code for dim in ("stages", "needs", "regions") for t in catalog.terms(dim)} <= codes


def test_the_validator_does_see_errors() -> None:
    check = validator("service_with_definitions", formats=True)
    bad = {"id": "not-a-uuid", "name": "x", "status": "maybe", "minimum_age": "18"}
    kinds = {error.validator for error in check.iter_errors(bad)}
    assert kinds == {"format", "enum", "type"}
    assert [e.message for e in validator("service").iter_errors({"id": stable_id("n", "x")})] == [
        "'name' is a required property",
        "'status' is a required property",
    ]


@WHOLE
def test_two_exports_are_identical_and_ids_never_change(tmp_path: Path) -> None:
    catalog = load_catalog(QUEBEC)
    for form in ("tables", "x.json", "x.zip"):
        first = outputs(export_tables(catalog), tmp_path / form, folder=form == "tables")
        again = outputs(export_tables(load_catalog(QUEBEC)), tmp_path / form, folder=form == "tables")
        assert first == again
    # uuid5 of the network and our id: a consumer keeps its records across exports
    assert stable_id("quebec", "entry", "bdc-financement") == "6548db51-53b3-55e1-a88b-3cafb01570dd"
    services = {s["name"]: s["id"] for s in export_tables(catalog)["services"]}
    assert services["Prêts aux PME de BDC"] == stable_id("quebec", "entry", "bdc-financement")


def test_the_schema_copy_stands_alone() -> None:
    assert (
        (SCHEMA_DIR / "LICENSE")
        .read_text(encoding="utf-8")
        .startswith("The Human Services Data Specification")
    )
    assert "CC BY-SA 4.0" in (SCHEMA_DIR / "README.md").read_text(encoding="utf-8")
    for table, kind in TABLES.items():
        schema = json.loads((SCHEMA_DIR / f"{kind}.json").read_text(encoding="utf-8"))
        assert schema["path"] == f"{table}.csv"  # our file names are the HSDS data package's


def catalog_folder(source: Path, into: Path, *files: str) -> Path:
    """A catalog folder holding some of `source`'s files: what an import writes into."""
    into.mkdir(parents=True)
    for name in files:
        if (source / name).exists():
            shutil.copy(source / name, into / name)
    return into


def assert_same_catalog(before: Catalog, after: Catalog) -> None:
    """Field by field; hubs leave out what HSDS cannot carry, and compare their hours as weeks."""
    assert [e.id for e in after.entries] == [e.id for e in before.entries]
    for old, new in zip(before.entries, after.entries, strict=True):
        for name in type(old).model_fields:
            assert getattr(new, name) == getattr(old, name), (old.id, name)
    assert [h.id for h in after.hubs] == [h.id for h in before.hubs]
    for old, new in zip(before.hubs, after.hubs, strict=True):
        for name in type(old).model_fields:
            if name in HSDS_CANNOT_CARRY:
                continue
            mine, theirs = getattr(old, name), getattr(new, name)
            if name == "office_hours":
                mine = parse_week(mine or before.handoff_policy.office_hours)
                theirs = parse_week(theirs or after.handoff_policy.office_hours)
            assert theirs == mine, (old.id, name)


@pytest.mark.parametrize("form", ["tables", "services.json", "tables.zip"])
@pytest.mark.parametrize("directory", NETWORKS)
def test_import_of_the_export_reproduces_the_catalog(directory: Path, form: str, tmp_path: Path) -> None:
    catalog = load_catalog(directory)
    exported = tmp_path / form
    if form == "tables":
        exported.mkdir()
    write_files(outputs(export_tables(catalog), exported, folder=form == "tables"))
    target = catalog_folder(directory, tmp_path / "catalog", "network.yaml", "taxonomy.yaml", "places.yaml")
    written = import_hsds(exported, target)
    assert written.changed == ["hubs.yaml", "opportunities.yaml", "services.yaml"]
    assert written.notes == []  # nothing of our own export is left unmapped
    assert check_catalog(target).errors == []
    assert_same_catalog(catalog, load_catalog(target))


def test_a_hub_keeps_what_hsds_cannot_carry_from_the_folder(tmp_path: Path) -> None:
    exported = tmp_path / "mini.json"
    write_files(outputs(export_tables(load_catalog(MINI)), exported, folder=False))
    target = tmp_path / "mini"
    shutil.copytree(MINI, target)
    before = {name: (target / name).read_bytes() for name in ("hubs.yaml", "services.yaml")}
    written = import_hsds(exported, target)
    assert written.changed == []  # the files already said the same: left as they were, comments included
    assert written.unchanged == ["hubs.yaml", "opportunities.yaml", "services.yaml"]
    assert {name: (target / name).read_bytes() for name in before} == before
    assert load_catalog(target).hub("hub-01").advisor_chat_id == -1001000000001  # type: ignore[union-attr]


def export_json(tmp_path: Path, directory: Path = MINI) -> tuple[Path, dict[str, object]]:
    path = tmp_path / "export.json"
    write_files(outputs(export_tables(load_catalog(directory)), path, folder=False))
    return path, json.loads(path.read_text(encoding="utf-8"))


def failed_import(source: Path, target: Path) -> list[str]:
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    with pytest.raises(ImportFailed) as failed:
        import_hsds(source, target)
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before, "nothing may be written"
    return [str(f) for f in failed.value.findings if f.blocking]


def test_missing_fields_wrong_types_and_unknown_codes_are_placed_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    path, page = export_json(tmp_path)
    services: list[dict[str, object]] = page["contents"]  # type: ignore[assignment]
    # services 0 to 2 are the hubs, then the entries
    del services[3]["status"]
    services[4]["minimum_age"] = "18"
    needs = next(a for a in services[6]["attributes"] if a["link_type"] == "category")  # type: ignore[attr-defined]
    needs["taxonomy_term"]["code"] = "fundng"
    del services[5]["description"]
    path.write_text(json.dumps(page), encoding="utf-8")
    target = shutil.copytree(MINI, tmp_path / "mini")
    problems = failed_import(path, target)
    index = services[6]["attributes"].index(needs)  # type: ignore[attr-defined]
    assert problems == [
        "export.json#/contents/3: 'status' is missing (HSDS requires it)",
        'export.json#/contents/4/minimum_age: "18" is not of type number',
        "export.json#/contents/5/description: 'description' is missing: the entry's summary is required",
        f"export.json#/contents/6/attributes/{index}: need 'fundng' is not one of financing, mentoring, advice",
    ]


def test_a_directory_from_elsewhere_is_taken_in_with_notes(tmp_path: Path) -> None:
    """A 211-style service: no codes of ours; its area is a town of places.yaml; unmapped fields are said."""
    org = {"id": "3f1c5e0e-0000-4000-8000-000000000001", "name": "Centre local", "description": "Local help."}
    service = {
        "id": "3f1c5e0e-0000-4000-8000-000000000002",
        "name": "Aide au démarrage",
        "description": "Accompagnement des nouvelles entreprises.",
        "status": "active",
        "fees_description": "Free",
        "organization": org,
        "service_areas": [{"id": "3f1c5e0e-0000-4000-8000-000000000003", "name": "Rimouski"}],
        "phones": [{"id": "3f1c5e0e-0000-4000-8000-000000000004", "number": "+1 418 555-0199"}],
        "schedules": [{"id": "3f1c5e0e-0000-4000-8000-000000000005", "freq": "WEEKLY", "byday": "MO"}],
    }
    closed = service | {"id": "3f1c5e0e-0000-4000-8000-000000000006", "status": "defunct", "schedules": []}
    path = tmp_path / "directory.json"
    path.write_text(json.dumps({"contents": [service, closed]}), encoding="utf-8")
    target = catalog_folder(
        QUEBEC, tmp_path / "quebec", "network.yaml", "taxonomy.yaml", "places.yaml", "hubs.yaml"
    )
    written = import_hsds(path, target)
    entry = load_catalog(target).entry("aide-au-demarrage")
    assert entry is not None
    assert (entry.regions, entry.title, entry.contact.phone) == (
        ["01"],
        {"fr": "Aide au démarrage", "en": "Aide au démarrage"},
        "+1 418 555-0199",
    )
    assert [str(n) for n in written.notes] == [
        "directory.json#/contents/0/name: no 'en' text: the 'fr' one was copied, translate it",
        "directory.json#/contents/0: not kept: fees_description (the catalog has no such fields)",
        "directory.json#/contents/1/status: not imported: the service is defunct",
        "directory.json#/contents/0/schedules/0: not mapped: the catalog has no place for this schedules record",
    ]


def test_an_area_that_is_no_region_stops_the_import(tmp_path: Path) -> None:
    path, page = export_json(tmp_path)
    services: list[dict[str, object]] = page["contents"]  # type: ignore[assignment]
    area = services[4]["service_areas"][0]  # type: ignore[index]
    area["attributes"] = []
    area["name"] = "Atlantis"
    path.write_text(json.dumps(page), encoding="utf-8")
    target = shutil.copytree(MINI, tmp_path / "mini")
    assert failed_import(path, target) == [
        "export.json#/contents/4/service_areas/0: service area 'Atlantis' is not a region code, region or place"
        " of the catalog"
    ]


def test_command_line_export_and_import(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "catalog", "export", "--catalog", str(MINI), "--format", "hsds", str(tmp_path / "t")
    )
    assert code == 0, err
    assert out.startswith(f"{tmp_path / 't'}: 3 hubs, 6 entries written as hsds (12 files, ")
    assert sorted(p.name for p in (tmp_path / "t").iterdir()) == sorted(f"{t}.json" for t in TABLES)
    zipped = tmp_path / "mini.zip"
    code, out, err = run(
        capsys, "catalog", "export", "--catalog", str(MINI), "--format", "hsds", "--out", str(zipped)
    )
    assert code == 0, err
    assert sorted(zipfile.ZipFile(zipped).namelist()) == sorted(f"{t}.json" for t in TABLES)
    target = catalog_folder(MINI, tmp_path / "into", "network.yaml", "taxonomy.yaml")
    code, out, err = run(capsys, "catalog", "import", "--format", "hsds", str(zipped), "--into", str(target))
    assert (code, err) == (0, "")
    assert out.startswith(f"{target}: wrote hubs.yaml, opportunities.yaml, services.yaml; ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["DIR", "--out", "x.json"], "needs a folder, or --out FILE.json or FILE.zip (one of them)"),
        (["--out", "x.csv"], "give a .json file (nested services) or a .zip file (the tables)"),
        (["--out", "FILE/x.json"], "cannot write"),
        (["FILE/tables"], "cannot write"),
    ],
)
def test_command_line_refuses_bad_output_with_exit_2(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "FILE").write_text("a file, not a folder", encoding="utf-8")
    args = [str(tmp_path / a) if a.startswith(("DIR", "FILE")) else a for a in args]
    code, out, err = run(capsys, "catalog", "export", "--catalog", str(MINI), "--format", "hsds", *args)
    assert (code, out) == (2, "")
    assert message in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["FILE"]


def test_command_line_import_of_bad_json_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"contents": [\n  {"id": 1,}\n]}', encoding="utf-8")
    target = shutil.copytree(MINI, tmp_path / "mini")
    result = aiguilleur("catalog", "import", "--format", "hsds", str(bad), "--into", str(target))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "bad.json:2: not valid JSON: Expecting property name enclosed in double quotes (column 12)",
        f"aiguilleur: {bad}: 1 problem; nothing written to {target}",
    ]
