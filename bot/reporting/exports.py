"""The report as CSV and JSON, for spreadsheets and scripts: codes, not names; waits in minutes; every
cell from `view`, so small counts read "<5".

CSV is long: one line per value, `section,hub,region,need,stage,metric,value`, the period first (section
`period`). JSON is `{"period": {...}, "sections": {name: [{key: code, ..., column: value}]}}`.
"""

from __future__ import annotations

import csv
import io
import json

from bot.reporting.model import Report
from bot.reporting.view import Section, period_lines, sections

CSV_HEADER = ("section", "hub", "region", "need", "stage", "metric", "value")


def _csv_rows(section: Section) -> list[list[str]]:
    rows = []
    for keys, values in section.rows:
        named = dict(zip(section.keys, keys, strict=True))
        place = [named.get(k) or "" for k in ("hub", "region", "need", "stage")]
        prefix = named.get("step") or named.get("stars") or ""
        for column, value in zip(section.columns, values, strict=True):
            metric = prefix if prefix and column == "count" else (f"{prefix}:{column}" if prefix else column)
            rows.append([section.name, *place, metric, "" if value is None else str(value)])
    return rows


def to_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for name, value in period_lines(report):
        writer.writerow(["period", "", "", "", "", name, value])
    for section in sections(report):
        writer.writerows(_csv_rows(section))
    return out.getvalue()


def to_json(report: Report) -> str:
    payload = {
        "period": dict(period_lines(report)),
        "sections": {
            section.name: [
                {
                    **dict(zip(section.keys, keys, strict=True)),
                    **dict(zip(section.columns, values, strict=True)),
                }
                for keys, values in section.rows
            ]
            for section in sections(report)
        },
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
