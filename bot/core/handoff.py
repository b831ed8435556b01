"""The handoff: an entrepreneur's question posted as a card in their hub's advisor chat, then a relay.

Each message of the thread in the hub chat is linked to its handoff in the database, so an advisor's reply
to any of them reaches the right entrepreneur, and only messages of that hub's chat can. Relays are copies
of the original message: nothing is re-typed, so nothing is injected. Hub-side texts use the network's
default language; the entrepreneur's side uses theirs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from bot.catalog.model import Catalog
from bot.catalog.schema import Hub
from bot.core.intake import ask
from bot.core.results import PAGE_SIZE, current_matches, top_ids
from bot.core.text import Rich, bold, fmt, italic, lines, plain
from bot.core.turn import Turn
from bot.core.types import Button, Handoff, Inbound, MessageRef, Outcome, Reply
from bot.i18n import I18n, language_name
from bot.storage import Store

log = logging.getLogger(__name__)

AdvisorChat = Callable[[Hub], int | None]


def catalog_advisor_chat(hub: Hub) -> int | None:
    """In production the advisor chat is the one the catalog names."""
    return hub.advisor_chat_id


class HandoffDesk:
    """Creates handoffs, relays both ways and closes them."""

    def __init__(self, store: Store, i18n: I18n, advisor_chat: AdvisorChat = catalog_advisor_chat) -> None:
        self.store = store
        self.i18n = i18n
        self.advisor_chat = advisor_chat

    # -- entrepreneur side -----------------------------------------------------------------------------

    def request(self, turn: Turn) -> None:
        """'Talk to an advisor': find the hub (asking the region if needed), then ask for the question."""
        _ = turn._
        hub = self._hub_of(turn)
        if hub is None:
            ask(turn, "hub_region")
            return
        if self.advisor_chat(hub) is None:
            log.warning("hub %s has no advisor chat configured; handoff refused", hub.id)
            name = turn.catalog.text(hub.name, turn.lang)
            text = fmt(_("{hub} does not take questions through this bot yet."), hub=bold(name))
            turn.say(
                (*text, plain("\n"), plain(_("Please contact the hub directly; your results stay here.")))
            )
            turn.update(step="results")
            return
        turn.update(step="question", hub_id=hub.id)
        name = turn.catalog.text(hub.name, turn.lang)
        text = fmt(_("In one message, what would you like to ask the advisors of {hub}?"), hub=bold(name))
        turn.say(text, ((Button(_("Cancel"), "cancel"),),))

    async def submit(self, turn: Turn) -> None:
        """The question arrived: open the handoff, post the card, tell the entrepreneur who will answer."""
        _ = turn._
        hub = self._hub_of(turn)
        chat = self.advisor_chat(hub) if hub else None
        question = turn.event.text.strip()
        if hub is None or chat is None:
            self.request(turn)
            return
        if not question:
            turn.say((plain(_("Please write your question as text.")),))
            return
        handoff = await self.store.create_handoff(
            user_chat_id=turn.conv.chat_id,
            hub_id=hub.id,
            hub_chat_id=chat,
            lang=turn.lang,
            question=question,
            first_name=turn.event.sender.first_name,
            username=turn.event.sender.username,
            profile=turn.conv.profile,
            matches=top_ids(current_matches(turn, limit=PAGE_SIZE)),
        )
        turn.send(Reply(chat, self.card(turn.catalog, handoff), track=f"card:{handoff.id}"))
        turn.update(step="handoff", handoff_id=handoff.id)
        name = turn.catalog.text(hub.name, turn.lang)
        turn.say(
            lines(
                fmt(_("Your question was sent to {hub}."), hub=bold(name)),
                _("An advisor will answer you here. Everything you write now goes to them."),
                fmt(_("Send {command} when you are done."), command=bold("/end")),
            )
        )

    async def relay_from_user(self, turn: Turn) -> bool:
        """A message of the entrepreneur during a handoff goes to the hub's thread as a copy."""
        handoff = await self._open_handoff(turn)
        if handoff is None or turn.event.message_id is None:
            return False
        turn.send(
            Reply(
                handoff.hub_chat_id,
                (plain(turn.event.text),) if turn.event.text else (),
                reply_to_message_id=handoff.card_message_id,
                copy_of=MessageRef(turn.conv.chat_id, turn.event.message_id),
                track=f"relay:{handoff.id}",
            )
        )
        return True

    async def end_by_user(self, turn: Turn, *, reason: str = "ended") -> None:
        """The entrepreneur ends, deletes their data or blocks the bot: close, and tell the hub's thread why."""
        _ = turn._
        handoff = await self._open_handoff(turn)
        turn.update(step="results", handoff_id=None)
        if handoff is None or not await self.store.close_handoff(handoff_id=handoff.id):
            return
        _h = self.i18n.get(turn.catalog.default_language).gettext
        notes = {
            "ended": _h("The entrepreneur ended the conversation."),
            "forget": _h("The entrepreneur deleted their data: this request is closed."),
            "blocked": _h("The entrepreneur blocked the bot: this request is closed."),
        }
        note = notes[reason]
        turn.send(Reply(handoff.hub_chat_id, (italic(note),), reply_to_message_id=handoff.card_message_id))
        if reason == "ended":
            turn.say(
                lines(
                    bold(_("Your conversation with the advisor is closed.")),
                    _("Thank you! Your results are still here; send /start to begin again."),
                )
            )

    # -- hub side --------------------------------------------------------------------------------------

    async def from_hub(self, event: Inbound, catalog: Catalog) -> Outcome:
        """A message in a hub chat: a reply in a handoff's thread is relayed; `/end` there closes it."""
        if event.reply_to_message_id is None:
            return Outcome()
        handoff = await self.store.handoff_for_message(
            hub_chat_id=event.chat_id, message_id=event.reply_to_message_id
        )
        hub = catalog.hub(handoff.hub_id) if handoff else None
        if handoff is None or hub is None or self.advisor_chat(hub) != event.chat_id:
            return Outcome()  # another chat, or a group that is no longer this hub's: no effect
        _h = self.i18n.get(catalog.default_language).gettext
        _u = self.i18n.get(handoff.lang).gettext
        if handoff.status != "open":
            return Outcome(
                (
                    Reply(
                        event.chat_id,
                        (italic(_h("This request is closed.")),),
                        reply_to_message_id=event.message_id,
                    ),
                )
            )
        if event.command == "end":
            await self.store.close_handoff(handoff_id=handoff.id)
            await self._clear_user_handoff(handoff)
            return Outcome(
                (
                    Reply(
                        event.chat_id,
                        (italic(_h("Request closed. The entrepreneur has been told.")),),
                        reply_to_message_id=handoff.card_message_id,
                    ),
                    Reply(
                        handoff.user_chat_id,
                        lines(
                            bold(_u("The advisor closed the conversation.")),
                            _u("Thank you! Send /start to begin again."),
                        ),
                    ),
                )
            )
        if event.command is not None or event.message_id is None:
            return Outcome()
        replies = []
        if not handoff.advisor_replied:
            hub = catalog.hub(handoff.hub_id)
            name = catalog.text(hub.name, handoff.lang) if hub else handoff.hub_id
            replies.append(
                Reply(handoff.user_chat_id, fmt(_u("An advisor of {hub} answers you:"), hub=bold(name)))
            )
            await self.store.mark_advisor_replied(handoff_id=handoff.id)
        replies.append(
            Reply(
                handoff.user_chat_id,
                (plain(event.text),) if event.text else (),
                copy_of=MessageRef(event.chat_id, event.message_id),
            )
        )
        await self.store.link_message(
            hub_chat_id=event.chat_id, message_id=event.message_id, handoff_id=handoff.id
        )
        return Outcome(tuple(replies))

    def group_joined(self, chat_id: int, catalog: Catalog) -> Outcome:
        """The bot was added to a group: say which hub it serves, or how to make it a hub's advisor group."""
        _h = self.i18n.get(catalog.default_language).gettext
        hub = next((h for h in catalog.hubs if self.advisor_chat(h) == chat_id), None)
        if hub is not None:
            text = lines(
                fmt(
                    _h("This group is the advisor group of {hub}."),
                    hub=bold(catalog.text(hub.name, catalog.default_language)),
                ),
                _h(
                    "Requests will appear here. Reply to a request to answer the entrepreneur; reply /end to close it."
                ),
            )
        else:
            text = lines(
                fmt(_h("Hello! This group's chat id is {chat_id}."), chat_id=bold(str(chat_id))),
                fmt(
                    _h(
                        "To receive a hub's requests here, set {setting} for that hub in hubs.yaml and restart the bot."
                    ),
                    setting=bold(f"advisor_chat_id: {chat_id}"),
                ),
                _h("Make me an administrator of this group so that I see your replies."),
            )
        return Outcome((Reply(chat_id, text),))

    async def undelivered(self, track: str, catalog: Catalog) -> Outcome:
        """The card could not be posted (bot removed from the group, group gone): close, tell the entrepreneur."""
        kind, _sep, raw_id = track.partition(":")
        handoff = (
            await self.store.get_handoff(handoff_id=int(raw_id))
            if kind == "card" and raw_id.isdigit()
            else None
        )
        if handoff is None or not await self.store.close_handoff(handoff_id=handoff.id):
            return Outcome()
        log.error("handoff %s: card not delivered to the advisor chat of hub %s", handoff.id, handoff.hub_id)
        await self._clear_user_handoff(handoff)
        _u = self.i18n.get(handoff.lang).gettext
        hub = catalog.hub(handoff.hub_id)
        name = catalog.text(hub.name, handoff.lang) if hub else handoff.hub_id
        text = fmt(
            _u(
                "Sorry, I could not reach the advisors of {hub} just now. Please try again later with /advisor."
            ),
            hub=bold(name),
        )
        return Outcome((Reply(handoff.user_chat_id, text),))

    async def delivered(self, track: str, chat_id: int, message_id: int) -> None:
        """The adapter sent a tracked message: link it to its handoff's thread."""
        kind, _sep, raw_id = track.partition(":")
        if kind in ("card", "relay") and raw_id.isdigit():
            await self.store.link_message(
                hub_chat_id=chat_id, message_id=message_id, handoff_id=int(raw_id), card=kind == "card"
            )

    def card(self, catalog: Catalog, handoff: Handoff) -> Rich:
        """The handoff card, in the hub's language: who, profile, question, what was already suggested."""
        lang = catalog.default_language
        _h = self.i18n.get(lang).gettext
        hub = catalog.hub(handoff.hub_id)
        hub_name = catalog.text(hub.name, lang) if hub else handoff.hub_id
        who = handoff.first_name or _h("(no name)")
        if handoff.username:
            who = f"{who} (@{handoff.username})"
        p = handoff.profile

        def label(dimension: str, code: str | None) -> str:
            return catalog.label(dimension, code, lang) if code else "—"

        needs = ", ".join(catalog.label("needs", n, lang) for n in p.needs) or "—"
        suggested = (
            "; ".join(
                catalog.text(entry.title, lang) for entry in map(catalog.entry, handoff.matches) if entry
            )
            or "—"
        )
        return lines(
            fmt(_h("New request #{number} for {hub}"), number=str(handoff.id), hub=bold(hub_name)),
            fmt(_h("From: {who} · {language}"), who=bold(who), language=language_name(handoff.lang)),
            fmt(
                _h("Stage: {stage} · Sector: {sector} · Region: {region}"),
                stage=label("stages", p.stage),
                sector=label("sectors", p.sector),
                region=label("regions", p.region),
            ),
            fmt(_h("Needs: {needs}"), needs=needs),
            fmt(_h("Question: {question}"), question=italic(handoff.question)),
            fmt(_h("Already suggested: {titles}"), titles=suggested),
            italic(_h("Reply to this message to answer; reply /end to close the request.")),
        )

    # -- helpers ---------------------------------------------------------------------------------------

    def _hub_of(self, turn: Turn) -> Hub | None:
        if turn.conv.hub_id and (hub := turn.catalog.hub(turn.conv.hub_id)):
            return hub
        return turn.catalog.hub_for_region(turn.conv.profile.region)

    async def _open_handoff(self, turn: Turn) -> Handoff | None:
        if turn.conv.handoff_id is None:
            return None
        handoff = await self.store.get_handoff(handoff_id=turn.conv.handoff_id)
        return handoff if handoff and handoff.status == "open" else None

    async def _clear_user_handoff(self, handoff: Handoff) -> None:
        conv = await self.store.get_conversation(chat_id=handoff.user_chat_id)
        if conv and conv.handoff_id == handoff.id:
            await self.store.save_conversation(replace(conv, step="results", handoff_id=None))
