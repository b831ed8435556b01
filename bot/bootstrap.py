"""Building the transport-independent core from settings: catalog, database, translations, dialogue.

Both adapters (Telegram and terminal) start from here, so they run the very same core.
"""

from __future__ import annotations

import gc
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.catalog.loader import load_catalog
from bot.catalog.model import Catalog
from bot.core.clock import utcnow
from bot.core.dialogue import Dialogue
from bot.core.matching import prepare_index
from bot.core.ports import Clock
from bot.core.thread import AdvisorChat, catalog_advisor_chat
from bot.i18n import I18n
from bot.settings import Settings
from bot.storage import Store
from bot.understanding.data import load_language_data
from bot.understanding.schema import LanguageFile

log = logging.getLogger(__name__)


@dataclass
class Core:
    """What an adapter needs, and what it must close."""

    dialogue: Dialogue
    store: Store

    async def close(self) -> None:
        await self.store.close()


async def build_core(
    settings: Settings,
    *,
    catalog: Catalog | None = None,
    language_data: dict[str, LanguageFile] | None = None,
    advisor_chat: AdvisorChat = catalog_advisor_chat,
    now: Clock = utcnow,
) -> Core:
    """Load the catalog (raises `CatalogInvalid`) and the language data unless given (the tests share one
    load of each between their bots), upgrade the database, assemble the dialogue."""
    hide_in_logs(
        *(
            secret.get_secret_value()
            for secret in (settings.telegram_bot_token, settings.webhook_secret, settings.smtp_password)
            if secret
        )
    )
    catalog = catalog or load_catalog(settings.catalog_dir)
    if language_data is None:
        language_data, problems = load_language_data(settings.intents_dir, catalog)
        for problem in problems:
            if problem.severity == "error":
                log.warning("language data: %s (that file is not used)", problem)
        if warnings := sum(p.severity == "warning" for p in problems):
            log.info("language data: %s warnings, see aiguilleur catalog check", warnings)
    store = await Store.open(settings.database_url)
    # The core sees the store only through its ports (bot.core.ports): mypy checks here that it fits them.
    dialogue = Dialogue(
        catalog=catalog,
        store=store,
        i18n=I18n(),
        retention_days=settings.retention_days,
        advisor_chat=advisor_chat,
        language_data=language_data,
        now=now,
        admin_chat_id=settings.admin_chat_id,
        email_referrals=settings.email_enabled,
    )
    await dialogue.load_links()
    prepare_index(catalog)
    dialogue.prepare(catalog)
    gc.freeze()  # the catalog lives as long as the process: keep it out of every garbage collection
    return Core(dialogue, store)


def configure_logging(level: str) -> None:
    """Plain logs that cannot leak, at every level (README's promise): records are made safe when they are
    created (`_SafeRecords`), so every handler, ours or a test's, gets the safe version. httpx stays at WARNING
    (its INFO lines hold the bot token in the URL); the secrets are added when the core is built."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not isinstance(logging.getLogRecordFactory(), _SafeRecords):
        logging.setLogRecordFactory(_SafeRecords(logging.getLogRecordFactory()))
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # With max_retries=0 PTB's rate limiter logs every 429 as an ERROR with a traceback, although the outbox
    # handles it (it waits for that chat alone and logs it at INFO).
    logging.getLogger("telegram.ext.AIORateLimiter").setLevel(logging.CRITICAL)


def hide_in_logs(*secrets: str | None) -> None:
    """Never write these (the bot token, the webhook secret) in a log line, whoever logs it."""
    _SECRETS.update(s for s in secrets if s and len(s) >= 8)


_SECRETS: set[str] = set()
_OURS = ("bot", "tools", "__main__")
# printf-style placeholders: the libraries' values (raw updates, API parameters, SQL parameters) go there
_PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")


def _hidden(match: re.Match[str]) -> str:
    return "%" if match.group() == "%%" else "<hidden>"


class _SafeRecords:
    """A log record factory. Our own modules log ids and codes, never texts or names; the libraries' records
    can carry whole updates (PTB's "Processing update", the Bot API call parameters, aiosqlite's SQL
    parameters), so only their message templates are kept. The secrets are masked everywhere, tracebacks
    included."""

    def __init__(self, make: Callable[..., logging.LogRecord]) -> None:
        self.make = make

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.make(*args, **kwargs)
        try:
            if record.name.split(".", 1)[0] in _OURS:
                message = record.getMessage()
            else:
                message = _PLACEHOLDER.sub(_hidden, str(record.msg)) if record.args else str(record.msg)
            record.msg, record.args = _mask(message), None
            if record.exc_info and record.exc_info[0] is not None:
                record.exc_text = _mask(_TRACEBACKS.formatException(record.exc_info))
            if record.stack_info:
                record.stack_info = _mask(record.stack_info)
        except Exception:  # a record that cannot be made safe is not written as it was
            record.msg, record.args, record.exc_info = f"log record hidden ({record.name})", None, None
        return record


_TRACEBACKS = logging.Formatter()


def _mask(text: str) -> str:
    for secret in _SECRETS:
        text = text.replace(secret, "<secret>")
    return text
