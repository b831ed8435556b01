"""A typed callback context: handlers reach the core as `context.core`, not through untyped dicts."""

from __future__ import annotations

from typing import Any

from telegram.ext import CallbackContext, ExtBot

from bot.bootstrap import Core

CORE_KEY = "core"


class AppContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """PTB's context plus the running core."""

    @property
    def core(self) -> Core:
        core: Core = self.application.bot_data[CORE_KEY]
        return core
