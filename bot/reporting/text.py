"""The report as plain text for a terminal: aligned tables with the catalog's names, times in hours and
minutes. Every cell comes from `view`, so small counts read "<5"."""

from __future__ import annotations

from bot.catalog.model import Catalog
from bot.reporting.model import Report
from bot.reporting.view import HIDDEN, SMALL, Cell, Section, label, minutes, period_lines, sections

SHORT = {
    "started": "started",
    "profile_completed": "profiles",
    "results_shown": "results",
    "requested": "requests",
    "claimed": "claimed",
    "answered": "answered",
    "closed": "closed",
    "rated": "rated",
    "helped": "helped",
    "claims": "claims",
    "claim_median_min": "claim med",
    "claim_p90_min": "claim p90",
    "answers": "answers",
    "answer_median_min": "answer med",
    "answer_p90_min": "answer p90",
    "claimed_unanswered": "no answer",
    "transfers_in": "transf in",
    "transfers_out": "transf out",
    "mean_rating": "mean ★",
    "comments": "comments",
    "follow_ups": "follow-ups",
    "count": "count",
}


def cell_text(column: str, value: Cell) -> str:
    if column.endswith("_min"):
        return minutes(value)
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.2f}" if column == "mean_rating" else f"{value:.1f}"
    return str(value)


def table(catalog: Catalog, section: Section) -> list[str]:
    """One section as aligned lines: key columns left, values right; nothing but a line when empty."""
    if not section.rows:
        return [section.title, "  (none in this period)"]
    header = [*(k for k in section.keys), *(SHORT.get(c, c) for c in section.columns)]
    body = [
        [
            *(label(catalog, key, code) for key, code in zip(section.keys, keys, strict=True)),
            *(cell_text(c, v) for c, v in zip(section.columns, values, strict=True)),
        ]
        for keys, values in section.rows
    ]
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    split = len(section.keys)

    def line(row: list[str]) -> str:
        left = "  ".join(v.ljust(w) for v, w in zip(row[:split], widths[:split], strict=True))
        right = "  ".join(v.rjust(w) for v, w in zip(row[split:], widths[split:], strict=True))
        return f"  {left}  {right}".rstrip()

    return [section.title, line(header), *(line(row) for row in body)]


def render(catalog: Catalog, report: Report) -> str:
    """The whole report as text, ending with a newline."""
    scope = ", ".join(f"{name} {value}" for name, value in period_lines(report))
    lines = [
        f"Aiguilleur report: {scope}",
        f'Counts only. A cell about fewer than {SMALL} people reads "{HIDDEN}". '
        "Waits are counted in each hub's office hours.",
    ]
    for section in sections(report):
        lines.append("")
        lines.extend(table(catalog, section))
    return "\n".join(lines) + "\n"
