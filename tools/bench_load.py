"""Benchmark: what one update costs the bot, against a bare python-telegram-bot echo bot in the same run
(issue 12, item 8).

Each system runs in a child process of its own (so its CPU time and its peak RSS are its own) against a fresh
loopback Bot API double served from this process, the bot on a fresh SQLite database with the production
settings (the child calls what `python -m bot run` calls, with bot/settings.py's defaults). For each system:

- warm-up: every simulated user sends /start (not measured);
- steady: RATE text messages per second for SECONDS seconds, from RATE x 2 users (each user writes every 2 s,
  going on with a conversation of their own: a project described, needs, thanks, a question...);
- burst: BURST text messages at once, from BURST users (each one writes once, so each reply is matched to its
  message for sure);
- idle: nothing for IDLE seconds;
- bot only: SQL_SAMPLES text messages one at a time, with the SQL statements and transactions each one cost
  (SQLAlchemy's `before_cursor_execute`, `commit` and `rollback` events, listened to on every Engine of the
  child process, so nothing in bot/ changes).

Measured: CPU seconds per message (process time of the child, all threads, from the first message injected
until the last reply arrived and nothing moved for QUIET seconds, divided by the messages), latency from the
update being queued in the double (available to the long poll) to the first reply reaching the double, p50
and p99, peak RSS (the child's VmHWM: its ru_maxrss would start at the driver's peak, inherited through
exec), idle CPU as a share of one core. The children answer samples on a pipe: a thread of theirs waits on
stdin, so it costs nothing while the system works.

The systems alternate (echo first in odd runs, bot first in even ones); the table shows the median of the
runs, the ratio bot/echo and the issue's targets; then the statements of one text message, by kind. The bot
paces its sends (AIORateLimiter, 30 messages/s overall, as Telegram asks): "replies per message" x RATE must
stay well under 30, or the pacing, not the work, sets the latency; a burst cannot end before BURST x replies
per message / 30 seconds (the echo bot has no pacing).

    .venv/bin/python -m tools.bench_load [--seconds 20] [--rate 20] [--burst 200] [--idle 10] [--runs 3]
        [--catalog catalog/quebec] [--profile FILE]

--profile FILE adds one bot run, not counted in the table, sampled by py-spy (`pip install py-spy`) during the
steady and burst phases: the thread holding the GIL, 200 times a second (Python code; SQLite's own work runs
without the GIL and is not seen). The collapsed stacks go to FILE; the 15 functions most often on the stack
are printed, and the packages the samples end in.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import resource
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where the driver uses it: a child carries no code but the system it measures
    from tests.support.botapi import BotApiDouble, User

ROOT = Path(__file__).resolve().parent.parent
SYSTEMS = ("echo", "bot")
SPACING = 2.0  # seconds between two messages of one user in the steady phase
QUIET = 0.3  # a phase is over once every message has its reply and no call came for this long
SQL_SAMPLES = 9
# The defaults of bot/settings.py that weigh on the cost, set whatever a developer's .env says.
PRODUCTION = {
    "MODE": "polling",
    "LOG_LEVEL": "INFO",
    "TICK_SECONDS": "30",
    "CATALOG_WATCH": "true",
    "INTENTS_DIR": "intents",
    "ADMIN_CHAT_ID": "",
    "ADMIN_USER_IDS": "",
}
REPLY_METHODS = frozenset({"sendMessage", "copyMessage", "editMessageText", "sendPhoto", "sendDocument"})

# What entrepreneurs write to the bot after /start, one conversation per user (cycled when it runs out).
# Most messages get one reply, some two: about 1.3 replies per message, so 20 messages/s stays under the
# 30 sends/s the bot's pacing allows.
CONVERSATIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "fr",
        (
            "Bonjour, je démarre une entreprise de logiciels à Rimouski",
            "oui c'est ça",
            "Je cherche du financement",
            "Merci",
            "Est-ce qu'il y a des programmes pour les jeunes entrepreneurs ?",
            "ok merci",
            "Comment je peux parler à quelqu'un du pôle ?",
            "Merci beaucoup, bonne journée",
        ),
    ),
    (
        "fr",
        (
            "Salut! J'ai une idée de microbrasserie à Sherbrooke",
            "On est deux associés, pas encore incorporés",
            "ok merci",
            "On aurait besoin d'un prêt pour l'équipement",
            "merci",
            "Je voudrais savoir si mon projet est admissible",
            "parfait",
            "merci encore",
        ),
    ),
    (
        "fr",
        (
            "Bonjour, nous sommes une PME manufacturière en croissance à Lévis",
            "Nous voulons exporter aux États-Unis",
            "Merci",
            "Est-ce que le pôle peut nous aider ?",
            "d'accord",
            "Avez-vous des formations en gestion ?",
            "merci bien",
            "bonne journée",
        ),
    ),
    (
        "en",
        (
            "Hi, I'm launching a food truck in Montreal",
            "I need funding",
            "thanks",
            "Can I talk to an advisor?",
            "ok",
            "What about hiring help?",
            "thanks a lot",
            "bye",
        ),
    ),
)


# ---- the child side: the system under test, with a probe ---------------------------------------------------


_SQL_TARGET = re.compile(r'\b(?:FROM|INTO|UPDATE)\s+"?(\w+)', re.IGNORECASE)


def sql_kind(statement: str) -> str:
    """'SELECT inbox', 'INSERT outbox', 'BEGIN', 'PRAGMA journal_mode=WAL'...: what a statement does, to what."""
    words = statement.split()
    verb = words[0].upper() if words else "?"
    if verb in ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA"):
        return " ".join(words[:2]) if verb == "PRAGMA" else verb
    target = _SQL_TARGET.search(statement)
    return f"{verb} {target.group(1)}" if target else verb


class SqlCounts:
    """Statements by kind and transaction ends, counted on every SQLAlchemy Engine of this process."""

    def __init__(self) -> None:
        self._texts: Counter[str] = Counter()
        self.begins = 0
        self.commits = 0
        self.rollbacks = 0
        self._lock = threading.Lock()

    def attach(self) -> None:
        from sqlalchemy import event
        from sqlalchemy.engine import Engine

        def statement(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
            # Counted by text, classified when sampled: the listener runs in the measured process, per
            # statement, so it does as little as it can (the texts are few: compiled once and cached).
            with self._lock:
                self._texts[sql] += 1

        def begin(_conn: Any) -> None:  # a transaction begun (on SQLite its BEGIN rides on a statement)
            with self._lock:
                self.begins += 1

        def commit(_conn: Any) -> None:
            with self._lock:
                self.commits += 1

        def rollback(_conn: Any) -> None:
            with self._lock:
                self.rollbacks += 1

        event.listen(Engine, "before_cursor_execute", statement)
        event.listen(Engine, "begin", begin)
        event.listen(Engine, "commit", commit)
        event.listen(Engine, "rollback", rollback)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            texts = dict(self._texts)
        statements: Counter[str] = Counter()
        for sql, count in texts.items():
            statements[sql_kind(sql)] += count
        with self._lock:
            return {
                "statements": dict(statements),
                "begins": self.begins,
                "commits": self.commits,
                "rollbacks": self.rollbacks,
            }


class Probe:
    """Answers the driver's samples, one JSON line each, from a thread blocked on stdin."""

    def __init__(self, out: IO[str], sql: SqlCounts) -> None:
        self.out = out
        self.sql = sql

    def start(self) -> None:
        threading.Thread(target=self._serve, name="bench probe", daemon=True).start()

    def _serve(self) -> None:
        for _line in sys.stdin:
            sample = {
                "cpu": time.process_time(),
                "maxrss_kb": status_kb("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                "rss_kb": status_kb("VmRSS"),
                **self.sql.snapshot(),
            }
            self.out.write(json.dumps(sample) + "\n")
            self.out.flush()


def status_kb(field: str) -> int:
    """A memory figure of this process from /proc/self/status, in kB (Linux; 0 elsewhere): `VmRSS` now, or
    `VmHWM`, its own peak (not ru_maxrss: Linux carries the parent's peak over into a child started with
    vfork+exec, as subprocess does, so a child would never measure under its driver's RSS)."""
    try:
        with open("/proc/self/status") as status:
            return int(status.read().split(f"{field}:")[1].split()[0])
    except (OSError, ValueError, IndexError):
        return 0


def child(kind: str) -> int:
    """Run `kind` ("echo" or "bot") with the settings from the environment, and the probe."""
    probe_out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # whatever the system prints goes to its log, never into the probe's answers
    sql = SqlCounts()
    Probe(probe_out, sql).start()
    if kind == "echo":
        from tools import echo_bot

        echo_bot.main()
        return 0
    from bot.cli import main

    sql.attach()
    return main(["run"])  # `python -m bot run`


# ---- the driver side -------------------------------------------------------------------------------------


class System:
    """A system under test in its child process, and its probe."""

    def __init__(self, kind: str, api: BotApiDouble, folder: Path, catalog: Path) -> None:
        from tests.support.botapi import TOKEN

        self.kind = kind
        self.api = api
        self.log_path = folder / f"{kind}.log"
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": api.base_url.removesuffix("/bot"),
            "DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'bot.db'}",
            "CATALOG_DIR": str(catalog),
            "PTB_TIMEDELTA": "true",
            **PRODUCTION,
        }
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tools.bench_load", "--child", kind],
                cwd=ROOT,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
        self.wait(lambda: api.calls_to("getUpdates"), 60, "its first getUpdates")

    def ask(self, command: str) -> dict[str, Any]:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], 30)
        line = self.process.stdout.readline() if ready else ""
        if not line:
            raise RuntimeError(f"the {self.kind} did not answer {command!r}\n{self.log_tail()}")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def sample(self) -> dict[str, Any]:
        return self.ask("sample")

    def wait(self, predicate: Callable[[], object], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if self.process.poll() is not None:
                raise RuntimeError(f"the {self.kind} exited waiting for {what}\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the {self.kind}: no {what} within {timeout:g} s\n{self.log_tail()}")
            time.sleep(0.02)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()

    def log_tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:]) or "(empty log)"


@dataclass
class Person:
    user: User
    lines: tuple[str, ...]
    said: int = 0

    def next_text(self) -> str:
        text = self.lines[self.said % len(self.lines)]
        self.said += 1
        return text


@dataclass
class Sent:
    chat_id: int
    at: float
    reply_at: float | None = None


@dataclass
class Phase:
    """Messages sent in one phase and what they cost."""

    sent: list[Sent] = field(default_factory=list)
    cpu: float = 0.0
    elapsed: float = 0.0  # between the two samples
    until_last_reply: float = 0.0
    replies: int = 0
    sql: dict[str, Any] = field(default_factory=dict)

    @property
    def latencies_ms(self) -> list[float]:
        return sorted((s.reply_at - s.at) * 1000 for s in self.sent if s.reply_at is not None)

    @property
    def missing(self) -> int:
        return sum(s.reply_at is None for s in self.sent)


def people(count: int) -> list[Person]:
    """`count` users, one in four writing in English, each with a conversation of their own."""
    from tests.support.botapi import User

    return [
        Person(
            User(50_000 + n, f"Personne {n}", language_code=CONVERSATIONS[n % len(CONVERSATIONS)][0]),
            CONVERSATIONS[n % len(CONVERSATIONS)][1],
        )
        for n in range(count)
    ]


class Driver:
    """Makes the users of one system write, and reads the replies back from the double."""

    def __init__(self, system: System) -> None:
        self.system = system
        self.api = system.api
        self._seen = 0
        self._replies: dict[int, list[float]] = {}  # chat id -> times of the bot's messages there

    def _read_calls(self) -> float:
        """Take in the calls made since last time; returns the time of the latest one that is not a poll."""
        calls = self.api.calls
        latest = 0.0
        for call in calls[self._seen :]:
            if call.method == "getUpdates":
                continue
            latest = max(latest, call.at)
            chat = call.params.get("chat_id")
            if call.method in REPLY_METHODS and isinstance(chat, int):
                self._replies.setdefault(chat, []).append(call.at)
        self._seen = len(calls)
        return latest

    def _match(self, sent: list[Sent]) -> int:
        """Give each message the first reply in its chat after it (and after the previous message's reply);
        returns how many still have none."""
        used: dict[int, float] = {}
        missing = 0
        for message in sorted(sent, key=lambda s: s.at):
            after = max(message.at, used.get(message.chat_id, 0.0))
            reply = next((t for t in self._replies.get(message.chat_id, ()) if t > after), None)
            if reply is None:
                message.reply_at = None
                missing += 1
                continue
            message.reply_at = reply
            used[message.chat_id] = reply
        return missing

    def settle(self, sent: list[Sent], timeout: float) -> None:
        """Until every message has its reply and no call came for QUIET seconds (or `timeout`)."""
        deadline = time.monotonic() + timeout
        latest = time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.02)
            latest = max(latest, self._read_calls())
            if self._match(sent) == 0 and time.monotonic() - latest >= QUIET:
                return
            if self.system.process.poll() is not None:
                raise RuntimeError(f"the {self.system.kind} exited\n{self.system.log_tail()}")

    def say(self, person: Person, text: str, sent: list[Sent]) -> None:
        at = time.monotonic()
        self.api.user_says(person.user, text)
        sent.append(Sent(person.user.id, at))

    def phase(self, send: Callable[[list[Sent]], None], timeout: float) -> Phase:
        """Sample, send, wait for the replies and the quiet, sample again."""
        phase = Phase()
        before = self.system.sample()
        start = time.monotonic()
        send(phase.sent)
        self.settle(phase.sent, timeout)
        after = self.system.sample()
        phase.elapsed = time.monotonic() - start
        phase.until_last_reply = max((s.reply_at for s in phase.sent if s.reply_at), default=start) - start
        phase.cpu = after["cpu"] - before["cpu"]
        phase.sql = sql_difference(before, after)
        phase.replies = sum(
            sum(start <= t for t in self._replies.get(chat, ())) for chat in {s.chat_id for s in phase.sent}
        )
        return phase


def sql_difference(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    kinds = Counter(after["statements"])
    kinds.subtract(before["statements"])
    return {
        "statements": {kind: n for kind, n in kinds.items() if n},
        "begins": after["begins"] - before["begins"],
        "commits": after["commits"] - before["commits"],
        "rollbacks": after["rollbacks"] - before["rollbacks"],
    }


def paced(driver: Driver, speakers: list[Person], count: int, rate: float) -> Callable[[list[Sent]], None]:
    def send(sent: list[Sent]) -> None:
        start = time.monotonic()
        for n in range(count):
            delay = start + n / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            person = speakers[n % len(speakers)]
            driver.say(person, person.next_text(), sent)

    return send


def at_once(
    driver: Driver, speakers: list[Person], text: Callable[[Person], str]
) -> Callable[[list[Sent]], None]:
    def send(sent: list[Sent]) -> None:
        for person in speakers:
            driver.say(person, text(person), sent)

    return send


def py_spy() -> str | None:
    return shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))


@contextlib.contextmanager
def sampled(pid: int, output: Path | None) -> Iterator[None]:
    """py-spy samples the thread of process `pid` that holds the GIL into `output`, as collapsed stacks."""
    if output is None:
        yield
        return
    command = [str(py_spy()), "record", "--pid", str(pid), "--format", "raw", "--full-filenames"]
    with output.with_suffix(".log").open("wb") as log:
        spy = subprocess.Popen(
            [*command, "--output", str(output), "--rate", "200", "--gil", "--nonblocking"],
            stdout=log,
            stderr=log,
        )
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)  # py-spy writes its file when interrupted
        spy.wait(30)


# Frames every sample of a thread has (the interpreter's entry, the event loop, a thread's start): not shown.
_CARRIERS = re.compile(
    r"<frozen runpy>|asyncio/runners\.py|\(threading\.py\)|tools/bench_load\.py|bot/cli\.py|"
    r"^run_telegram |^BaseEventLoop\.(run_forever|run_until_complete|_run_once) |^Handle\._run "
)


def _short(frame: str) -> str:
    """'Pipeline._handle (bot/telegram/pipeline.py)' from py-spy's full-path frame with its line."""
    function, _, where = frame.rpartition(" (")
    path = re.sub(r":\d+\)$", "", where)
    for prefix in (*(p + "/" for p in sys.path if p.endswith("-packages")), str(ROOT) + "/"):
        path = path.removeprefix(prefix)
    path = re.sub(r"^.*/lib/python3\.\d+/", "", path)
    return f"{function} ({path})"


def _package(frame: str) -> str:
    """'sqlalchemy', 'bot/telegram', 'asyncio'...: whose code a shortened frame runs."""
    parts = frame.rpartition(" (")[2].rstrip(")").split("/")
    return "/".join(parts[:2] if parts[0] == "bot" else parts[:1]).removesuffix(".py")


def hot_functions(raw: Path, count: int = 15) -> list[str]:
    """From py-spy's collapsed stacks: the `count` functions most often on the stack (leaving out the frames
    that carry everything), and where the samples end, by package."""
    inclusive: Counter[str] = Counter()
    packages: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, samples = line.rpartition(" ")
        if not stack or not samples.isdigit():
            continue
        n = int(samples)
        total += n
        frames = [_short(frame) for frame in stack.split(";")]
        for frame in set(frames):
            if not _CARRIERS.search(frame):
                inclusive[frame] += n
        packages[_package(frames[-1])] += n
    if not total:
        return ["(no samples)"]
    lines = [f"{total} samples; functions most often on the stack:"]
    lines.extend(f"  {100 * n / total:5.1f}%  {frame}" for frame, n in inclusive.most_common(count))
    lines.append("where the samples end (the running frame's package or module):")
    lines.extend(f"  {100 * n / total:5.1f}%  {package}" for package, n in packages.most_common(10))
    return lines


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of sorted `values` (NaN when empty)."""
    if not values:
        return float("nan")
    return values[min(len(values) - 1, max(0, round(fraction * len(values) + 0.5) - 1))]


def one_system(kind: str, args: argparse.Namespace, *, profile: Path | None = None) -> dict[str, Any]:
    """One run of one system, on a fresh double (and database): its measures."""
    from tests.support.botapi import BotApiDouble

    steady_count = max(1, round(args.rate * args.seconds))
    steady_users = max(1, min(steady_count, round(args.rate * SPACING)))
    users = people(max(steady_users, args.burst, SQL_SAMPLES))
    with tempfile.TemporaryDirectory(prefix="bench-load-") as folder, BotApiDouble() as api:
        system = System(kind, api, Path(folder), args.catalog)
        try:
            driver = Driver(system)
            warm_up = driver.phase(at_once(driver, users, lambda _person: "/start"), 60 + len(users) * 0.2)
            if warm_up.missing:
                raise RuntimeError(f"the {kind} did not answer {warm_up.missing} /start\n{system.log_tail()}")
            started = system.sample()
            with sampled(system.process.pid, profile):
                steady = driver.phase(
                    paced(driver, users[:steady_users], steady_count, args.rate), 60 + steady_count * 0.2
                )
                burst = driver.phase(
                    at_once(driver, users[: args.burst], lambda person: person.next_text()),
                    60 + args.burst * 0.2,
                )
            time.sleep(1.0)
            idle_before = system.sample()
            idle_start = time.monotonic()
            time.sleep(args.idle)
            idle_after = system.sample()
            idle_wall = time.monotonic() - idle_start
            one_by_one = []
            if kind == "bot":
                for person in users[:SQL_SAMPLES]:
                    one_by_one.append(
                        driver.phase(at_once(driver, [person], lambda p: p.next_text()), 30).sql
                    )
            final = system.sample()
        finally:
            system.stop()
    idle_sql = sql_difference(idle_before, idle_after)
    return {
        "steady": steady,
        "burst": burst,
        "idle_core": (idle_after["cpu"] - idle_before["cpu"]) / idle_wall,
        "idle_statements_per_s": sum(idle_sql["statements"].values()) / idle_wall,
        "maxrss_mb": final["maxrss_kb"] / 1024,
        "started_rss_mb": started["rss_kb"] / 1024,
        "started_maxrss_mb": started["maxrss_kb"] / 1024,
        "one_by_one": one_by_one,
    }


@dataclass
class Row:
    label: str
    measure: Callable[[dict[str, Any]], float]
    target: str = ""
    met: Callable[[float, float], bool] | None = None  # (bot, echo) -> within the target
    bot_only: bool = False


def rows(args: argparse.Namespace) -> list[Row]:
    def ms(value: float) -> float:
        return value * 1000

    return [
        Row(
            f"steady {args.rate:g}/s: CPU per message (ms)",
            lambda r: ms(r["steady"].cpu / max(1, len(r["steady"].sent))),
            "<= 2.5x echo",
            lambda bot, echo: bot <= 2.5 * echo,
        ),
        Row("steady: CPU (% of a core)", lambda r: 100 * r["steady"].cpu / r["steady"].elapsed),
        Row(
            "steady: latency p50 (ms)",
            lambda r: statistics.median(r["steady"].latencies_ms or [float("nan")]),
        ),
        Row(
            "steady: latency p99 (ms)",
            lambda r: percentile(r["steady"].latencies_ms, 0.99),
            "<= 15 ms",
            lambda bot, _echo: bot <= 15,
        ),
        Row("steady: replies per message", lambda r: r["steady"].replies / max(1, len(r["steady"].sent))),
        Row(
            "steady: SQL statements per message",
            lambda r: sum(r["steady"].sql["statements"].values()) / max(1, len(r["steady"].sent)),
            bot_only=True,
        ),
        Row(
            "steady: commits per message",
            lambda r: r["steady"].sql["commits"] / max(1, len(r["steady"].sent)),
            bot_only=True,
        ),
        Row(
            f"burst {args.burst}: CPU per message (ms)",
            lambda r: ms(r["burst"].cpu / max(1, len(r["burst"].sent))),
        ),
        Row(
            "burst: latency p50 (ms)", lambda r: statistics.median(r["burst"].latencies_ms or [float("nan")])
        ),
        Row("burst: latency p99 (ms)", lambda r: percentile(r["burst"].latencies_ms, 0.99)),
        Row("burst: until the last reply (s)", lambda r: r["burst"].until_last_reply),
        Row(
            "burst: SQL statements per message",
            lambda r: sum(r["burst"].sql["statements"].values()) / max(1, len(r["burst"].sent)),
            bot_only=True,
        ),
        Row(
            f"idle {args.idle:g} s: CPU (% of a core)",
            lambda r: 100 * r["idle_core"],
            "< 1%",
            lambda bot, _echo: bot < 1,
        ),
        Row("idle: SQL statements per second", lambda r: r["idle_statements_per_s"], bot_only=True),
        Row("peak RSS (MB)", lambda r: r["maxrss_mb"], "<= 100 MB", lambda bot, _echo: bot <= 100),
    ]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def table(args: argparse.Namespace, results: dict[str, list[dict[str, Any]]]) -> list[str]:
    width = max(len(row.label) for row in rows(args))
    lines = [
        f"{'median of ' + str(args.runs) + ' runs':<{width}}  {'echo':>9}  {'bot':>9}  {'bot/echo':>8}  "
        f"{'target':<13} {'met'}"
    ]
    for row in rows(args):
        bot = median([row.measure(r) for r in results["bot"]])
        echo = float("nan") if row.bot_only else median([row.measure(r) for r in results["echo"]])
        ratio = f"{bot / echo:7.1f}x" if echo and echo == echo else f"{'-':>8}"
        met = "" if row.met is None else ("yes" if row.met(bot, echo) else "NO")
        echo_text = f"{'-':>9}" if row.bot_only else f"{echo:9.2f}"
        lines.append(f"{row.label:<{width}}  {echo_text}  {bot:9.2f}  {ratio}  {row.target:<13} {met}")
    return lines


def statements_per_message(samples: list[dict[str, Any]]) -> list[str]:
    """The statements and transactions one text message cost, from the messages sent one at a time."""
    if not samples:
        return []
    totals = sorted(sum(s["statements"].values()) for s in samples)
    shapes = Counter(json.dumps(sorted(s["statements"].items())) for s in samples)
    usual, times = shapes.most_common(1)[0]
    kinds = dict(json.loads(usual))
    sample = next(s for s in samples if json.dumps(sorted(s["statements"].items())) == usual)
    lines = [
        f"one text message on the bot ({len(samples)} sent one at a time; min/median/max statements "
        f"{totals[0]}/{statistics.median(totals):g}/{totals[-1]}), the usual one ({times} of {len(samples)}): "
        f"{sum(kinds.values())} statements, {sample['begins']} transactions "
        f"({sample['commits']} commits, {sample['rollbacks']} rollbacks)",
        "  (on SQLite a transaction's BEGIN IMMEDIATE is sent with its first statement: not counted apart)",
    ]
    lines.extend(
        f"  {n:3d}  {kind}" for kind, n in sorted(kinds.items(), key=lambda item: (-item[1], item[0]))
    )
    return lines


def summary(kind: str, result: dict[str, Any]) -> str:
    steady, burst = result["steady"], result["burst"]
    return (
        f"{kind}: steady {1000 * steady.cpu / max(1, len(steady.sent)):.2f} ms CPU/msg, "
        f"p50 {median(steady.latencies_ms):.1f} ms, p99 {percentile(steady.latencies_ms, 0.99):.1f} ms; "
        f"burst {1000 * burst.cpu / max(1, len(burst.sent)):.2f} ms CPU/msg, "
        f"p99 {percentile(burst.latencies_ms, 0.99):.0f} ms; idle {100 * result['idle_core']:.2f}% of a core; "
        f"RSS after start-up {result['started_rss_mb']:.0f} MB (peak so far {result['started_maxrss_mb']:.0f}), "
        f"peak RSS {result['maxrss_mb']:.0f} MB; answered {answered(result)}"
    )


def answered(result: dict[str, Any]) -> str:
    phases = (result["steady"], result["burst"])
    sent = sum(len(p.sent) for p in phases)
    return f"{sent - sum(p.missing for p in phases)}/{sent}"


def machine() -> str:
    """Others' work on the machine shows in the latencies first: say how busy it was."""
    return f"{os.cpu_count()} cores, load average {' / '.join(f'{n:.1f}' for n in os.getloadavg())}"


@contextlib.contextmanager
def timed(label: str) -> Iterator[None]:
    start = time.monotonic()
    yield
    print(f"  ({label}: {time.monotonic() - start:.0f} s)", flush=True)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tools.bench_load", description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the steady phase")
    parser.add_argument("--rate", type=float, default=20.0, help="messages per second in the steady phase")
    parser.add_argument("--burst", type=int, default=200, help="messages sent at once in the burst")
    parser.add_argument("--idle", type=float, default=10.0, help="seconds without traffic measured")
    parser.add_argument("--runs", type=int, default=3, help="runs of each system (the table shows medians)")
    parser.add_argument("--catalog", type=Path, default=ROOT / "catalog" / "quebec", help="the bot's catalog")
    parser.add_argument(
        "--profile", type=Path, help="one more bot run, sampled by py-spy (steady and burst) into FILE"
    )
    parser.add_argument("--child", choices=SYSTEMS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.rate <= 0 or args.seconds <= 0 or args.burst < 1 or args.runs < 1 or args.idle <= 0:
        parser.error("--rate, --seconds, --idle must be positive, --burst and --runs at least 1")
    if args.profile and not py_spy():
        parser.error("--profile needs py-spy: pip install py-spy")
    return args


def warm_model_cache(catalog: Path) -> None:
    """Fit (and cache) the intent models here, once: the bot is measured as it runs after its first start, not
    while it trains (scikit-learn's import and the fit would count in its peak RSS and CPU). The models are
    fitted when the understander is built, as the bot's start-up builds it, not with the language data."""
    from bot.catalog.loader import load_catalog
    from bot.understanding.data import load_language_data
    from bot.understanding.understand import Understander

    loaded = load_catalog(catalog)
    data, _problems = load_language_data(ROOT / "intents", loaded)
    Understander(data, loaded)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.child:
        return child(args.child)
    print(
        f"load: {args.rate:g} messages/s for {args.seconds:g} s, a burst of {args.burst}, {args.idle:g} s idle; "
        f"{args.runs} run(s) of each system, alternating; catalog {args.catalog}; {machine()}",
        flush=True,
    )
    warm_model_cache(args.catalog)
    results: dict[str, list[dict[str, Any]]] = {kind: [] for kind in SYSTEMS}
    for run in range(1, args.runs + 1):
        for kind in SYSTEMS if run % 2 else SYSTEMS[::-1]:
            with timed(f"run {run}, {kind}"):
                result = one_system(kind, args)
            results[kind].append(result)
            print(f"run {run}, {summary(kind, result)}", flush=True)
    print(f"\nafter the runs: {machine()}")
    for line in table(args, results):
        print(line)
    print()
    for line in statements_per_message([s for r in results["bot"] for s in r["one_by_one"]]):
        print(line)
    missing = {
        kind: sum(r[p].missing for r in results[kind] for p in ("steady", "burst")) for kind in SYSTEMS
    }
    print()
    print(
        "replies: "
        + ", ".join(f"{kind} {', '.join(answered(r) for r in results[kind])}" for kind in SYSTEMS)
        + " (answered/sent per run)"
    )
    if args.profile:
        profiled = one_system("bot", args, profile=args.profile)
        print(f"\nprofiled run (py-spy, not in the table), {summary('bot', profiled)}")
        print(f"where the bot's Python code runs, steady and burst phases ({args.profile}):")
        for line in hot_functions(args.profile):
            print(line)
    if any(missing.values()):
        print(f"messages without a reply: {missing}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
