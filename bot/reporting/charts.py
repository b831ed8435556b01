"""The report's charts as PNG images (matplotlib, Agg backend: no display, no network): the funnel,
response times per hub, demand by need and region, and gaps by need and region.

Values are aggregated from the raw report first, then hidden by the same rule as every table
(`view.count`, `view.statistic`): a bar or a cell about fewer than 5 people is drawn empty and labelled
"<5". A chart with nothing to show is None, and the page says so instead of drawing empty axes.
"""

from __future__ import annotations

import io
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from bot.catalog.model import Catalog
from bot.reporting.model import FUNNEL, Report
from bot.reporting.view import HIDDEN, STEP_LABELS, count, label, statistic

WIDTH, HEIGHT, DPI = 11.0, 4.6, 100
BAR = "#2f6db5"
SECOND = "#e08a2c"
HIDDEN_COLOUR = "#d9d9d9"


Gettext = Callable[[str], str]


def _same(message: str) -> str:
    """No translation: the command line's page is in English, as its tables are."""
    return message


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is drawn."""
    return message


WORDS = (
    N_("people"),
    N_("hours"),
    N_("minutes"),
    N_("to the claim"),
    N_("to the first answer"),
    N_("(unknown)"),
)
"""The charts' own words, for the translators (the digest draws them in the network's language)."""


@dataclass(frozen=True)
class Chart:
    """One chart: its name (file and element id), its title, and its PNG (None: no data in the period)."""

    name: str
    title: str
    png: bytes | None


def _figure(
    height: float = HEIGHT, *, left: float = 2.2, bottom: float = 0.6, right: float = 0.3, top: float = 0.25
) -> Figure:
    """A figure with fixed margins in inches (a layout engine would draw every chart twice: too slow)."""
    figure = Figure(figsize=(WIDTH, height), dpi=DPI)
    FigureCanvasAgg(figure)
    figure.subplots_adjust(
        left=left / WIDTH, right=1 - right / WIDTH, bottom=bottom / height, top=1 - top / height
    )
    return figure


def _png(figure: Figure) -> bytes:
    for text in figure.findobj(Text):
        text.set_text(shaped(text.get_text()))
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI, facecolor="white", pil_kwargs={"compress_level": 3})
    return out.getvalue()


def shaped(text: str) -> str:
    """Arabic as a reader sees it: matplotlib draws characters one by one, left to right, so the letters are
    joined into their contextual forms (arabic-reshaper) and put in visual order (python-bidi) first."""
    if not any("\u0600" <= char <= "\u06ff" for char in text):
        return text
    from arabic_reshaper import reshape  # only for Arabic charts
    from bidi import get_display

    return str(get_display(reshape(text)))


def _margin(names: list[str], size: float = 8.0) -> float:
    """Inches for the longest of these tick labels, at this font size (about 0.55 em per character)."""
    return 0.3 + max((len(n) for n in names), default=4) * size * 0.55 / 72


def _number(value: int | float | str | None) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def funnel_chart(report: Report, _: Gettext = _same) -> Chart:
    title = _("Funnel: from the first message to a referral that helped")
    cells = [(_(STEP_LABELS[name]), count(report.total.funnel[name])) for name, _kind in FUNNEL]
    if not any(value for _name, value in cells):
        return Chart("funnel", title, None)
    names = [name for name, _v in cells][::-1]
    figure = _figure(left=_margin(names, 10))
    axes = figure.add_subplot()
    values = [_number(v) for _n, v in cells][::-1]
    bars = axes.barh(names, values, color=BAR)
    top = max(values) or 1.0
    for bar, (_name, raw) in zip(bars, cells[::-1], strict=True):
        axes.text(bar.get_width() + top * 0.01, bar.get_y() + bar.get_height() / 2, str(raw), va="center")
    axes.set_xlim(0, top * 1.12)
    axes.set_xlabel(_("people"))
    axes.spines[["top", "right"]].set_visible(False)
    return Chart("funnel", title, _png(figure))


def times_chart(catalog: Catalog, report: Report, _: Gettext = _same) -> Chart:
    title = _("Response times per hub, in office hours (median; the thin bar reaches the 90th percentile)")
    rows = []
    for group in report.hubs:
        if group.key is None:
            continue
        t = group.times
        cells = (
            statistic(t.claim_median, t.claims),
            statistic(t.claim_p90, t.claims),
            statistic(t.answer_median, t.answers),
            statistic(t.answer_p90, t.answers),
        )
        if any(c is not None for c in cells):
            rows.append((group.key, cells))
    if not rows:
        return Chart("times", title, None)
    longest = max(_number(c) for _n, cells in rows for c in cells)
    hours = longest > 120
    unit, scale = (_("hours"), 60.0) if hours else (_("minutes"), 1.0)
    names = short_names([label(catalog, "hub", key) for key, _c in rows])[::-1]
    figure = _figure(max(2.4, 0.42 * len(rows) + 1.2), left=_margin(names, 10), top=0.45)
    axes = figure.add_subplot()
    ordered = [cells for _n, cells in rows][::-1]
    y = list(range(len(names)))
    for offset, (median, p90, colour, what) in enumerate(
        ((0, 1, BAR, _("to the claim")), (2, 3, SECOND, _("to the first answer")))
    ):
        ys = [v + (0.2 if offset == 0 else -0.2) for v in y]
        medians = [_number(c[median]) / scale for c in ordered]
        p90s = [_number(c[p90]) / scale for c in ordered]
        axes.barh(ys, p90s, height=0.08, color=colour, alpha=0.6)
        bars = axes.barh(ys, medians, height=0.36, color=colour, label=what)
        for bar, cells in zip(bars, ordered, strict=True):
            if cells[median] == HIDDEN:
                axes.text(0, bar.get_y() + bar.get_height() / 2, f" {HIDDEN}", va="center", fontsize=8)
    axes.set_yticks(y, names)
    axes.set_xlabel(unit)
    axes.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    return Chart("times", title, _png(figure))


def _heatmap(
    catalog: Catalog,
    name: str,
    title: str,
    counts: Counter[tuple[str | None, str]],
    colours: str,
    _: Gettext,
) -> Chart:
    """Need (rows) by region (columns): the count in each cell, "<5" in grey, blank for none."""
    if not counts:
        return Chart(name, title, None)
    regions = [t.code for t in catalog.terms("regions") if any(r == t.code for r, _n in counts)]
    if any(r is None for r, _n in counts):
        regions.append("")
    needs = [t.code for t in catalog.terms("needs") if any(n == t.code for _r, n in counts)]
    needs += sorted({n for _r, n in counts} - set(needs))
    grid = [[counts.get((r or None, n), 0) for r in regions] for n in needs]
    shown = [[count(v) for v in row] for row in grid]
    columns = [label(catalog, "region", r) if r else _("(unknown)") for r in regions]
    rows = [label(catalog, "need", n) for n in needs]
    bottom = 0.35 + _margin(columns) * 0.65  # labels turned 40 degrees
    figure = _figure(max(2.6, 0.3 * len(needs) + bottom + 0.4), left=_margin(rows), bottom=bottom, right=1.4)
    axes = figure.add_subplot()
    values = [[_number(v) if v else math.nan for v in row] for row in shown]
    top = max((v for row in values for v in row if v == v), default=0.0) or 1.0
    image = axes.imshow(values, cmap=colours, aspect="auto", vmin=0, vmax=top)
    for i, row in enumerate(shown):
        for j, value in enumerate(row):
            if value == HIDDEN:
                axes.add_patch(_cell(j, i))
            if value:
                dark = _number(value) > top * 0.6
                axes.text(
                    j, i, str(value), ha="center", va="center", fontsize=7, color="white" if dark else "black"
                )
    axes.set_xticks(range(len(regions)), columns, rotation=40, ha="right", fontsize=8)
    axes.set_yticks(range(len(needs)), rows, fontsize=8)
    axes.tick_params(length=0)
    figure.colorbar(image, ax=axes, label=_("people"), fraction=0.03, pad=0.02)
    return Chart(name, title, _png(figure))


def _cell(x: int, y: int) -> Rectangle:
    return Rectangle((x - 0.5, y - 0.5), 1, 1, color=HIDDEN_COLOUR)


def short_names(names: list[str]) -> list[str]:
    """Names without the words they all begin with ('Pôle régional d'innovation du Bas-Saint-Laurent' ->
    'du Bas-Saint-Laurent'), for the axis of a chart; as they are when only one or when nothing is shared."""
    if len(names) < 2:
        return names
    words = [name.split() for name in names]
    shared = 0
    while all(len(w) > shared + 1 for w in words) and len({w[shared] for w in words}) == 1:
        shared += 1
    return [" ".join(w[shared:]) for w in words]


def demand_chart(catalog: Catalog, report: Report, _: Gettext = _same) -> Chart:
    counts = Counter[tuple[str | None, str]]()
    for need, region, _stage, n in report.demand:
        counts[(region, need)] += n
    return _heatmap(catalog, "demand", _("Demand: needs stated, by need and region"), counts, "Blues", _)


def gaps_chart(catalog: Catalog, report: Report, _: Gettext = _same) -> Chart:
    counts = Counter[tuple[str | None, str]]()
    for region, need, n in report.gaps:
        counts[(region, need)] += n
    return _heatmap(catalog, "gaps", _("Gaps: needs nothing in the catalog covered"), counts, "Oranges", _)


def charts(catalog: Catalog, report: Report, _: Gettext = _same) -> list[Chart]:
    """Every chart of the report, in the page's order; their words in English, or through `_` (the digest
    speaks the network's language; the catalog's names are in its default language either way)."""
    return [
        funnel_chart(report, _),
        times_chart(catalog, report, _),
        demand_chart(catalog, report, _),
        gaps_chart(catalog, report, _),
    ]
