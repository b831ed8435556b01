"""Fault-test helpers: the bot as a child process (`python -m bot run`) against the loopback Bot API double,
killed and restarted at will; the handoff the traffic goes through; numbered traffic both ways; and the
ledger of what arrived, read from the double (its stored messages and the calls it executed).

Everything here is synchronous: the double serves from its own threads, the bot lives in another process,
so the test only needs to act, sleep and look.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar

from bot.storage import Store
from tests.support.botapi import TOKEN, BotApiDouble
from tests.support.personas import LUC, MARIE, MINI, MINI_HUB_CHAT, ROOT

HUB_CHAT = MINI_HUB_CHAT  # the name tools/bench_relay.py imports (with MARIE and LUC) from here

T = TypeVar("T")

SEND_METHODS = ("sendMessage", "copyMessage", "editMessageText")


class BotProcess:
    """`python -m bot run` in a child process, on its own SQLite file; every run logs to one file."""

    def __init__(
        self, api: BotApiDouble, folder: Path, *, database_url: str | None = None, name: str = "bot"
    ) -> None:
        self.api = api
        self.database_url = database_url or f"sqlite+aiosqlite:///{folder / 'bot.db'}"
        self.log_path = folder / f"{name}.log"
        self.env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": api.base_url.removesuffix("/bot"),
            "DATABASE_URL": self.database_url,
            "CATALOG_DIR": str(MINI),
            "CATALOG_WATCH": "false",
            "GROUP_MESSAGES_PER_MINUTE": "100000",
            "LOG_LEVEL": "WARNING",
            "TICK_SECONDS": "3600",
            "MODE": "polling",
            "ADMIN_CHAT_ID": "",
            "PTB_TIMEDELTA": "true",
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.kills: list[float] = []  # time.monotonic() of each SIGKILL, the clock of ApiCall.at
        self._log: IO[bytes] | None = None

    def start(self, *, wait: bool = True) -> None:
        """Start a new incarnation; with `wait`, return once it polls (its first getUpdates)."""
        assert self.process is None, "the bot is already running"
        if self._log is None:
            self._log = self.log_path.open("ab")
        self._log.write(f"---- start {self.starts + 1} ----\n".encode())
        self._log.flush()
        polls = len(self.api.calls_to("getUpdates"))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], cwd=ROOT, env=self.env, stdout=self._log, stderr=self._log
        )
        self.starts += 1
        if wait:
            self.wait_until(
                lambda: len(self.api.calls_to("getUpdates")) > polls, 30, "the restarted bot to poll"
            )

    def kill(self) -> None:
        """SIGKILL: no handler runs, nothing is flushed; what the database committed is all that remains."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.kills.append(time.monotonic())
        self.process.wait()
        self.process = None

    def stop(self) -> int:
        """SIGTERM, the graceful way out; returns the exit code (SIGKILL after 15 s, then -9)."""
        if self.process is None:
            return 0
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.send_signal(signal.SIGUSR1)  # the stacks go to bot.log, for the failure message
            time.sleep(1.0)
            self.process.kill()
            code = self.process.wait()
        self.process = None
        return code

    def close(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_text(self) -> str:
        if self._log is not None:
            self._log.flush()
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_tail(self, lines: int = 40) -> str:
        if self._log is not None:
            self._log.flush()
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:]) or "(empty log)"

    def wait_until(self, predicate: Callable[[], T], timeout: float, description: str) -> T:
        """Poll `predicate` until truthy; on timeout fail with the last calls and the bot's log."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                value = predicate()
            except (LookupError, TypeError):  # not there yet
                value = None
            if value:
                return value
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(
                    f"the bot exited ({self.process.returncode}) while waiting for {description}\n{self.log_tail()}"
                )
            if time.monotonic() > deadline:
                recent = "\n".join(f"  {call.describe()}" for call in self.api.calls[-10:])
                raise AssertionError(
                    f"not met within {timeout:g} s: {description}\nlast Bot API calls:\n{recent}\n"
                    f"bot log:\n{self.log_tail()}"
                )
            time.sleep(0.02)

    def leftovers(self) -> tuple[int, int]:
        """(unhandled inbox updates, unsent outbox rows) in the bot's database (a reader beside the bot, or after)."""

        async def count() -> tuple[int, int]:
            store = await Store.open(self.database_url)
            try:
                pending, unsent = await store.inbox_pending(), await store.pending_outbox()
                return len(pending), len(unsent)
            finally:
                await store.close()

        return asyncio.run(count())

    def wait_for_card(self, handoff_id: int, card_id: int) -> None:
        """Until the bot recorded that message `card_id` is the handoff's card: it commits that just after
        Telegram answered, and a reply to the card reaches the entrepreneur only from then on."""

        async def recorded() -> None:
            store = await Store.open(self.database_url)
            try:
                deadline = time.monotonic() + 10
                while (handoff := await store.get_handoff(handoff_id=handoff_id)) is None or (
                    handoff.card_message_id != card_id
                ):
                    assert time.monotonic() < deadline, f"card {card_id} not recorded\n{self.log_tail()}"
                    await asyncio.sleep(0.02)
            finally:
                await store.close()

        asyncio.run(recorded())


@contextmanager
def bot_process(folder: Path) -> Iterator[BotProcess]:
    """A double with the hub group, and the bot (not started yet) that talks to it."""
    with BotApiDouble() as api:
        api.register_group(MINI_HUB_CHAT, "Pôle BSL — conseillers")
        bot = BotProcess(api, folder)
        try:
            yield bot
        finally:
            bot.close()


def press(bot: BotProcess, data: str, expect: str) -> None:
    """Marie presses the button `data` of the latest message that has it, then sees `expect`."""
    api = bot.api

    def carrier() -> dict[str, Any] | None:
        return next(
            (
                m
                for m in reversed(api.bot_messages(MARIE.id))
                for row in m.get("reply_markup", {}).get("inline_keyboard", [])
                for b in row
                if b.get("callback_data") == data
            ),
            None,
        )

    message = bot.wait_until(carrier, 10, f"a button {data!r}")
    api.user_presses(MARIE, message, data)
    bot_says(bot, MARIE.id, expect)


def bot_says(bot: BotProcess, chat_id: int, contains: str) -> dict[str, Any]:
    return bot.wait_until(
        lambda: next((m for m in bot.api.bot_messages(chat_id) if contains in m.get("text", "")), None),
        10,
        f"a bot message containing {contains!r} in chat {chat_id}",
    )


def open_handoff(bot: BotProcess) -> int:
    """Marie goes through the intake to an advisor, Luc answers on the card: returns the card's message id."""
    api = bot.api
    api.user_says(MARIE, "/start")
    bot_says(bot, MARIE.id, "À quelle étape en est votre projet ?")
    press(bot, "st:startup", "Dans quel secteur")
    press(bot, "sc:tech", "Dans quelle région")
    press(bot, "rg:01", "De quoi avez-vous besoin")
    press(bot, "nd:*", "Voici ce qui convient à votre projet")
    press(bot, "adv", "Êtes-vous d'accord ?")
    press(bot, "ok:yes", "En un message, que voulez-vous demander")
    api.user_says(MARIE, "Comment trouver un mentor ?")
    card = bot_says(bot, MINI_HUB_CHAT, "Demande no 1")
    bot_says(bot, MARIE.id, "Votre question a été envoyée")
    bot.wait_for_card(1, card["message_id"])  # a human reads the card first; a test could outrun the commit
    api.user_says(LUC, "Bonjour Marie.", chat_id=MINI_HUB_CHAT, reply_to_message_id=card["message_id"])
    bot_says(bot, MARIE.id, "prend le relais")
    bot_says(bot, MARIE.id, "Bonjour Marie.")
    return int(card["message_id"])


@dataclass
class Traffic:
    """Numbered messages both ways, interleaved at a steady pace, sent from a thread: `E-000`... by Marie
    (relayed to the hub), `A-000`... by Luc on the card (relayed to Marie)."""

    api: BotApiDouble
    card_id: int
    each: int = 100
    interval: float = 0.05
    sources: dict[str, int] = field(default_factory=dict)  # text -> the user's message id
    error: BaseException | None = None
    _thread: threading.Thread | None = None

    def start(self) -> Traffic:
        self._thread = threading.Thread(target=self._run, name="traffic", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            for n in range(self.each):
                for text, user, where in (
                    (f"E-{n:03d}", MARIE, {}),
                    (f"A-{n:03d}", LUC, {"chat_id": MINI_HUB_CHAT, "reply_to_message_id": self.card_id}),
                ):
                    self.sources[text] = self.api.user_says(user, text, **where)["message_id"]
                    time.sleep(self.interval)
        except BaseException as exc:  # reported by join()
            self.error = exc

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def join(self) -> None:
        assert self._thread is not None
        self._thread.join()
        if self.error is not None:
            raise AssertionError(f"sending the traffic failed: {self.error!r}") from self.error

    def expected(self, prefix: str) -> list[str]:
        return [f"{prefix}-{n:03d}" for n in range(self.each)]


_NUMBERED = re.compile(r"[EA]-\d{3}")


@dataclass
class Direction:
    """What one direction of the traffic delivered, as the destination chat shows it."""

    name: str
    expected: list[str]
    received: list[str]  # numbered texts of the bot's messages in the destination chat, in order
    copies: dict[str, list[Any]]  # text -> executed copyMessage calls (ApiCall) that answered 200

    @property
    def lost(self) -> list[str]:
        return [text for text in self.expected if text not in set(self.received)]

    @property
    def duplicated(self) -> list[str]:
        return sorted(text for text, n in Counter(self.received).items() if n > 1)

    @property
    def in_order(self) -> bool:
        """The first copy of each message came in the order they were written."""
        firsts = list(dict.fromkeys(self.received))
        return firsts == [text for text in self.expected if text in firsts]

    def excused(self, excuse: Callable[[Any], bool]) -> list[str]:
        """Duplicates whose every extra copy follows an executed one the `excuse` accepts (at-least-once)."""
        return [text for text in self.duplicated if all(excuse(call) for call in self.copies[text][:-1])]

    def problems(self, excuse: Callable[[Any], bool] = lambda _call: False) -> str:
        """Empty when all is well; else what went wrong, for the assertion message."""
        shown = []
        if self.lost:
            shown.append(f"lost {len(self.lost)}: {self.lost[:20]}")
        unexcused = sorted(set(self.duplicated) - set(self.excused(excuse)))
        if unexcused:
            shown.append(f"duplicated {len(unexcused)}: {unexcused[:20]}")
        if not self.in_order:
            shown.append(f"out of order: {list(dict.fromkeys(self.received))}")
        if any(len(self.copies.get(text, [])) != self.received.count(text) for text in self.expected):
            shown.append("the executed copyMessage calls do not match the messages the chat holds")
        return f"{self.name}: " + "; ".join(shown) if shown else ""


def directions(traffic: Traffic) -> tuple[Direction, Direction]:
    """Entrepreneur -> hub and advisor -> entrepreneur, as delivered so far."""
    api = traffic.api
    by_source = {
        (MARIE.id if text[0] == "E" else MINI_HUB_CHAT, mid): text for text, mid in traffic.sources.items()
    }
    copies: dict[str, list[Any]] = {}
    for call in api.calls_to("copyMessage"):
        text = by_source.get((call.params.get("from_chat_id"), call.params.get("message_id")))
        if text is not None and call.executed and call.status == 200:
            copies.setdefault(text, []).append(call)

    def direction(name: str, prefix: str, chat_id: int) -> Direction:
        received = [
            m["text"]
            for m in api.bot_messages(chat_id)
            if _NUMBERED.fullmatch(m.get("text", "")) and m["text"][0] == prefix
        ]
        return Direction(
            name,
            traffic.expected(prefix),
            received,
            {t: c for t, c in copies.items() if t[0] == prefix},
        )

    return direction("entrepreneur -> hub", "E", MINI_HUB_CHAT), direction(
        "advisor -> entrepreneur", "A", MARIE.id
    )


def all_delivered(traffic: Traffic) -> bool:
    return not traffic.running and all(not d.lost for d in directions(traffic))
