"""A typed callback context: handlers reach the core as `context.core`, not through untyped dicts."""

from __future__ import annotations

from typing import Any, TypeAlias

from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot

from bot.bootstrap import Core
from bot.storage import UnitOfWork
from bot.telegram.services import Services, services_of


class AppContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """PTB's context plus the running core and the update's unit of work (None in a job)."""

    unit: UnitOfWork | None = None

    @classmethod
    def from_update(
        cls, update: object, application: Application[Any, Any, Any, Any, Any, Any]
    ) -> AppContext:
        context = super().from_update(update, application)
        if isinstance(update, Update):
            context.unit = services_of(application.bot_data).units.get(update.update_id)
        return context

    @property
    def services(self) -> Services:
        return services_of(self.application.bot_data)

    @property
    def core(self) -> Core:
        return self.services.core


# The Application `bot.telegram.app.build_application` builds. Its context and job-queue parameters stay open:
# PTB types `CallbackContext.application` with an unbound context variable, so no closed type would match it.
App: TypeAlias = Application[ExtBot[Any], Any, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any]
