"""`aiguilleur catalog export` and `catalog import`: the catalog to and from HSDS 3.0 and spreadsheets.

Output shapes for scripts: problems go to stderr as `PLACE: message` (a place is `FILE#/json/pointer`,
`SHEET!CELL` or `PATH:LINE`), notes on what was not mapped go to stdout, and the last line of stdout says
what was written. Exit codes: 0 done; 1 the catalog exported has problems (as `catalog check` says); 2 bad
input or an output that cannot be written, and then nothing was written.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from bot.catalog.loader import CatalogInvalid, load_catalog
from bot.catalog.writer import Finding, ImportFailed, Written


def run_export(args: argparse.Namespace, default_catalog: Path) -> int:
    directory: Path = args.catalog or default_catalog
    out: Path | None = args.out
    folder: Path | None = args.directory
    usage = _export_usage(args.format, folder, out)
    if usage:
        print(f"aiguilleur: {usage}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        catalog = load_catalog(directory)
    except CatalogInvalid as exc:
        print(f"aiguilleur: the catalog {directory} has problems:\n{exc}", file=sys.stderr)
        return 1
    try:
        if args.format == "xlsx":
            from bot.catalog.spreadsheet import export_workbook

            assert out is not None
            files = {out: export_workbook(catalog)}
        else:
            from bot.catalog.hsds import export_tables
            from bot.catalog.hsds_json import outputs

            destination = folder or out
            assert destination is not None
            if folder is not None:
                folder.mkdir(parents=True, exist_ok=True)
            files = outputs(export_tables(catalog), destination, folder=folder is not None)
        from bot.catalog.writer import write_files

        write_files(files)
    except OSError as exc:
        where = exc.filename or folder or out
        print(f"aiguilleur: cannot write {where}: {exc.strerror or exc}; nothing written", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - started
    shown = str(folder) if folder is not None else str(out)
    size = sum(len(data) for data in files.values())
    print(
        f"{shown}: {len(catalog.hubs)} hubs, {len(catalog.entries)} entries written as {args.format}"
        f" ({len(files)} files, {size:,} bytes) in {seconds:.2f} s"
    )
    return 0


def _export_usage(kind: str, folder: Path | None, out: Path | None) -> str | None:
    if kind == "xlsx":
        if folder is not None or out is None or out.suffix.lower() != ".xlsx":
            return "catalog export --format xlsx needs --out FILE.xlsx"
        return None
    if (folder is None) == (out is None):
        return "catalog export --format hsds needs a folder, or --out FILE.json or FILE.zip (one of them)"
    if out is not None and out.suffix.lower() not in (".json", ".zip"):
        return f"--out {out}: give a .json file (nested services) or a .zip file (the tables)"
    if folder is not None and folder.exists() and not folder.is_dir():
        return f"{folder} is not a folder"
    return None


def run_import(args: argparse.Namespace) -> int:
    source: Path = args.source
    target: Path = args.into
    started = time.perf_counter()
    if not source.exists():
        print(f"aiguilleur: {source}: no such file or folder; nothing written", file=sys.stderr)
        return 2
    try:
        if args.format == "xlsx":
            from bot.catalog.spreadsheet_import import import_workbook

            written = import_workbook(source, target)
        else:
            from bot.catalog.hsds_import import import_hsds

            written = import_hsds(source, target)
    except ImportFailed as failed:
        _report(failed.findings)
        errors = sum(f.blocking for f in failed.findings)
        problems = "1 problem" if errors == 1 else f"{errors} problems"
        print(f"aiguilleur: {source}: {problems}; nothing written to {target}", file=sys.stderr)
        return 2
    _report(written.notes)
    _summary(target, written, time.perf_counter() - started)
    return 0


def _report(findings: list[Finding]) -> None:
    for finding in findings:
        if finding.blocking:
            print(str(finding), file=sys.stderr)
    for finding in findings:
        if not finding.blocking:
            print(f"note: {finding}")


def _summary(target: Path, written: Written, seconds: float) -> None:
    changed = ", ".join(written.changed) or "nothing (the files already say the same)"
    kept = f"; unchanged: {', '.join(written.unchanged)}" if written.unchanged else ""
    check = (
        f"; {written.warnings} warnings: see aiguilleur catalog check {target}" if written.warnings else ""
    )
    print(f"{target}: wrote {changed}{kept}{check} ({seconds:.2f} s)")
