"""The agreement command: two writers' labels of the same texts compared, and the understanding scored
against each (docs/language-data.md, "How far two writers agree")."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.understanding.agreement import main, paired, writers
from bot.understanding.evaluate import CasesError

FIRST = """version: 1
cases:
  - {text: "je cherche du financement pour ma ferme à Rimouski", lang: fr, intent: find_services, slots: {sector: agrifood, region: "01", needs: [financing]}}
  - {text: "merci beaucoup", lang: fr, intent: thanks}
  - {text: "je cherche un appartement à Sherbrooke", lang: fr, intent: out_of_scope}
  - {text: "on a une usine de meubles depuis 20 ans", lang: fr, intent: inform, slots: {stage: established, sector: manufacturing}}
"""
# the second writer agrees on the first three and reads the last one's stage as growth and gives no sector
SECOND = FIRST.replace("{stage: established, sector: manufacturing}", "{stage: growth}")


def tables(tmp_path: Path, second: str = SECOND) -> tuple[Path, Path]:
    (tmp_path / "first.yaml").write_text(FIRST, encoding="utf-8")
    (tmp_path / "second.yaml").write_text(second, encoding="utf-8")
    return tmp_path / "first.yaml", tmp_path / "second.yaml"


def test_the_second_writer_is_scored_against_the_first(tmp_path: Path) -> None:
    report = writers(paired(*tables(tmp_path)))
    assert report.accuracy == 1.0
    assert report.f1("stage")[2] == 0.0  # established against growth
    assert report.f1("sector")[:2] == (1.0, 0.5)  # one of the first writer's two sectors is missing
    assert report.f1("region")[2] == 1.0 and report.f1("needs")[2] == 1.0


def test_tables_of_different_texts_are_refused(tmp_path: Path) -> None:
    first, second = tables(tmp_path, SECOND.replace("merci beaucoup", "merci bien"))
    with pytest.raises(CasesError, match="same texts in the same order"):
        paired(first, second)


def test_the_command_prints_the_writers_and_ours_side_by_side(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main([str(path) for path in tables(tmp_path)])
    out = capsys.readouterr().out
    rows = {
        line.split()[0]: line.split() for line in out.splitlines() if line.startswith(("writers", "ours"))
    }
    assert rows["writers"][2:4] == ["4", "1.000"]  # four texts, the same intent every time
    assert rows["ours"][2] == "4"
    assert "both agree: all" in out  # ours on the three texts both writers labelled alike
    assert "writers' agreement per fact (F1): stage 0.000, sector 0.667, region 1.000, needs 1.000" in out


@pytest.mark.parametrize(
    "second",
    sorted((Path(__file__).parents[1] / "understanding" / "agreement").glob("*.yaml")),
    ids=lambda path: path.name,
)
def test_every_second_labelling_holds_its_tables_texts_in_order(second: Path) -> None:
    """An edit to a blind table (a typo mended) must be made to its second labelling too, or the writers'
    agreement would be measured on different messages."""
    first = second.parents[1] / second.name
    assert len(paired(first, second)) >= 600
