"""After a handoff closes: the rating and optional comment the advisors see, what writing again does, and
the one-time follow-up days later (did the referral help?)."""

from __future__ import annotations

from bot.catalog.model import Catalog
from bot.core import card
from bot.core.handoff import HandoffDesk
from bot.core.text import bold, fmt, italic, lines, plain
from bot.core.thread import DeskBase
from bot.core.turn import Turn
from bot.core.types import Button, Handoff, Reply

COMMENT_LIMIT = 4096  # Telegram's own limit for a message: a comment is never cut


class Aftercare(DeskBase):
    """Ratings, comments, the offer of a new request, and follow-ups."""

    def __init__(self, desk: HandoffDesk) -> None:
        super().__init__(desk.store, desk.i18n, desk.advisor_chat, desk.now)
        self.desk = desk

    async def rate(self, turn: Turn, handoff_id: int, stars: int) -> bool:
        """A rating button: only for this user's last closed handoff, once."""
        handoff = await self._own_closed(turn, handoff_id)
        if handoff is None or handoff.rating is not None or not 0 <= stars <= 5:
            return False
        _ = turn._
        await self.store.update_handoff(handoff_id=handoff.id, rating=stars)
        if stars == 0:
            turn.edit_pressed((plain(_("No rating given.")),))
            self._closed(turn)
            return True
        turn.edit_pressed((plain("★" * stars + "☆" * (5 - stars)),))
        _h = self.hub_gettext(turn.catalog)
        turn.send(
            self.in_thread(
                handoff,
                (italic(_h("The entrepreneur rated the conversation {stars}/5.").format(stars=stars)),),
            )
        )
        turn.update(step="comment")
        turn.say(
            (
                plain(
                    _("Thank you! Anything to add for the advisors? Write it in one message, or press Skip.")
                ),
            ),
            ((Button(_("Skip"), f"cm:{handoff.id}"),),),
        )
        return True

    async def comment(self, turn: Turn) -> None:
        """The optional comment after a rating: relayed to the thread, then the conversation moves on."""
        handoff_id = turn.conv.last_handoff_id
        handoff = await self._own_closed(turn, handoff_id) if handoff_id else None
        text = turn.event.text.strip()
        if handoff is not None and text:
            await self.store.update_handoff(handoff_id=handoff.id, comment=text[:COMMENT_LIMIT])
            _h = self.hub_gettext(turn.catalog)
            turn.send(
                self.in_thread(
                    handoff,
                    fmt(_h("The entrepreneur's comment: {comment}"), comment=italic(text[:COMMENT_LIMIT])),
                )
            )
        self._closed(turn)

    def skip_comment(self, turn: Turn) -> None:
        turn.edit_pressed(
            (
                plain(
                    turn._(
                        "Thank you! Anything to add for the advisors? Write it in one message, or press Skip."
                    )
                ),
            )
        )
        self._closed(turn)

    def _closed(self, turn: Turn) -> None:
        _ = turn._
        turn.update(step="closed")
        turn.say((plain(_("Thank you! Your results are still here; send /start to begin again.")),))

    def offer_new(self, turn: Turn) -> None:
        """Writing after a close reopens nothing silently: the bot offers a new request instead."""
        _ = turn._
        turn.update(step="results")
        turn.say(
            lines(
                bold(_("Your conversation with the advisor is closed.")),
                _("Your message was not sent. Would you like to ask an advisor again?"),
            ),
            ((Button(_("Talk to an advisor"), "adv"), Button(_("My results"), "pf:results")),),
        )

    def follow_up(self, catalog: Catalog, handoff: Handoff) -> Reply:
        """The one-time question, days after a close: did the referral help?"""
        _u = self.i18n.get(handoff.lang).gettext
        name = card.hub_name(catalog, handoff.hub_id, handoff.lang)
        return Reply(
            handoff.user_chat_id,
            fmt(
                _u("A few days ago you talked with the advisors of {hub}. Did it help you move forward?"),
                hub=bold(name),
            ),
            (
                (Button(_u("Yes"), f"fu:{handoff.id}:yes"), Button(_u("No"), f"fu:{handoff.id}:no")),
                (Button(_u("Talk to an advisor again"), f"fu:{handoff.id}:adv"),),
            ),
        )

    async def follow_up_answer(self, turn: Turn, handoff_id: int, answer: str) -> bool:
        handoff = await self._own_closed(turn, handoff_id, any_closed=True)
        if handoff is None or handoff.helped is not None or answer not in ("yes", "no", "adv"):
            return False
        await self.store.update_handoff(handoff_id=handoff.id, helped=answer)
        _ = turn._
        labels = {"yes": _("Yes"), "no": _("No"), "adv": _("Talk to an advisor again")}
        turn.edit_pressed((plain(labels[answer]),))
        _h = self.hub_gettext(turn.catalog)
        notes = {
            "yes": _h("Follow-up: the entrepreneur says this referral helped."),
            "no": _h("Follow-up: the entrepreneur says this referral did not help."),
            "adv": _h("Follow-up: the entrepreneur asks to talk to an advisor again."),
        }
        turn.send(self.in_thread(handoff, (italic(notes[answer]),)))
        if answer == "yes":
            turn.say((plain(_("Glad to hear it! Good luck with your project.")),))
        elif answer == "no":
            turn.say(
                (plain(_("Sorry to hear that. An advisor can look at it again with you.")),),
                ((Button(_("Talk to an advisor"), "adv"),),),
            )
        elif turn.conv.handoff_id is None:
            turn.update(hub_id=handoff.hub_id)
            self.desk.request(turn)
        return True

    async def _own_closed(self, turn: Turn, handoff_id: int, *, any_closed: bool = False) -> Handoff | None:
        """A closed handoff of this very chat (the last one, unless `any_closed`); None for anything else."""
        if not any_closed and handoff_id != turn.conv.last_handoff_id:
            return None
        handoff = await self.store.get_handoff(handoff_id=handoff_id)
        if handoff is None or handoff.user_chat_id != turn.conv.chat_id or handoff.status != "closed":
            return None
        return handoff
