"""Public value types of the double: the bot's identity, users, recorded calls."""

from __future__ import annotations

import copy
import json
import time
from dataclasses import dataclass, field
from typing import Any

TOKEN = "123456789:AAtest-double-token"
BOT_ID = 123456789
BOT_USERNAME = "aiguilleur_test_bot"
BOT_FIRST_NAME = "Aiguilleur"

JSONDict = dict[str, Any]

_ATOMS = (str, int, float, bool, type(None))


def json_copy(value: Any) -> Any:
    """A deep copy of JSON-shaped data (dicts, lists, strings, numbers): what ``copy.deepcopy`` gives, several
    times faster. The e2e tests poll the chats every 10 ms (``wait_for``), copying every message each time:
    with ``deepcopy`` that was the double's largest cost. Anything else is handed to ``copy.deepcopy``."""
    kind = type(value)
    if kind is dict:
        return {key: json_copy(item) for key, item in value.items()}
    if kind is list:
        return [json_copy(item) for item in value]
    if kind in _ATOMS:
        return value
    return copy.deepcopy(value)


@dataclass(frozen=True)
class User:
    """A Telegram user that the test makes act (write, press buttons, block the bot)."""

    id: int
    first_name: str
    language_code: str | None = None
    username: str | None = None

    def to_json(self) -> JSONDict:
        """The ``User`` object exactly as Telegram serialises it (absent fields omitted)."""
        data: JSONDict = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data


@dataclass
class ApiCall:
    """One HTTP request the bot made, as the double understood it.

    ``params`` holds decoded values (ints, bools, dicts, lists), ``at`` the ``time.monotonic()`` of its
    arrival, ``status`` the HTTP status answered (``None`` while it is being served). For fault tests:
    ``fault`` is the error code of an injected fault that answered instead of executing it; ``executed``
    says the method ran (``status == 200``: it took effect); ``late`` that the answer was held back on
    purpose after the call took effect (``time_out_randomly``), so the bot may have seen a timeout.
    """

    method: str
    params: dict[str, Any]
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


@dataclass(frozen=True)
class Upload:
    """A file the bot uploaded (multipart), as a call's parameter: what a test checks of a photo or document."""

    filename: str
    content_type: str
    content: bytes
