"""The admin's guide says what the code does."""

from __future__ import annotations

from bot.catalog.reference import field_reference
from tests.support.personas import ROOT


def test_catalog_guide_field_reference_matches_the_models() -> None:
    guide = (ROOT / "docs" / "catalog.md").read_text(encoding="utf-8")
    section = guide.split("<!-- reference:start -->\n", 1)[1].split("<!-- reference:end -->", 1)[0]
    assert section == field_reference(), (
        "run: python -m bot.catalog.reference, and paste it into docs/catalog.md"
    )


def test_handoff_lifecycle_diagram_draws_the_codes_transitions() -> None:
    """docs/handoff.md's state diagram and HANDOFF_TRANSITIONS (which storage applies) say the same."""
    import re

    from bot.core.types import HANDOFF_TRANSITIONS

    guide = (ROOT / "docs" / "handoff.md").read_text(encoding="utf-8")
    diagram = guide.split("```mermaid\nstateDiagram-v2\n", 1)[1].split("```", 1)[0]
    drawn = {
        (source, target, action)
        for source, target, action in re.findall(r"^\s*(\w+) --> (\w+): (\w+)$", diagram, re.MULTILINE)
    }
    coded = {
        (source, target, action)
        for action, (sources, target) in HANDOFF_TRANSITIONS.items()
        for source in sources
    }
    assert drawn == coded
    assert {action for _s, _t, action in drawn} == set(HANDOFF_TRANSITIONS)
