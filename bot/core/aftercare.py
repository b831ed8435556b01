"""After a handoff closes: the rating and optional comment the advisors see, what writing again does, and
the one-time follow-up days later (did the referral help?). The entrepreneur's side."""

from __future__ import annotations

from collections.abc import Callable

from bot.catalog.model import Catalog
from bot.core import card, funnel
from bot.core.buttons import (
    AskAdvisor,
    FollowUp,
    Helped,
    OpenProfile,
    ProfileTarget,
    Rate,
    SkipComment,
    button,
)
from bot.core.card import Gettext
from bot.core.steps import Step
from bot.core.text import Rich, bold, fmt, italic, lines, plain
from bot.core.thread import DeskServices, HandoffThread
from bot.core.turn import Keyboard, Turn
from bot.core.types import Handoff, Reply

COMMENT_LIMIT = 4096  # Telegram's own limit for a message: a comment is never cut


def rating_question(handoff: Handoff, _: Gettext) -> tuple[Rich, Keyboard]:
    """'How helpful was this conversation?', with one to five stars and Skip."""
    stars = tuple(button("★" * n, Rate(handoff.id, n)) for n in range(1, 6))
    return (
        (plain(_("How helpful was this conversation? 1 star: not at all, 5 stars: very.")),),
        (stars[:3], stars[3:], (button(_("Skip"), Rate(handoff.id, 0)),)),
    )


class Aftercare:
    """Ratings, comments, the offer of a new request, and follow-ups; `request` asks for an advisor again."""

    def __init__(
        self, services: DeskServices, thread: HandoffThread, request: Callable[[Turn], None]
    ) -> None:
        self.services = services
        self.store = services.store
        self.thread = thread
        self.request = request

    async def rate(self, turn: Turn, handoff_id: int, stars: int) -> bool:
        """A rating button: only for this user's last closed handoff, once."""
        handoff = await self._own_closed(turn, handoff_id)
        if handoff is None or handoff.rating is not None or not 0 <= stars <= 5:
            return False
        _ = turn._
        await self.store.update_handoff(handoff_id=handoff.id, rating=stars)
        if stars:
            await self.services.record(
                turn.catalog, funnel.of_handoff(funnel.Kind.RATED, handoff, value=stars)
            )
        if stars == 0:
            turn.edit_pressed((plain(_("No rating given.")),))
            self._closed(turn)
            return True
        turn.edit_pressed((plain("★" * stars + "☆" * (5 - stars)),))
        turn.send(
            self.thread.in_thread(
                handoff,
                (italic(turn._h("The entrepreneur rated the conversation {stars}/5.").format(stars=stars)),),
            )
        )
        turn.update(step=Step.COMMENT)
        turn.say(
            (
                plain(
                    _("Thank you! Anything to add for the advisors? Write it in one message, or press Skip.")
                ),
            ),
            ((button(_("Skip"), SkipComment(handoff.id)),),),
        )
        return True

    async def comment(self, turn: Turn) -> None:
        """The optional comment after a rating: relayed to the thread, then the conversation moves on."""
        handoff_id = turn.conv.last_handoff_id
        handoff = await self._own_closed(turn, handoff_id) if handoff_id else None
        text = turn.event.text.strip()
        if handoff is not None and text:
            await self.store.update_handoff(handoff_id=handoff.id, comment=text[:COMMENT_LIMIT])
            await self.services.record(turn.catalog, funnel.of_handoff(funnel.Kind.COMMENTED, handoff))
            turn.send(
                self.thread.in_thread(
                    handoff,
                    fmt(
                        turn._h("The entrepreneur's comment: {comment}"), comment=italic(text[:COMMENT_LIMIT])
                    ),
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
        turn.update(step=Step.CLOSED)
        turn.say((plain(_("Thank you! Your results are still here; send /start to begin again.")),))

    def offer_new(self, turn: Turn) -> None:
        """Writing after a close reopens nothing silently: the bot offers a new request instead."""
        _ = turn._
        turn.update(step=Step.RESULTS)
        turn.say(
            lines(
                bold(_("Your conversation with the advisor is closed.")),
                _("Your message was not sent. Would you like to ask an advisor again?"),
            ),
            (
                (
                    button(_("Talk to an advisor"), AskAdvisor()),
                    button(_("My results"), OpenProfile(ProfileTarget.RESULTS)),
                ),
            ),
        )

    def follow_up(self, catalog: Catalog, handoff: Handoff) -> Reply:
        """The one-time question, days after a close: did the referral help?"""
        _u = self.services.user_gettext(handoff)
        name = card.hub_name(catalog, handoff.hub_id, handoff.lang)
        return Reply(
            handoff.user_chat_id,
            fmt(
                _u("A few days ago you talked with the advisors of {hub}. Did it help you move forward?"),
                hub=bold(name),
            ),
            (
                (
                    button(_u("Yes"), FollowUp(handoff.id, Helped.YES)),
                    button(_u("No"), FollowUp(handoff.id, Helped.NO)),
                ),
                (button(_u("Talk to an advisor again"), FollowUp(handoff.id, Helped.ADVISOR)),),
            ),
        )

    async def follow_up_answer(self, turn: Turn, handoff_id: int, answer: Helped) -> bool:
        handoff = await self._own_closed(turn, handoff_id, any_closed=True)
        if handoff is None or handoff.helped is not None:
            return False
        await self.store.update_handoff(handoff_id=handoff.id, helped=str(answer))
        value = funnel.HELPED[str(answer)]
        await self.services.record(
            turn.catalog, funnel.of_handoff(funnel.Kind.FOLLOW_UP, handoff, value=value)
        )
        _ = turn._
        labels = {Helped.YES: _("Yes"), Helped.NO: _("No"), Helped.ADVISOR: _("Talk to an advisor again")}
        turn.edit_pressed((plain(labels[answer]),))
        notes = {
            Helped.YES: turn._h("Follow-up: the entrepreneur says this referral helped."),
            Helped.NO: turn._h("Follow-up: the entrepreneur says this referral did not help."),
            Helped.ADVISOR: turn._h("Follow-up: the entrepreneur asks to talk to an advisor again."),
        }
        turn.send(self.thread.in_thread(handoff, (italic(notes[answer]),)))
        if answer is Helped.YES:
            turn.say((plain(_("Glad to hear it! Good luck with your project.")),))
        elif answer is Helped.NO:
            turn.say(
                (plain(_("Sorry to hear that. An advisor can look at it again with you.")),),
                ((button(_("Talk to an advisor"), AskAdvisor()),),),
            )
        elif turn.conv.handoff_id is None:
            turn.update(hub_id=handoff.hub_id)
            self.request(turn)
        return True

    async def _own_closed(self, turn: Turn, handoff_id: int, *, any_closed: bool = False) -> Handoff | None:
        """A closed handoff of this very chat (the last one, unless `any_closed`); None for anything else."""
        if not any_closed and handoff_id != turn.conv.last_handoff_id:
            return None
        handoff = await self.store.get_handoff(handoff_id=handoff_id)
        if handoff is None or handoff.user_chat_id != turn.conv.chat_id or handoff.status != "closed":
            return None
        return handoff
