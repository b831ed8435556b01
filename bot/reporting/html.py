"""The report as one self-contained HTML page: the charts first (PNG images inline, as data: URIs), then
every table. No script, no font, no link to fetch: the page's Content-Security-Policy forbids the network,
so it opens the same offline, attached to an e-mail or from a USB key."""

from __future__ import annotations

import base64
from html import escape
from typing import TYPE_CHECKING

from bot.catalog.model import Catalog
from bot.reporting.model import Report
from bot.reporting.text import cell_text, column_name, rule_text
from bot.reporting.view import HIDDEN, Gettext, Section, key_name, label, period_lines, same, sections

if TYPE_CHECKING:
    from bot.reporting.charts import Chart

STYLE = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d1d1f;
       margin: 24px auto; max-width: 1140px; padding: 0 16px; background: #fff; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; }
p.scope, p.rule { color: #555; margin: 2px 0; }
figure.chart { margin: 18px 0; padding: 0; }
figure.chart figcaption { font-weight: 600; margin-bottom: 6px; }
figure.chart img { display: block; width: 100%; max-width: 1100px; height: auto; }
figure.chart p.none { color: #777; font-style: italic; margin: 4px 0 12px; }
table { border-collapse: collapse; margin: 6px 0 18px; font-size: 13px; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 3px 8px; text-align: right; white-space: nowrap; }
th.key, td.key { text-align: left; }
thead th { background: #f4f6f8; }
tr.total td { font-weight: 600; }
td.hidden { color: #888; }
div.wide { overflow-x: auto; }
"""
POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


RTL = ("ar",)  # the languages written right to left


def _figure(chart: Chart, _: Gettext) -> str:
    title = escape(chart.title)
    if chart.png is None:
        body = f'<p class="none">{escape(_("No data in this period."))}</p>'
    else:
        data = base64.b64encode(chart.png).decode("ascii")
        body = f'<img alt="{title}" src="data:image/png;base64,{data}">'
    return f'<figure class="chart" id="chart-{chart.name}"><figcaption>{title}</figcaption>{body}</figure>'


def _table(catalog: Catalog, section: Section, _: Gettext, lang: str | None) -> str:
    head = "".join(f'<th class="key">{escape(key_name(k, _))}</th>' for k in section.keys) + "".join(
        f"<th>{escape(column_name(c, _))}</th>" for c in section.columns
    )
    title = escape(_(section.title))
    if not section.rows:
        return f"<h2>{title}</h2><p class='none'>{escape(_('None in this period.'))}</p>"
    rows = []
    for keys, values in section.rows:
        total = " class='total'" if keys and keys[0] == "*" else ""
        cells = "".join(
            f'<td class="key">{escape(label(catalog, key, code, _, lang))}</td>'
            for key, code in zip(section.keys, keys, strict=True)
        )
        cells += "".join(
            f"<td{' class=hidden' if value == HIDDEN else ''}>{escape(cell_text(column, value, _))}</td>"
            for column, value in zip(section.columns, values, strict=True)
        )
        rows.append(f"<tr{total}>{cells}</tr>")
    return (
        f'<h2>{title}</h2><div class="wide"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def to_html(catalog: Catalog, report: Report, _: Gettext = same, lang: str = "en") -> str:
    """The page in `lang`: its words through `_`, the catalog's names in `lang`, right to left in Arabic."""
    from bot.reporting.charts import charts  # matplotlib: loaded when a page is drawn, not with this module

    name = catalog.text(catalog.network.name, lang)
    scope = " · ".join(f"{escape(k)}: {escape(v)}" for k, v in period_lines(report, _))
    heading = escape(_("Aiguilleur report: {network}").format(network=name))
    direction = ' dir="rtl"' if lang in RTL else ""
    parts = [
        "<!doctype html>",
        f'<html lang="{escape(lang)}"{direction}><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{heading}</title><style>{STYLE}</style></head><body>",
        f"<h1>{heading}</h1>",
        f'<p class="scope">{scope}</p>',
        f'<p class="rule">{escape(rule_text(_))}</p>',
        '<section class="charts">',
        *(_figure(chart, _) for chart in charts(catalog, report, _)),
        "</section>",
        *(_table(catalog, section, _, lang) for section in sections(report)),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"
