"""The bot's place in groups: what it says when added to one (which hub it serves, or how to link it), and
what it reports to the admins (missing rights, being removed)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.catalog.model import Catalog
from bot.core.text import bold, fmt, lines
from bot.core.thread import DeskServices
from bot.core.types import Outcome, Reply


@dataclass(frozen=True)
class GroupRights:
    """What the bot may do in a group, as Telegram reported it."""

    admin: bool
    manage_topics: bool
    forum: bool


class HubGroups:
    """Messages about groups themselves, to the group and to the admin chat."""

    def __init__(self, services: DeskServices) -> None:
        self.services = services

    def group_joined(
        self, chat_id: int, catalog: Catalog, rights: GroupRights, admin_chat: int | None
    ) -> Outcome:
        """Added to (or promoted in) a group: say which hub it serves or how to link it; report missing rights."""
        _h = self.services.hub_gettext(catalog)
        hub = self.services.hub_of_chat(catalog, chat_id)
        if hub is None:
            text = lines(
                fmt(_h("Hello! This group's chat id is {chat_id}."), chat_id=bold(str(chat_id))),
                fmt(
                    _h(
                        "To receive a hub's requests here, set {setting} for that hub in hubs.yaml and restart the bot."
                    ),
                    setting=bold(f"advisor_chat_id: {chat_id}"),
                ),
                _h(
                    "Make me an administrator of this group, with the right to manage topics, so that I see your replies and give each request its own topic."
                ),
            )
            return Outcome((Reply(chat_id, text),))
        name = catalog.text(hub.name, catalog.default_language)
        replies = [
            Reply(
                chat_id,
                lines(
                    fmt(_h("This group is the advisor group of {hub}."), hub=bold(name)),
                    _h(
                        "Requests will appear here, each in its own topic when topics are on. Send /help for the commands."
                    ),
                ),
            )
        ]
        missing = self.missing_rights(rights, _h)
        if missing:
            replies.append(Reply(chat_id, (bold(missing),)))
            if admin_chat is not None:
                replies.append(
                    Reply(
                        admin_chat,
                        fmt(_h("Advisor group of {hub}: {problem}"), hub=bold(name), problem=missing),
                    )
                )
        return Outcome(tuple(replies))

    def group_left(self, chat_id: int, catalog: Catalog, admin_chat: int | None) -> Outcome:
        """Removed from a hub's group: the admins must know, its requests cannot be answered meanwhile."""
        hub = self.services.hub_of_chat(catalog, chat_id)
        if hub is None or admin_chat is None:
            return Outcome()
        _h = self.services.hub_gettext(catalog)
        problem = _h("I was removed from this group: its requests cannot be answered until I am added back.")
        name = catalog.text(hub.name, catalog.default_language)
        return Outcome(
            (
                Reply(
                    admin_chat, fmt(_h("Advisor group of {hub}: {problem}"), hub=bold(name), problem=problem)
                ),
            )
        )

    def missing_rights(self, rights: GroupRights, _h: Callable[[str], str]) -> str | None:
        if not rights.admin:
            return _h(
                "I am not an administrator of this group, so I do not see the advisors' replies. Please make me an administrator."
            )
        if rights.forum and not rights.manage_topics:
            return _h("I cannot create topics here. Please give me the administrator right to manage topics.")
        return None

    def lacks_rights(self, chat_id: int, catalog: Catalog, admin_chat: int | None) -> Outcome:
        """A topic could not be created: the request goes on as replies to its card, and admins are told."""
        _h = self.services.hub_gettext(catalog)
        hub = self.services.hub_of_chat(catalog, chat_id)
        problem = _h("I cannot create topics here. Please give me the administrator right to manage topics.")
        replies = [Reply(chat_id, (bold(problem),))]
        if admin_chat is not None and hub is not None:
            name = catalog.text(hub.name, catalog.default_language)
            replies.append(
                Reply(
                    admin_chat, fmt(_h("Advisor group of {hub}: {problem}"), hub=bold(name), problem=problem)
                )
            )
        return Outcome(tuple(replies))
