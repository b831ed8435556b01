"""What the Telegram side shares between its handlers, jobs and tasks, typed: one object in PTB's `bot_data`
(under `SERVICES_KEY`) instead of a dozen string keys. Created with the Application; `attach` fills in the
core and the pipeline's parts, `detach` takes them down."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.bootstrap import Core
    from bot.catalog.reload import CatalogReloader
    from bot.storage import UnitOfWork
    from bot.telegram.mailer import Mailer
    from bot.telegram.outbox import OutboxSender
    from bot.telegram.pipeline import Pipeline
    from bot.telegram.webhook import WebhookReceiver

SERVICES_KEY = "services"


@dataclass
class Services:
    """The running bot's parts, as the Telegram adapter sees them."""

    admin_chat_id: int | None = None
    core_: Core | None = None
    outbox_: OutboxSender | None = None
    pipeline: Pipeline | None = None
    reloader: CatalogReloader | None = None
    mailer: Mailer | None = None
    webhook: WebhookReceiver | None = None
    units: dict[int, UnitOfWork] = field(default_factory=dict)  # update id -> its unit of work
    members: dict[tuple[int, int], tuple[bool, float]] = field(default_factory=dict)  # advisors' rights
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)  # receiving, processing, sending
    stop: asyncio.Event | None = None  # set to stop the process (`serve`)
    failed: bool = False  # a task that must never end did: the exit code says so
    watch_stop: asyncio.Event | None = None  # the catalog watcher's
    watch_task: asyncio.Task[None] | None = None

    @property
    def core(self) -> Core:
        if self.core_ is None:
            raise RuntimeError("the bot's core is not attached yet (bot.telegram.app.attach)")
        return self.core_

    @property
    def outbox(self) -> OutboxSender:
        if self.outbox_ is None:
            raise RuntimeError("the outbox is not running yet (bot.telegram.app.attach)")
        return self.outbox_


def services_of(bot_data: dict[Any, Any]) -> Services:
    """The services of an Application (`app.bot_data`), created on first use."""
    services = bot_data.get(SERVICES_KEY)
    if not isinstance(services, Services):
        services = bot_data[SERVICES_KEY] = Services()
    return services
