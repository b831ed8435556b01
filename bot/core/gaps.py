"""The gap table of `aiguilleur report`: how often a stated need found nothing, per region and need.

Each row recorded by the dialogue is one need that no eligible entry covered for one entrepreneur's profile
(codes only). The table counts them region by need, so a network sees where its catalog is thin.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from bot.catalog.model import Catalog
from bot.core.types import Gap


def gap_table(catalog: Catalog, gaps: Iterable[Gap]) -> list[str]:
    """A text table: one row per region with gaps, one column per need that was ever uncovered."""
    counts = Counter((gap.region or "", gap.need) for gap in gaps)
    total = sum(counts.values())
    if not total:
        return ["0 needs found nothing (no gap recorded)"]
    lang = catalog.default_language
    needs = sorted({need for _region, need in counts}, key=lambda n: (-_total(counts, need=n), n))
    regions = sorted({region for region, _need in counts}, key=lambda r: (-_total(counts, region=r), r))

    def region_name(code: str) -> str:
        return catalog.label("regions", code, lang) if code else "?"

    first = max(len(region_name(r)) for r in regions)
    widths = [max(len(catalog.label("needs", n, lang)), 3) for n in needs]
    header = (
        " " * first
        + "  "
        + "  ".join(catalog.label("needs", n, lang).rjust(w) for n, w in zip(needs, widths, strict=True))
    )
    rows = [
        region_name(r).ljust(first)
        + "  "
        + "  ".join(str(counts.get((r, n), "") or "·").rjust(w) for n, w in zip(needs, widths, strict=True))
        for r in regions
    ]
    return [f"{total} needs found nothing (region x need):", header, *rows]


def _total(counts: Counter[tuple[str, str]], *, region: str | None = None, need: str | None = None) -> int:
    """How many gaps a region (or a need) has in all: rows and columns come most first."""
    return sum(c for (r, n), c in counts.items() if region in (None, r) and need in (None, n))
