"""The `aiguilleur` command line: run, chat, understand, match, report, catalog check, catalog export and
catalog import (HSDS 3.0, spreadsheets). Output shapes are a contract that scripts rely on (README.md,
"Command line")."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.catalog.loader import CatalogInvalid, check_catalog, load_catalog
from bot.catalog.model import DIMENSIONS, ELIGIBILITY, Catalog
from bot.core.matching import Match, explain, rank
from bot.core.results import reason_text
from bot.core.types import Profile
from bot.i18n import I18n
from bot.settings import SettingsError, load_settings

DEFAULT_CATALOG = Path("catalog/quebec")
LANGUAGES = ("fr", "en", "ar")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aiguilleur", description="Telegram referral assistant for networks of innovation hubs."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("run", help="serve Telegram (or chat in the terminal when no token is set)")
    commands.add_parser("chat", help="talk with the bot in the terminal, no Telegram token needed")
    u = commands.add_parser("understand", help="print what the bot understands of a message, as JSON")
    u.add_argument("text", nargs="+", help="the message")
    u.add_argument("--catalog", type=Path, default=None, help="catalog folder (default: CATALOG_DIR)")
    u.add_argument("--lang", choices=("fr", "en", "ar"), help="the message's language (default: detected)")
    m = commands.add_parser("match", help="print the catalog entries that fit a profile")
    m.add_argument("--catalog", type=Path, default=None, help="catalog folder (default: CATALOG_DIR)")
    m.add_argument("--region")
    m.add_argument("--stage")
    m.add_argument("--sector", action="append", default=[], help="repeat for several sectors")
    m.add_argument("--need", action="append", default=[], help="repeat for several needs")
    m.add_argument("--age", type=int, help="the entrepreneur's age (entries may have an age band)")
    m.add_argument("--group", action="append", default=None, help="a target group they belong to; repeat")
    m.add_argument("--no-group", action="store_true", help="they belong to none of the target groups")
    m.add_argument("--legal-form", help="legal form code (company, coop, nonprofit...)")
    m.add_argument("--size", help="company size code (solo, micro, small...)")
    m.add_argument("--lang", help="language of titles and reasons (default: the catalog's)")
    m.add_argument("--limit", type=int, default=5)
    m.add_argument("--today", type=dt.date.fromisoformat, help="YYYY-MM-DD (default: today in the network)")
    m.add_argument("--json", action="store_true", help="print JSON (the scripting contract)")
    r = commands.add_parser(
        "report",
        help="the funnel, response times in office hours, demand and gaps, for a period (counts only)",
    )
    from bot.reporting.arguments import add_arguments

    add_arguments(r)
    r.add_argument(
        "--lang",
        choices=LANGUAGES,
        help="text and html in this language (default: the network's); csv, json: English keys",
    )
    c = commands.add_parser(
        "catalog", help="catalog tools: check a folder; export or import it as HSDS 3.0 or a spreadsheet"
    )
    c_commands = c.add_subparsers(dest="catalog_command", required=True, metavar="ACTION")
    check = c_commands.add_parser("check", help="validate a catalog folder: PATH:LINE: message per problem")
    check.add_argument("directory", type=Path)
    check.add_argument("--strict", action="store_true", help="warnings fail the check too")
    check.add_argument("--today", type=dt.date.fromisoformat, help="YYYY-MM-DD the warnings are dated")
    check.add_argument(
        "--coverage", action="store_true", help="also list the needs no entry covers, per region and stage"
    )
    export = c_commands.add_parser("export", help="write the catalog as HSDS 3.0 JSON or as a spreadsheet")
    export.add_argument("--format", required=True, choices=("hsds", "xlsx"))
    export.add_argument("directory", nargs="?", type=Path, help="hsds: a folder for one JSON file per table")
    export.add_argument(
        "--out", type=Path, help="one file: .json (nested services) or .zip (tables) for hsds; .xlsx for xlsx"
    )
    export.add_argument("--catalog", type=Path, default=None, help="catalog folder (default: CATALOG_DIR)")
    imports = c_commands.add_parser(
        "import", help="write a catalog folder's YAML from HSDS 3.0 data or a spreadsheet"
    )
    imports.add_argument("--format", required=True, choices=("hsds", "xlsx"))
    imports.add_argument("source", type=Path, help="hsds: a folder, .zip or .json; xlsx: the .xlsx file")
    imports.add_argument("--into", type=Path, required=True, help="the catalog folder to write into")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of `aiguilleur` and `python -m bot`."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "catalog" and args.catalog_command == "export":
            from bot.catalog.transfer import run_export

            return run_export(args, args.catalog or load_settings().catalog_dir)
        if args.command == "catalog" and args.catalog_command == "import":
            from bot.catalog.transfer import run_import

            return run_import(args)
        if args.command == "catalog":
            return _catalog_check(
                args.directory, strict=args.strict, today=args.today, coverage=args.coverage
            )
        if args.command == "match":
            return _match(args)
        if args.command == "understand":
            return _understand(args)
        if args.command == "report":
            return _report(args)
        settings = load_settings()
    except SettingsError as exc:
        print(f"aiguilleur: invalid settings:\n{exc}", file=sys.stderr)
        return 2
    from bot.bootstrap import configure_logging

    configure_logging(settings.log_level)
    try:
        if args.command == "chat" or settings.telegram_bot_token is None:
            if args.command == "run":
                print("No TELEGRAM_BOT_TOKEN set: opening the terminal chat instead (aiguilleur chat).")
            from bot.terminal import run_terminal

            return asyncio.run(run_terminal(settings))
        from bot.telegram.app import run_telegram

        return run_telegram(settings)
    except CatalogInvalid as exc:
        print(f"aiguilleur: the catalog {settings.catalog_dir} has problems:\n{exc}", file=sys.stderr)
        return 1


def _understand(args: argparse.Namespace) -> int:
    from bot.understanding.data import load_language_data
    from bot.understanding.understand import Understander

    settings = load_settings()
    directory = args.catalog or settings.catalog_dir
    try:
        catalog = load_catalog(directory)
    except CatalogInvalid as exc:
        print(f"aiguilleur: the catalog {directory} has problems:\n{exc}", file=sys.stderr)
        return 1
    data, _problems = load_language_data(settings.intents_dir, catalog)
    result = Understander(data, catalog).understand(" ".join(args.text), args.lang)
    print(json.dumps(result.as_json(), ensure_ascii=False))
    return 0


def _report(args: argparse.Namespace) -> int:
    """The network's report for a period (bot/reporting): counts only, no name, no id, no text."""
    from bot.reporting.command import run

    settings = load_settings()
    directory = args.catalog or settings.catalog_dir
    try:
        catalog = load_catalog(directory)
    except CatalogInvalid as exc:
        print(f"aiguilleur: the catalog {directory} has problems:\n{exc}", file=sys.stderr)
        return 1
    return asyncio.run(run(args, catalog, settings.database_url))


def _catalog_check(directory: Path, *, strict: bool, today: dt.date | None, coverage: bool = False) -> int:
    checked = check_catalog(directory, today=today)
    if checked.catalog is not None:
        from bot.understanding.data import load_language_data

        intents = load_settings().intents_dir
        if intents.is_dir():
            checked.problems.extend(load_language_data(intents, checked.catalog)[1])
    for problem in checked.problems:
        print(str(problem))
    warnings = len(checked.problems) - len(checked.errors)
    if checked.errors:
        print(f"{directory}: {len(checked.errors)} errors, {warnings} warnings", file=sys.stderr)
        return 1
    catalog = checked.catalog
    assert catalog is not None
    summary = f"{len(catalog.hubs)} hubs, {len(catalog.entries)} entries, {len(catalog.places)} places"
    for line in _overrides(catalog):
        print(line)
    print(f"{directory}: OK ({summary}), {warnings} warnings", file=sys.stderr)
    if coverage:
        from bot.core.coverage import coverage_lines

        gaps = coverage_lines(catalog, today or catalog.today())
        print(f"needs no entry covers, per region and stage ({len(gaps)} regions with gaps):")
        for line in gaps or ["(none: every need is covered in every region at every stage)"]:
            print(f"  {line}")
    return 1 if strict and warnings else 0


def _overrides(catalog: Catalog) -> list[str]:
    """The hub groups linked with /link in the bot's database (DATABASE_URL), which routing uses instead of
    `advisor_chat_id` of hubs.yaml; nothing when that database does not exist yet."""
    from sqlalchemy.engine.url import make_url

    url = load_settings().database_url
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
        return []

    async def read() -> list[Any]:
        from bot.storage import Store

        store = await Store.open(url, migrate=False)
        try:
            return await store.hub_links()
        finally:
            await store.close()

    try:
        links = asyncio.run(read())
    except Exception as exc:  # no such table yet (an older bot), or the database is unreachable
        from bot.storage import describe

        return [
            f"warning: the groups linked with /link could not be read from DATABASE_URL ({describe(exc)})"
        ]
    shown = []
    for link in links:
        hub = catalog.hub(link.hub_id)
        if hub is None:
            shown.append(
                f"override: hub '{link.hub_id}' (no longer in hubs.yaml) was linked to {link.chat_id}"
            )
            continue
        was = f"advisor_chat_id {hub.advisor_chat_id}" if hub.advisor_chat_id else "no advisor_chat_id"
        shown.append(
            f"override: {hub.id} uses group {link.chat_id}, linked with /link by user {link.linked_by} on "
            f"{link.linked_at:%Y-%m-%d} (hubs.yaml: {was})"
        )
    return shown


def _match(args: argparse.Namespace) -> int:
    directory = args.catalog or load_settings().catalog_dir
    try:
        catalog = load_catalog(directory)
    except CatalogInvalid as exc:
        print(f"aiguilleur: the catalog {directory} has problems:\n{exc}", file=sys.stderr)
        return 1
    unknown = _unknown_codes(catalog, args)
    if unknown:
        print("\n".join(unknown), file=sys.stderr)
        return 2
    lang = args.lang or catalog.default_language
    profile = Profile(
        args.stage,
        tuple(dict.fromkeys(args.sector)),
        args.region,
        tuple(dict.fromkeys(args.need)),
        age=args.age,
        groups=() if args.no_group else (tuple(args.group) if args.group else None),
        legal_form=args.legal_form,
        size=args.size,
    )
    day = args.today or catalog.today()
    ranking = rank(catalog, profile, today=day)
    results = [explain(entry, profile, day) for entry in ranking.best(max(args.limit, 0))]
    gettext = I18n().get(lang).gettext
    found = [_result_json(catalog, item, lang, gettext) for item in results]
    payload = {"results": found, "uncovered": list(ranking.uncovered)}
    if args.json:
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        for number, item in enumerate(found, start=1):
            reasons = " · ".join(r["label"] for r in item["reasons"])
            deadline = f" (deadline {item['deadline']})" if item["deadline"] else ""
            print(f"{number}. {item['title']} — {item['organization']}{deadline}\n   {reasons}")
        for need in ranking.uncovered:
            print(f"nothing covers: {catalog.label('needs', need, lang)} [{need}]")
    return 0


def _unknown_codes(catalog: Catalog, args: argparse.Namespace) -> list[str]:
    wanted = {
        "regions": [args.region],
        "stages": [args.stage],
        "sectors": args.sector,
        "needs": args.need,
        "groups": args.group or [],
        "legal_forms": [args.legal_form],
        "sizes": [args.size],
    }
    problems = []
    if args.age is not None and not 0 <= args.age <= 120:
        problems.append(f"aiguilleur: --age {args.age} is not an age (0 to 120)")
    for dimension in (*DIMENSIONS, *ELIGIBILITY):
        for code in wanted[dimension]:
            if code is not None and not catalog.has_code(dimension, code):
                known = ", ".join(t.code for t in catalog.terms(dimension))
                name = dimension.removesuffix("s").replace("_", " ")
                problems.append(f"aiguilleur: unknown {name} '{code}' (known: {known or 'none'})")
    if args.lang and args.lang not in catalog.languages:
        problems.append(f"aiguilleur: unknown language '{args.lang}' (known: {', '.join(catalog.languages)})")
    return problems


def _result_json(catalog: Catalog, item: Match, lang: str, gettext: Callable[[str], str]) -> dict[str, Any]:
    entry = item.entry
    deadline = getattr(entry, "deadline", None)
    return {
        "id": entry.id,
        "kind": entry.kind,
        "title": catalog.text(entry.title, lang),
        "organization": entry.organization,
        "regions": list(entry.regions),
        "stages": list(entry.stages),
        "sectors": list(entry.sectors),
        "needs": list(entry.needs),
        "deadline": deadline.isoformat() if deadline else None,
        "score": item.score,
        "reasons": [
            {"kind": r.dimension, "code": r.code, "label": reason_text(catalog, gettext, lang, r)}
            for r in item.reasons
        ],
    }
