"""Catalog validation: every problem found, each at the line of the offending value, in plain words."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.catalog.loader import CatalogInvalid, check_catalog, load_catalog
from tests.conftest import MINI, QUEBEC


def broken(tmp_path: Path, name: str, old: str, new: str) -> Path:
    """A copy of the mini catalog with one edit, as an admin would make it."""
    folder = tmp_path / "catalog"
    shutil.copytree(MINI, folder)
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def messages(folder: Path) -> list[str]:
    return [str(p).replace(f"{folder}/", "") for p in check_catalog(folder).errors]


def test_sample_catalog_is_valid_and_complete(quebec_catalog) -> None:
    assert len(quebec_catalog.hubs) == 18
    served = {region for hub in quebec_catalog.hubs for region in hub.regions}
    assert served == {f"{n:02d}" for n in range(1, 18)} | {"idm"}
    assert len(quebec_catalog.entries) >= 40
    for region in served:
        own = [e for e in quebec_catalog.entries if region in e.regions]
        assert own, f"region {region} has no entry of its own"
    for need in (t.code for t in quebec_catalog.terms("needs")):
        assert any(need in e.needs for e in quebec_catalog.entries), need


def test_check_reports_nothing_for_the_sample_catalogs() -> None:
    assert check_catalog(QUEBEC).errors == []
    assert check_catalog(MINI).problems == []


def test_unknown_region_code_points_at_its_line(tmp_path: Path) -> None:
    folder = broken(tmp_path, "services.yaml", 'regions: ["01"]', 'regions: ["19"]')
    assert messages(folder) == ["services.yaml:13: region '19' is not one of 01, 02"]


def test_unknown_need_and_stage_are_all_reported(tmp_path: Path) -> None:
    folder = broken(
        tmp_path,
        "services.yaml",
        "stages: [startup]\n    needs: [advice]",
        "stages: [seed]\n    needs: [advise]",
    )
    assert messages(folder) == [
        "services.yaml:26: stage 'seed' is not one of idea, startup",
        "services.yaml:27: need 'advise' is not one of financing, mentoring, advice",
    ]


def test_missing_field_and_unknown_field(tmp_path: Path) -> None:
    folder = broken(
        tmp_path, "services.yaml", "    organization: Banque exemple\n", "    organisation: Banque exemple\n"
    )
    assert messages(folder) == [
        "services.yaml:3: 'organization' is missing",
        "services.yaml:5: unknown field 'organisation' (check its spelling in docs/catalog.md)",
    ]


def test_bad_date_url_and_email(tmp_path: Path) -> None:
    folder = broken(tmp_path, "opportunities.yaml", "deadline: 2027-03-15", "deadline: 15 mars 2027")
    assert messages(folder) == [
        "opportunities.yaml:16: deadline: '15 mars 2027' is not a date written YYYY-MM-DD"
    ]
    folder = broken(
        tmp_path / "b", "services.yaml", 'url: "https://example.org/fund"', 'url: "javascript:alert(1)"'
    )
    assert messages(folder) == [
        "services.yaml:8: url: 'javascript:alert(1)' is not a web address starting with https:// or http://"
    ]


def test_duplicate_id_across_files(tmp_path: Path) -> None:
    folder = broken(tmp_path, "opportunities.yaml", "id: call-01", "id: fund-02")
    assert messages(folder) == ["opportunities.yaml:9: id 'fund-02' is already used at services.yaml:16"]


def test_region_no_hub_serves(tmp_path: Path) -> None:
    folder = broken(tmp_path, "hubs.yaml", 'regions: ["02"]', 'regions: ["01"]')
    assert messages(folder) == [
        "hubs.yaml:9: region '01' is already served by hub-01",
        "hubs.yaml:3: no hub serves region '02'",
    ]


def test_deadline_before_opening(tmp_path: Path) -> None:
    folder = broken(tmp_path, "opportunities.yaml", "opens_on: 2026-10-01", "opens_on: 2027-10-01")
    assert messages(folder) == ["opportunities.yaml:16: deadline is before opens_on"]


def test_yaml_syntax_error_has_its_line(tmp_path: Path) -> None:
    folder = broken(tmp_path, "hubs.yaml", '    regions: ["02"]', '    regions: ["02"')
    (problem,) = check_catalog(folder).errors
    assert problem.path.name == "hubs.yaml" and problem.line == 10
    assert problem.message.startswith("not valid YAML")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "hubs.yaml:1: file is empty"),
        (b"version: 1\nhubs: [\xff\xfe]\n", "hubs.yaml:2: file is not UTF-8 text (save it as UTF-8)"),
        (
            b"a: &a [x, x]\nb: &b [*a, *a]\n",
            "hubs.yaml:2: not valid YAML: aliases (*name) are not allowed in a catalog file",
        ),
        (
            b"version: 1\nhubs: !!python/object/apply:os.system [echo hi]\n",
            "hubs.yaml:2: tags such as !!python/... are not allowed in a catalog file",
        ),
        (
            b"- just\n- a list\n",
            "hubs.yaml:1: the file must be a set of 'key: value' lines, starting with version: 1",
        ),
        (
            b"version: 1\nversion: 2\n",
            "hubs.yaml:2: not valid YAML: 'version' appears twice in the same record",
        ),
        (
            b"version: 1\nhubs: []\n",
            "hubs.yaml:2: hubs: List should have at least 1 item after validation, not 0",
        ),
    ],
)
def test_hostile_or_broken_files_are_refused_cleanly(tmp_path: Path, content: bytes, expected: str) -> None:
    folder = tmp_path / "catalog"
    shutil.copytree(MINI, folder)
    (folder / "hubs.yaml").write_bytes(content)
    assert messages(folder) == [expected]


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "catalog"
    shutil.copytree(MINI, folder)
    (folder / "services.yaml").write_text("version: 1\n#" + "x" * 2_100_000 + "\n")
    assert messages(folder) == ["services.yaml:1: file is larger than 2 MB"]


def test_not_a_catalog_folder(tmp_path: Path) -> None:
    assert [p.message for p in check_catalog(tmp_path).errors] == [
        "no catalog here: expected network.yaml, taxonomy.yaml, hubs.yaml, services.yaml, opportunities.yaml"
    ]
    assert [p.message for p in check_catalog(tmp_path / "nope").errors] == ["no such catalog folder"]


def test_load_raises_with_every_problem(tmp_path: Path) -> None:
    folder = broken(tmp_path, "services.yaml", "needs: [financing]", "needs: [money]")
    with pytest.raises(CatalogInvalid) as raised:
        load_catalog(folder)
    assert len(raised.value.problems) == 1
    assert "need 'money' is not one of" in str(raised.value)
