"""A typed callback context: handlers reach the core as `context.core`, not through untyped dicts."""

from __future__ import annotations

from typing import Any, TypeAlias

from telegram.ext import Application, CallbackContext, ExtBot

from bot.bootstrap import Core

CORE_KEY = "core"


class AppContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """PTB's context plus the running core."""

    @property
    def core(self) -> Core:
        core: Core = self.application.bot_data[CORE_KEY]
        return core


# The Application `bot.telegram.app.build_application` builds. Its context and job-queue parameters stay open:
# PTB types `CallbackContext.application` with an unbound context variable, so no closed type would match it.
App: TypeAlias = Application[ExtBot[Any], Any, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any]
