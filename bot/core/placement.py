"""Where a reply about a request goes in the hub's chat, and how a command is read from a message's text.

One rule each, used by the Telegram outbox, the thread's last words before a /forget, the terminal chat and
the tests' driver alike (docs/architecture.md, "One update's path").
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.core.types import Handoff, Reply

COMMAND_MAX = 32  # Telegram's own limit on a command's name


@dataclass(frozen=True)
class Moved:
    """The request was transferred while this copy of the entrepreneur's message waited: it goes to the new
    hub's chat instead."""

    chat_id: int


def place(reply: Reply, request: Handoff) -> Reply | Moved | None:
    """`reply` (about `request`) as it must be sent now: in the request's topic, or as a reply to its card in
    a group without topics; None when there is nothing left to send (the topic is open already, the card is
    not known, the thread moved to another hub's chat and that group was told already)."""
    if request.hub_chat_id != reply.chat_id:
        if reply.copy_of is not None and reply.action == "send":
            return Moved(request.hub_chat_id)  # the entrepreneur's message follows the transfer
        return None  # the old thread's card, topic and notes: the transfer already told that group
    if reply.action == "open_topic":
        return None if request.topic_id is not None else reply  # opened once, whatever the retries
    topic = reply.topic_id or request.topic_id
    if reply.action in ("close_topic", "reopen_topic"):
        return replace(reply, topic_id=topic) if topic else None
    if reply.action == "edit_card":
        card = request.card_message_id
        return replace(reply, edit_message_id=card, topic_id=None) if card else None
    reply_to = reply.reply_to_message_id
    if topic is None and reply_to is None and not (reply.track or "").startswith("card:"):
        reply_to = request.card_message_id
    return replace(reply, topic_id=topic, reply_to_message_id=reply_to)


def parse_command(text: str, bot_username: str | None = None) -> tuple[str | None, tuple[str, ...]]:
    """`/start@bot hub-01` -> ('start', ('hub-01',)); not a command -> (None, ()). A command addressed to
    another bot (`/close@OtherBot`) is not ours."""
    if not text.startswith("/") or not text[1:].strip() or text[1].isspace():
        return None, ()
    head, *args = text.split()
    name, _at, addressee = head[1:].partition("@")
    if addressee and bot_username and addressee.lower() != bot_username.lower():
        return None, ()
    return name.lower()[:COMMAND_MAX], tuple(args)
