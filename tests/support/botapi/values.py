"""Public value types of the double: the bot's identity, users, uploaded files, recorded calls."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

TOKEN = "123456789:AAtest-double-token"
BOT_ID = 123456789
BOT_USERNAME = "aiguilleur_test_bot"
BOT_FIRST_NAME = "Aiguilleur"

JSONDict = dict[str, Any]


@dataclass(frozen=True)
class User:
    """A Telegram user that the test makes act (write, press buttons, block the bot)."""

    id: int
    first_name: str
    language_code: str | None = None
    username: str | None = None
    is_bot: bool = False
    last_name: str | None = None

    def to_json(self) -> JSONDict:
        """The ``User`` object exactly as Telegram serialises it (absent fields omitted)."""
        data: JSONDict = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data


@dataclass(frozen=True)
class UploadedFile:
    """One file part of a ``multipart/form-data`` request (what PTB uploads for ``InputFile``)."""

    field_name: str
    filename: str | None
    content_type: str | None
    content: bytes


@dataclass
class ApiCall:
    """One HTTP request the bot made, as the double understood it.

    ``params`` holds decoded values (ints, bools, dicts, lists) so tests can compare with plain
    Python data. ``transport`` tells how the parameters travelled ("form", "multipart", "json",
    "query" or "none"), ``status`` is the HTTP status answered (``None`` while the request is
    still being served, ``0`` when the double dropped the connection on purpose).

    What the double did with it, for fault tests:

    * ``fault``: the error code of an injected fault (``fail_next``, ``fail_randomly``) that
      answered the call instead of executing it, else ``None``;
    * ``executed``: the method really ran in the double (it may still have answered a genuine
      error such as ``400 chat not found``; ``status == 200`` tells it took effect). False for
      injected faults, dropped requests, a wrong token or an unknown method;
    * ``late``: the answer was held back on purpose (``delay_next`` with ``then_accept``,
      ``time_out_randomly``) after the call was executed, so a client with a shorter timeout
      saw ``TimedOut`` although the call took effect.
    """

    method: str
    params: dict[str, Any]
    files: dict[str, UploadedFile] = field(default_factory=dict)
    transport: str = "none"
    http_method: str = "POST"
    at: float = field(default_factory=time.monotonic)
    status: int | None = None
    fault: int | None = None
    executed: bool = False
    late: bool = False

    def describe(self, width: int = 160) -> str:
        """One line for failure messages: method, compact params and outcome."""
        shown = json.dumps(self.params, ensure_ascii=False, default=str)
        if len(shown) > width:
            shown = shown[: width - 3] + "..."
        status = "pending" if self.status is None else str(self.status)
        if self.fault is not None:
            status += " (injected fault)"
        elif self.late:
            status += " (answered late)"
        return f"{self.method} {shown} -> {status}"
