"""The network's report (`aiguilleur report`, the monthly digest): what it counts, and how it is shown.

`model` turns the storage's grouped counts (bot/storage/reports.py) into a `Report` of plain numbers,
`durations` counts waits in each hub's office hours, `view` turns a report into tables in which every cell
about fewer than 5 people reads "<5", and `text`, `exports` (CSV, JSON), `html` and `charts` render those
tables, so that no export can show a small count. docs/report.md says what each number means.
"""
