"""The command line: exact output shapes and exit codes. Most commands run through `bot.cli.main(argv)`, what
`python -m bot` calls, in this process (its environment, output streams and exit code as a script would see
them): a new interpreter per command cost about 2 s of CPU each, 23 times. The `--help` and `run` tests start
the real script."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from tests.support.personas import MINI, ROOT


def aiguilleur(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`aiguilleur ARGS` with these environment variables, no Telegram token: its exit code and output."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with (
        pytest.MonkeyPatch.context() as patch,
        contextlib.redirect_stdout(stdout),
        contextlib.redirect_stderr(stderr),
    ):
        for name, value in {"TELEGRAM_BOT_TOKEN": "", **env}.items():
            patch.setenv(name, value)
        try:
            code = main(list(args))
        except SystemExit as exit_:  # argparse's usage errors
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    return subprocess.CompletedProcess(["aiguilleur", *args], code, stdout.getvalue(), stderr.getvalue())


def test_help_lists_every_command_with_one_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    for command in ("run", "chat", "match", "catalog"):
        assert f"    {command} " in result.stdout


def test_match_json_follows_the_contract() -> None:
    result = aiguilleur(
        "match",
        "--catalog",
        str(MINI),
        "--region",
        "01",
        "--need",
        "financing",
        "--today",
        "2026-11-23",
        "--limit",
        "2",
        "--lang",
        "en",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert list(payload) == ["results", "uncovered"]
    assert payload["uncovered"] == []
    first, second = payload["results"]
    assert list(first) == [
        "id",
        "kind",
        "title",
        "organization",
        "regions",
        "stages",
        "sectors",
        "needs",
        "deadline",
        "score",
        "reasons",
    ]
    assert (first["id"], first["kind"], first["title"], first["deadline"]) == (
        "call-01",
        "opportunity",
        "BSL regional call",
        "2027-03-15",
    )
    assert first["reasons"] == [
        {"kind": "need", "code": "financing", "label": "Financing"},
        {"kind": "region", "code": "01", "label": "in Bas-Saint-Laurent"},
    ]
    assert (second["id"], second["kind"], second["deadline"]) == ("fund-all", "service", None)
    assert first["score"] > second["score"]


def test_match_refuses_unknown_codes() -> None:
    result = aiguilleur("match", "--catalog", str(MINI), "--region", "19", "--json")
    assert result.returncode == 2
    assert result.stderr.strip() == "aiguilleur: unknown region '19' (known: 01, 02, 03)"


def test_match_takes_several_sectors_and_eligibility_and_names_the_gaps() -> None:
    quebec = str(ROOT / "catalog" / "quebec")
    common = (
        "match",
        "--catalog",
        quebec,
        "--region",
        "11",
        "--stage",
        "succession",
        "--today",
        "2026-12-03",
    )
    older = aiguilleur(
        *common,
        "--sector",
        "retail",
        "--sector",
        "services",
        "--need",
        "advice",
        "--age",
        "67",
        "--no-group",
        "--legal-form",
        "company",
        "--limit",
        "50",
        "--json",
    )
    assert older.returncode == 0, older.stderr
    payload = json.loads(older.stdout)
    shown = [r["id"] for r in payload["results"]]
    assert "sadc-strategie-jeunesse" not in shown  # a youth loan (18-39) is never shown to a 67-year-old
    assert all("advice" in r["needs"] for r in payload["results"][:4])
    unknown_age = json.loads(aiguilleur(*common, "--need", "advice", "--limit", "50", "--json").stdout)
    youth = next(r for r in unknown_age["results"] if r["id"] == "sadc-strategie-jeunesse")
    assert {"kind": "age", "code": "18-39", "label": "si vous avez de 18 à 39 ans"} in youth["reasons"]
    gap = json.loads(aiguilleur(*common, "--need", "incubation", "--need", "advice", "--json").stdout)
    assert gap["uncovered"] == ["incubation"]
    text = aiguilleur(*common, "--need", "incubation", "--lang", "en")
    assert text.stdout.splitlines()[-1] == "nothing covers: Incubation / acceleration [incubation]"


def test_match_refuses_unknown_eligibility_codes() -> None:
    result = aiguilleur(
        "match", "--catalog", str(ROOT / "catalog" / "quebec"), "--group", "youth", "--age", "300"
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "aiguilleur: --age 300 is not an age (0 to 120)",
        "aiguilleur: unknown group 'youth' (known: women, indigenous, immigrants, students, graduates, underrepresented)",
    ]


def test_catalog_check_coverage_lists_needs_no_entry_covers() -> None:
    result = aiguilleur("catalog", "check", str(MINI), "--coverage", "--today", "2026-11-23")
    assert result.returncode == 0
    lines = result.stdout.split("needs no entry covers, per region and stage (3 regions with gaps):\n", 1)[1]
    assert lines.splitlines()[0] == ("  Bas-Saint-Laurent (01): Conseils [advice] (Idée)")


def test_catalog_check_exit_codes(tmp_path: Path) -> None:
    ok = aiguilleur("catalog", "check", str(MINI), "--today", "2026-11-23")
    assert ok.returncode == 0
    assert all(": warning: " in line for line in ok.stdout.splitlines())
    assert ok.stderr.startswith(
        f"{MINI}: OK (3 hubs, 6 entries, 0 places), "
    )  # the mini network uses few codes
    assert "opportunities.yaml:9: warning: deadline 2026-01-15 has passed" in ok.stdout
    strict = aiguilleur("catalog", "check", "--strict", str(MINI), "--today", "2026-11-23")
    assert strict.returncode == 1
    (tmp_path / "hubs.yaml").write_text("version: 1\nhubs: []\n")
    bad = aiguilleur("catalog", "check", str(tmp_path))
    assert bad.returncode == 1
    assert (
        f"{tmp_path}/hubs.yaml:2: hubs: List should have at least 1 item after validation, not 0"
        in bad.stdout
    )
    assert f"{tmp_path}/network.yaml:1: file is missing" in bad.stdout


@pytest.mark.slow(busy=True)  # starts the command in fresh interpreters, a second each
def test_run_without_token_says_so_and_opens_the_terminal_chat(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        input="/quit\n",
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **os.environ,
            "TELEGRAM_BOT_TOKEN": "",
            "CATALOG_DIR": str(ROOT / "catalog" / "quebec"),
            "PYTHONPATH": str(ROOT),
        },
    )
    assert result.returncode == 0, result.stderr
    assert (
        result.stdout.splitlines()[0]
        == "No TELEGRAM_BOT_TOKEN set: opening the terminal chat instead (aiguilleur chat)."
    )
    assert "bot> Bonjour ! Je suis Aiguilleur" in result.stdout
    assert (tmp_path / "data" / "aiguilleur.db").exists()


def test_bad_settings_name_the_variable() -> None:
    result = aiguilleur("chat", RETENTION_DAYS="forever")
    assert result.returncode == 2
    assert "RETENTION_DAYS:" in result.stderr


@pytest.mark.slow(busy=True)  # starts the command in fresh interpreters, a second each
def test_understand_prints_the_contract() -> None:
    result = aiguilleur("understand", "chu en démarrage dans l'agro à Rimouski pis j'cherche du financement")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert list(payload) == ["lang", "intent", "confidence", "slots"]
    assert payload["lang"] == "fr" and payload["intent"] == "find_services" and 0 < payload["confidence"] <= 1
    assert payload["slots"] == {
        "stage": "startup",
        "sector": "agrifood",
        "region": "01",
        "needs": ["financing"],
    }
    english = json.loads(aiguilleur("understand", "--lang", "en", "hi there").stdout)
    assert (english["lang"], english["intent"], english["slots"]["needs"]) == ("en", "greet", [])
    arabic = aiguilleur(
        "understand", "--catalog", str(ROOT / "catalog" / "algerie"), "عندي مشروع ستارتاب في وهران"
    )
    assert json.loads(arabic.stdout)["slots"]["region"] == "DZ-31"


def _record_gaps_and_requests(url: str) -> None:
    """Seven gaps (six of one need in one region), and six requests of a named person, claimed."""
    import asyncio
    import datetime as dt

    from bot.core.funnel import FunnelEvent, Kind
    from bot.core.types import Profile
    from bot.storage import Store

    async def record() -> None:
        store = await Store.open(url)
        for _ in range(6):
            await store.record_gaps(
                network="mini", profile=Profile("idea", ("tech",), "01"), needs=("advice",)
            )
        await store.record_gaps(network="mini", profile=Profile("idea", (), "02"), needs=("mentoring",))
        await store.record_gaps(network="other", profile=Profile(region="01"), needs=("advice",))
        start = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)  # a Tuesday, 10:00 in Québec
        for n in range(6):
            handoff = await store.create_handoff(
                user_chat_id=100 + n,
                hub_id="hub-01",
                hub_chat_id=-1001000000001,
                lang="fr",
                question="Question privée",
                first_name="Marie",
                username="marie_t",
                profile=Profile("idea", (), "01"),
                matches=(),
                remind_at=None,
                at=start,
            )
            event = FunnelEvent(Kind.REQUESTED, "hub-01", "01", "idea", handoff_id=handoff.id)
            await store.record_events(network="mini", events=[event], at=start)
            claimed = FunnelEvent(Kind.CLAIMED, "hub-01", "01", "idea", handoff_id=handoff.id)
            await store.record_events(
                network="mini", events=[claimed], at=start + dt.timedelta(minutes=10 * n)
            )
        await store.close()

    asyncio.run(record())


def test_report_counts_gaps_requests_and_waits_without_names(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'report.db'}"
    _record_gaps_and_requests(url)
    env = {"CATALOG_DIR": str(MINI), "DATABASE_URL": url}
    result = aiguilleur("report", "--format", "csv", **env)
    assert result.returncode == 0, result.stderr
    rows = [line.split(",") for line in result.stdout.splitlines()]
    assert rows[0] == ["section", "hub", "region", "need", "stage", "metric", "value"]
    assert ["gaps", "", "01", "advice", "", "count", "6"] in rows
    assert ["gaps", "", "02", "mentoring", "", "count", "<5"] in rows
    assert ["funnel", "", "", "", "", "requested", "6"] in rows
    assert ["hub_times", "hub-01", "", "", "", "claim_median_min", "25.0"] in rows  # 0, 10, ... 50 minutes
    text = aiguilleur("report", **env)
    assert text.returncode == 0, text.stderr
    assert "Pôle du Bas-Saint-Laurent" in text.stdout and "25 min" in text.stdout
    for output in (result.stdout, text.stdout):
        assert "Marie" not in output and "marie_t" not in output and "privée" not in output
        assert "100" not in output.replace("1001000000001", "")  # no chat id either
    one_day = aiguilleur("report", "--format", "json", "--from", "2026-11-25", "--to", "2026-11-30", **env)
    sections = json.loads(one_day.stdout)["sections"]
    assert sections["funnel"][3] == {"step": "requested", "count": 0}, "the requests came the day before"
    region = aiguilleur("report", "--format", "json", "--region", "02", **env)
    assert json.loads(region.stdout)["sections"]["gaps"] == [
        {"region": "02", "need": "mentoring", "count": "<5"}
    ]


def test_report_writes_its_formats_to_a_file(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'report.db'}"
    _record_gaps_and_requests(url)
    env = {"CATALOG_DIR": str(MINI), "DATABASE_URL": url}
    page = tmp_path / "report.html"
    result = aiguilleur("report", "--format", "html", "--out", str(page), "--hub", "hub-01", **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and page.read_text().startswith("<!doctype html>")
    assert page.read_text().count("data:image/png;base64,") == 3  # no need was stated: no demand to draw
    assert '<html lang="fr">' in page.read_text()  # the network's language by default
    assert (
        'id="chart-demand"><figcaption>Demande : les besoins exprimés, par besoin et par région</figcaption>'
        '<p class="none">' in (page.read_text())
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("--from", "2026-11-30", "--to", "2026-11-01"), "out of order"),
        (("--to", "2999-01-01"), "is in the future"),
        (("--from", "2999-01-01"), "is in the future"),
        (("--from", "30/11/2026"), "is not a date"),
        (("--hub", "hub-99"), "unknown hub 'hub-99' (known: hub-01, hub-02, hub-03)"),
        (("--region", "99"), "unknown region '99'"),
        (("--out", "/nonexistent-folder/report.csv"), "does not exist"),
        (("--out", "."), "it is a folder"),
    ],
)
def test_report_refuses_bad_input_with_exit_code_2(
    tmp_path: Path, arguments: tuple[str, ...], message: str
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'report.db'}"
    result = aiguilleur("report", *arguments, CATALOG_DIR=str(MINI), DATABASE_URL=url)
    assert result.returncode == 2
    assert result.stdout == "" and message in result.stderr and result.stderr.count("\n") == 1
    assert not (tmp_path / "report.db").exists(), "nothing was read or created"
