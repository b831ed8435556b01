"""The admin's guide says what the code does."""

from __future__ import annotations

from bot.catalog.reference import field_reference
from tests.conftest import ROOT


def test_catalog_guide_field_reference_matches_the_models() -> None:
    guide = (ROOT / "docs" / "catalog.md").read_text(encoding="utf-8")
    section = guide.split("<!-- reference:start -->\n", 1)[1].split("<!-- reference:end -->", 1)[0]
    assert section == field_reference(), (
        "run: python -m bot.catalog.reference, and paste it into docs/catalog.md"
    )
