"""Building the transport-independent core from settings: catalog, database, translations, dialogue.

Both adapters (Telegram and terminal) start from here, so they run the very same core.
"""

from __future__ import annotations

import gc
import logging
from dataclasses import dataclass

from bot.catalog.loader import load_catalog
from bot.catalog.model import Catalog
from bot.core.dialogue import Dialogue
from bot.core.matching import prepare_index
from bot.core.thread import AdvisorChat, Clock, catalog_advisor_chat
from bot.i18n import I18n
from bot.settings import Settings
from bot.storage import Store, utcnow
from bot.understanding.data import load_language_data

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
    advisor_chat: AdvisorChat = catalog_advisor_chat,
    now: Clock = utcnow,
) -> Core:
    """Load the catalog (raises `CatalogInvalid`) unless given, upgrade the database, assemble the dialogue."""
    catalog = catalog or load_catalog(settings.catalog_dir)
    language_data, problems = load_language_data(settings.intents_dir, catalog)
    for problem in problems:
        if problem.severity == "error":
            log.warning("language data: %s (that file is not used)", problem)
    if warnings := sum(p.severity == "warning" for p in problems):
        log.info("language data: %s warnings, see aiguilleur catalog check", warnings)
    store = await Store.open(settings.database_url)
    dialogue = Dialogue(
        catalog=catalog,
        store=store,
        i18n=I18n(),
        retention_days=settings.retention_days,
        advisor_chat=advisor_chat,
        language_data=language_data,
        now=now,
        admin_chat_id=settings.admin_chat_id,
    )
    prepare_index(catalog)
    dialogue.prepare(catalog)
    gc.freeze()  # the catalog lives as long as the process: keep it out of every garbage collection
    return Core(dialogue, store)


def configure_logging(level: str) -> None:
    """Plain logs; httpx stays at WARNING because its INFO lines contain the bot token in the URL."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # With max_retries=0 PTB's rate limiter logs every 429 as an ERROR with a traceback, although the outbox
    # handles it (it waits for that chat alone and logs it at INFO).
    logging.getLogger("telegram.ext.AIORateLimiter").setLevel(logging.CRITICAL)
