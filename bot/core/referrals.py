"""Warm referrals to partners, the entrepreneur's side (docs/referrals.md): "Put me in touch" on a result that
has a partner contact, a consent specific to that organisation, an optional question, then a structured
referral sent to the partner's Telegram chat (with Accept / Decline) or queued as an e-mail (with a token for
`/referral TOKEN accept|decline`). Days later, one follow-up: did they contact you, did it help?

What the partner does (their answer) is in `referral_partner.py`.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import replace

from bot.catalog.model import Catalog, Entry
from bot.core.buttons import AskAdvisor, YesNo, button
from bot.core.referral_buttons import (
    FollowUpAnswer,
    PutInTouch,
    ReferralAction,
    ReferralConsent,
    ReferralFollowUp,
    ReferralSend,
)
from bot.core.referral_partner import channel_of, email_message, partner_message
from bot.core.results import show_results
from bot.core.steps import Step
from bot.core.text import bold, fmt, italic, lines, plain
from bot.core.thread import DeskServices
from bot.core.turn import Turn
from bot.core.types import Referral, Reply
from bot.i18n import number

QUESTION_CHARS = 1000  # the question shared with the partner is cut here
TOKEN_BYTES = 12  # 16 characters: the partner's `/referral TOKEN accept`, unguessable


class ReferralDesk:
    """Offering, consenting, sending; the follow-up over time."""

    def __init__(self, services: DeskServices) -> None:
        self.services = services
        self.store = services.store

    async def press(self, turn: Turn, action: ReferralAction) -> bool:
        """A referral button of the entrepreneur; False when it no longer counts ('expired')."""
        if isinstance(action, PutInTouch):
            return self.offer(turn, action.entry_id)
        if isinstance(action, ReferralConsent):
            return await self.consent(turn, action.entry_id, action.answer is YesNo.YES)
        if isinstance(action, ReferralSend):
            return await self.send_choice(turn, action.referral_id, action.send)
        return await self.follow_up_answer(turn, action.referral_id, action.answer)

    def _reachable(self, turn: Turn, entry_id: str) -> tuple[Entry, str] | None:
        """The entry and its channel; None (the user told plainly) for an entry without any contact."""
        entry = turn.catalog.entry(entry_id)
        if entry is None:
            return None
        channel = channel_of(entry, turn.email_referrals)
        if channel is None:
            turn.say(
                fmt(
                    turn._(
                        "I cannot put you in touch with {organization}: the catalog gives me no way to reach "
                        "them. Use their contact details in the results. Nothing was shared."
                    ),
                    organization=bold(entry.organization),
                )
            )
            return None
        return entry, channel

    def offer(self, turn: Turn, entry_id: str) -> bool:
        """The consent specific to this organisation: what is shared, how, and how to withdraw."""
        if turn.catalog.entry(entry_id) is None:
            return False
        reachable = self._reachable(turn, entry_id)
        if reachable is None:
            return True
        entry, channel = reachable
        _ = turn._
        org = bold(entry.organization)
        how = (
            _("by Telegram, to their team")
            if channel == "telegram"
            else fmt(_("by e-mail, to {email}"), email=entry.contact.email or "")
        )
        turn.say(
            lines(
                fmt(_("Put you in touch with {organization}?"), organization=org),
                fmt(
                    _(
                        "I will send {organization} ({how}): your first name, a summary of your answers "
                        "(stage, sectors, region, needs) and the question you write next, if any. They can "
                        "accept or decline; I will tell you."
                    ),
                    organization=org,
                    how=how,
                ),
                italic(
                    _(
                        "This consent is for this organisation only. Until it is sent you can cancel; to "
                        "withdraw later, send /forget: I delete what I keep, and you can ask the organisation "
                        "to delete what it received."
                    )
                ),
                bold(_("Do you agree to share this with them?")),
            ),
            (
                (
                    button(_("Yes, share"), ReferralConsent(entry.id, YesNo.YES)),
                    button(_("No, thanks"), ReferralConsent(entry.id, YesNo.NO)),
                ),
            ),
        )
        return True

    async def consent(self, turn: Turn, entry_id: str, yes: bool) -> bool:
        if turn.catalog.entry(entry_id) is None:
            return False
        _ = turn._
        if not yes:
            turn.edit_pressed((plain(_("Nothing was shared.")),))
            return True
        reachable = self._reachable(turn, entry_id)
        if reachable is None:
            return True
        entry, channel = reachable
        draft = await self.store.create_referral(
            user_chat_id=turn.conv.chat_id,
            network=turn.catalog.network.id,
            entry_id=entry.id,
            channel=channel,
            partner_chat_id=entry.partner_chat_id if channel == "telegram" else None,
            lang=turn.lang,
            first_name=turn.event.sender.first_name,
            profile=turn.conv.profile,
            at=self.services.now(),
        )
        turn.update(step=Step.REFERRAL)
        turn.edit_pressed(fmt(_("Put you in touch with {organization}?"), organization=entry.organization))
        turn.say(
            lines(
                fmt(
                    _(
                        "In one message, write your question for {organization}, and how they can reach you "
                        "(e-mail or phone) if you wish. Or send it without a question."
                    ),
                    organization=bold(entry.organization),
                ),
            ),
            (
                (
                    button(_("Send without a question"), ReferralSend(draft.id, True)),
                    button(_("Cancel"), ReferralSend(draft.id, False)),
                ),
            ),
        )
        return True

    async def question(self, turn: Turn) -> None:
        """The message written after consent: the question, then the referral goes."""
        draft = await self.store.draft_of(user_chat_id=turn.conv.chat_id)
        text = turn.event.text.strip()
        if draft is None:
            show_results(turn, turn.conv.page)
            return
        if not text:
            turn.say((plain(turn._("I can only read text here.")),))
            return
        await self._send(turn, draft, text[:QUESTION_CHARS], cut=len(text) > QUESTION_CHARS)

    async def send_choice(self, turn: Turn, referral_id: int, send: bool) -> bool:
        draft = await self.store.get_referral(referral_id=referral_id)
        if draft is None or draft.status != "draft" or draft.user_chat_id != turn.conv.chat_id:
            return False
        if send:
            await self._send(turn, draft, "")
            return True
        await self.store.drop_draft(referral_id=draft.id)
        turn.edit_pressed((plain(turn._("Cancelled: nothing was shared.")),))
        show_results(turn, turn.conv.page)
        return True

    async def _send(self, turn: Turn, draft: Referral, question: str, *, cut: bool = False) -> None:
        """The referral goes: to the partner's chat through the outbox, or queued as an e-mail. `cut`: the
        question was longer than `QUESTION_CHARS`, and the person is told so."""
        _ = turn._
        catalog = turn.catalog
        entry = catalog.entry(draft.entry_id)
        turn.update(step=Step.RESULTS)
        if entry is None or channel_of(entry, turn.email_referrals) != draft.channel:
            await self.store.drop_draft(referral_id=draft.id)
            turn.say((plain(_("That organisation is no longer in the catalog: nothing was shared.")),))
            return
        token = secrets.token_urlsafe(TOKEN_BYTES)
        days = catalog.handoff_policy.referral_follow_up_days
        now = self.services.now()
        follow_up = now + dt.timedelta(days=days) if days else None
        if not await self.store.send_referral(
            referral_id=draft.id, question=question, token=token, follow_up_at=follow_up, at=now
        ):  # sent already (a second press of "Send" raced the first): say so rather than nothing
            turn.notice = _("This button has expired. Please use the latest message.")
            return
        sent = replace(draft, question=question, token=token, status="sent")
        if draft.channel == "telegram":
            turn.send(partner_message(self.services, catalog, entry, sent))
        else:
            subject, body = email_message(self.services, catalog, entry, sent)
            await self.store.queue_referral_email(
                referral_id=draft.id, to=entry.contact.email or "", subject=subject, body=body, at=now
            )
        turn.say(
            lines(
                fmt(
                    _("Done: I sent your request to {organization}. I will tell you when they answer."),
                    organization=bold(entry.organization),
                ),
                *(
                    (
                        fmt(
                            _("Only the first {count} characters of your question were shared."),
                            count=number(QUESTION_CHARS, turn.lang),
                        ),
                    )
                    if cut
                    else ()
                ),
                italic(_("Your results are still here.")),
            )
        )

    # -- over time -------------------------------------------------------------------------------------------

    async def tick(self, catalog: Catalog) -> list[Reply]:
        """The follow-ups due: 'Did they contact you? Did it help?', once each."""
        replies = []
        for referral in await self.store.due_referral_follow_ups(now=self.services.now()):
            if referral.user_chat_id is None:
                continue
            _u = self.services.i18n.get(referral.lang).gettext
            entry = catalog.entry(referral.entry_id)
            org = entry.organization if entry is not None else referral.entry_id
            replies.append(
                Reply(
                    referral.user_chat_id,
                    fmt(
                        _u(
                            "A few days ago I put you in touch with {organization}. Did they contact you? Did it help?"
                        ),
                        organization=bold(org),
                    ),
                    (
                        (
                            button(
                                _u("Yes, and it helped"), ReferralFollowUp(referral.id, FollowUpAnswer.HELPED)
                            ),
                        ),
                        (
                            button(
                                _u("Yes, but it did not help"),
                                ReferralFollowUp(referral.id, FollowUpAnswer.NOT_HELPED),
                            ),
                        ),
                        (
                            button(
                                _u("They did not contact me"),
                                ReferralFollowUp(referral.id, FollowUpAnswer.NO_CONTACT),
                            ),
                        ),
                    ),
                )
            )
        return replies

    async def follow_up_answer(self, turn: Turn, referral_id: int, answer: FollowUpAnswer) -> bool:
        referral = await self.store.get_referral(referral_id=referral_id)
        if referral is None or referral.user_chat_id != turn.conv.chat_id:
            return False
        if not await self.store.record_referral_follow_up(
            referral_id=referral.id,
            contacted=answer is not FollowUpAnswer.NO_CONTACT,
            helped=answer is FollowUpAnswer.HELPED,
        ):
            return False
        _ = turn._
        labels = {
            FollowUpAnswer.HELPED: _("Yes, and it helped"),
            FollowUpAnswer.NOT_HELPED: _("Yes, but it did not help"),
            FollowUpAnswer.NO_CONTACT: _("They did not contact me"),
        }
        turn.edit_pressed((plain(labels[answer]),))
        if answer is FollowUpAnswer.HELPED:
            turn.say((plain(_("Glad to hear it! Good luck with your project.")),))
        else:
            turn.say(
                (plain(_("Thank you for telling me. An advisor of your hub can suggest other options.")),),
                ((button(_("Talk to an advisor"), AskAdvisor()),),),
            )
        return True
