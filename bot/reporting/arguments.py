"""The report command's options, apart from the report itself: `aiguilleur --help` (and every other command)
builds its parser from them without importing the report's model, numpy and the storage layer (about 0.35 s
of every command's start-up)."""

from __future__ import annotations

import argparse
from pathlib import Path

FORMATS = ("text", "csv", "json", "html")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="first", metavar="DATE", help="first day, YYYY-MM-DD (default: all)")
    parser.add_argument("--to", dest="last", metavar="DATE", help="last day, YYYY-MM-DD (default: today)")
    parser.add_argument("--hub", metavar="ID", help="only this hub")
    parser.add_argument("--region", metavar="CODE", help="only this region")
    parser.add_argument("--format", default="text", choices=FORMATS, help="default: text")
    parser.add_argument("--out", type=Path, metavar="PATH", help="write to this file (default: stdout)")
    parser.add_argument("--catalog", type=Path, default=None, help="catalog folder (default: CATALOG_DIR)")
