"""Bot API methods about the bot itself: identity, updates (long polling, webhook), commands,
descriptions and names."""

from __future__ import annotations

import copy
import time
from collections.abc import Mapping
from typing import Any

from tests.support.botapi.common import COMMAND_RE, ApiError, bad_request
from tests.support.botapi.state import DoubleState
from tests.support.botapi.values import BOT_FIRST_NAME, JSONDict, UploadedFile


class BotMethods(DoubleState):
    """getMe, logOut/close, getUpdates, set/delete/getWebhook(Info), *MyCommands,
    *MyDescription, *MyShortDescription, *MyName."""

    def _api_true(self, _params: dict[str, Any], _files: dict[str, UploadedFile]) -> bool:
        return True

    def _api_get_me(self, _params: dict[str, Any], _files: dict[str, UploadedFile]) -> JSONDict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _api_get_updates(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> list[JSONDict]:
        """Long polling with Telegram's semantics: ``offset`` confirms (drops) earlier updates, a
        negative offset keeps only the last ``-offset`` ones; the call waits up to ``timeout``
        seconds for an update; a newer concurrent call terminates this one with 409."""
        if self._webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
                "delete the webhook first",
            )
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed]
        offset = int(params.get("offset") or 0)
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = min(max(float(params.get("timeout") or 0), 0.0), 60.0)
        self._poll_generation += 1
        generation = self._poll_generation
        self._cond.notify_all()  # wakes an older pending poll, which then answers 409
        deadline = time.monotonic() + timeout
        while True:
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot "
                    "instance is running",
                )
            if self._webhook is not None:
                raise ApiError(409, "Conflict: terminated by setWebhook request")
            remaining = deadline - time.monotonic()
            if self._updates or self._stopping or remaining <= 0:
                return copy.deepcopy(self._updates[:limit])
            self._cond.wait(remaining)

    def _api_set_webhook(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> bool:
        url = params.get("url") or ""
        if params.get("drop_pending_updates"):
            self._updates.clear()
        if not url:
            self._webhook = None
            return True
        if not str(url).startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self._webhook = {
            key: params[key]
            for key in ("url", "max_connections", "allowed_updates", "secret_token", "ip_address")
            if key in params
        }
        if isinstance(params.get("allowed_updates"), list):
            self._allowed_updates = [str(kind) for kind in params["allowed_updates"]]
        self._cond.notify_all()  # a pending getUpdates must now fail like on the server
        return True

    def _api_delete_webhook(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> bool:
        self._webhook = None
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _api_get_webhook_info(self, _params: dict[str, Any], _files: dict[str, UploadedFile]) -> JSONDict:
        info: JSONDict = {
            "url": (self._webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._webhook:
            info["max_connections"] = int(self._webhook.get("max_connections", 40))
            if self._allowed_updates:
                info["allowed_updates"] = list(self._allowed_updates)
        return info

    def _api_set_my_commands(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, Mapping) or not COMMAND_RE.fullmatch(str(command.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = (self._scope_key(params.get("scope")), str(params.get("language_code") or ""))
        if commands:
            self._commands[key] = [
                {"command": str(c["command"]), "description": str(c["description"])} for c in commands
            ]
        else:
            self._commands.pop(key, None)
        return True

    def _api_get_my_commands(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> list[JSONDict]:
        key = (self._scope_key(params.get("scope")), str(params.get("language_code") or ""))
        return copy.deepcopy(self._commands.get(key, []))

    def _api_delete_my_commands(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> bool:
        self._commands.pop(
            (self._scope_key(params.get("scope")), str(params.get("language_code") or "")), None
        )
        return True

    def _set_text_setting(
        self, store: dict[str, str], params: Mapping[str, Any], key: str, limit: int
    ) -> bool:
        value = str(params.get(key) or "")
        if len(value) > limit:
            raise bad_request(f"{key} is too long")
        language = str(params.get("language_code") or "")
        if value:
            store[language] = value
        else:
            store.pop(language, None)
        return True

    def _api_set_my_description(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> bool:
        return self._set_text_setting(self._descriptions, params, "description", 512)

    def _api_get_my_description(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> JSONDict:
        return {"description": self._descriptions.get(str(params.get("language_code") or ""), "")}

    def _api_set_my_short_description(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> bool:
        return self._set_text_setting(self._short_descriptions, params, "short_description", 120)

    def _api_get_my_short_description(
        self, params: dict[str, Any], _files: dict[str, UploadedFile]
    ) -> JSONDict:
        return {"short_description": self._short_descriptions.get(str(params.get("language_code") or ""), "")}

    def _api_set_my_name(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> bool:
        return self._set_text_setting(self._names, params, "name", 64)

    def _api_get_my_name(self, params: dict[str, Any], _files: dict[str, UploadedFile]) -> JSONDict:
        language = str(params.get("language_code") or "")
        return {"name": self._names.get(language) or (BOT_FIRST_NAME if not language else "")}
