"""The report as plain text for a terminal: aligned tables with the catalog's names, times in hours and
minutes. Every cell comes from `view`, so small counts read "<5"."""

from __future__ import annotations

from bot.catalog.model import Catalog
from bot.reporting.model import Report
from bot.reporting.view import (
    HIDDEN,
    N_,
    SMALL,
    Cell,
    Gettext,
    Section,
    key_name,
    label,
    minutes,
    period_lines,
    same,
    sections,
)

SHORT = {
    "started": N_("started"),
    "profile_completed": N_("profiles"),
    "results_shown": N_("results"),
    "requested": N_("requests"),
    "claimed": N_("claimed"),
    "answered": N_("answered"),
    "closed": N_("closed"),
    "rated": N_("rated"),
    "helped": N_("helped"),
    "claims": N_("claims"),
    "claim_median_min": N_("claim med"),
    "claim_p90_min": N_("claim p90"),
    "answers": N_("answers"),
    "answer_median_min": N_("answer med"),
    "answer_p90_min": N_("answer p90"),
    "claimed_unanswered": N_("no answer"),
    "transfers_in": N_("transf in"),
    "transfers_out": N_("transf out"),
    "mean_rating": N_("mean ★"),
    "comments": N_("comments"),
    "follow_ups": N_("follow-ups"),
    "count": N_("count"),
    "bans": N_("bans"),
    "sent": N_("sent"),
    "accepted": N_("accepted"),
}


def column_name(column: str, _: Gettext = same) -> str:
    """A value column's short heading for people."""
    return _(SHORT[column]) if column in SHORT else column


def rule_text(_: Gettext = same) -> str:
    """The report's note on what it holds and the "<5" rule."""
    return " ".join(
        (
            _("Counts only: no name, no id, no message."),
            _('A cell about fewer than {small} people reads "{hidden}".').format(small=SMALL, hidden=HIDDEN),
            _("Waits are counted in each hub's office hours."),
        )
    )


def cell_text(column: str, value: Cell, _: Gettext = same) -> str:
    if column.endswith("_min"):
        return minutes(value, _)
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.2f}" if column == "mean_rating" else f"{value:.1f}"
    return str(value)


def table(catalog: Catalog, section: Section, _: Gettext = same, lang: str | None = None) -> list[str]:
    """One section as aligned lines: key columns left, values right; nothing but a line when empty."""
    title = _(section.title)
    if not section.rows:
        return [title, "  " + _("(none in this period)")]
    header = [*(key_name(k, _) for k in section.keys), *(column_name(c, _) for c in section.columns)]
    body = [
        [
            *(label(catalog, key, code, _, lang) for key, code in zip(section.keys, keys, strict=True)),
            *(cell_text(c, v, _) for c, v in zip(section.columns, values, strict=True)),
        ]
        for keys, values in section.rows
    ]
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    split = len(section.keys)

    def line(row: list[str]) -> str:
        left = "  ".join(v.ljust(w) for v, w in zip(row[:split], widths[:split], strict=True))
        right = "  ".join(v.rjust(w) for v, w in zip(row[split:], widths[split:], strict=True))
        return f"  {left}  {right}".rstrip()

    return [title, line(header), *(line(row) for row in body)]


def render(catalog: Catalog, report: Report, _: Gettext = same, lang: str | None = None) -> str:
    """The whole report as text, ending with a newline; its words through `_`, the catalog's names in
    `lang` (default: the network's language)."""
    scope = ", ".join(f"{name} {value}" for name, value in period_lines(report, _))
    lines = [_("Aiguilleur report: {scope}").format(scope=scope), rule_text(_)]
    for section in sections(report):
        lines.append("")
        lines.extend(table(catalog, section, _, lang))
    return "\n".join(lines) + "\n"
