"""Warm referrals, the partner's side (docs/referrals.md): the referral as the partner reads it (a Telegram
message with Accept / Decline, or an e-mail with a `/referral TOKEN accept|decline` line), their answer
recorded once and told to the entrepreneur in their language, and a partner chat that cannot be reached.

Partners read the network's default language (as hubs do). What is shared is what the entrepreneur agreed
to: their first name, their answers as labels, their question; never their chat id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.catalog.model import Catalog, Entry
from bot.core.buttons import AskAdvisor, button, parse
from bot.core.intake import answers_line
from bot.core.referral_buttons import PartnerAnswer, PutInTouch
from bot.core.text import Rich, bold, fmt, italic, lines, plain
from bot.core.thread import DeskServices
from bot.core.turn import grid
from bot.core.types import Button, Inbound, Outcome, Referral, Reply

if TYPE_CHECKING:
    from bot.core.turn import Turn

ANSWERS = {"accept": True, "decline": False}


def channel_of(entry: Entry, email: bool) -> str | None:
    """How a referral reaches this entry's partner: its Telegram chat, else its e-mail (when the bot can send
    e-mail); None when neither (no "Put me in touch" then)."""
    if entry.partner_chat_id is not None:
        return "telegram"
    if email and entry.contact.email:
        return "email"
    return None


def touch_buttons(turn: Turn, shown: tuple[tuple[int, Entry], ...], email: bool) -> list[tuple[Button, ...]]:
    """'Put me in touch' for each result of the page whose partner can be reached, by its number."""
    buttons = [
        button(turn._("🤝 Put me in touch: {number}").format(number=number), PutInTouch(entry.id))
        for number, entry in shown
        if channel_of(entry, email) is not None
    ]
    return grid(buttons)


def _shared(services: DeskServices, catalog: Catalog, entry: Entry, referral: Referral) -> list[str]:
    """The referral's lines, as plain text in the network's language (the Telegram message and the e-mail)."""
    _h = services.hub_gettext(catalog)
    lang = catalog.default_language
    found = [
        _h("Referral #{number} from {network}").format(
            number=referral.id, network=catalog.text(catalog.network.name, lang)
        ),
        _h("{name} would like to be put in touch with {organization} about: {title}").format(
            name=referral.first_name or "-",
            organization=entry.organization,
            title=catalog.text(entry.title, lang),
        ),
        _h("Profile: {profile}").format(profile=answers_line(catalog, referral.profile, lang) or "-"),
    ]
    if referral.question:
        found.append(_h("Their question: {question}").format(question=referral.question))
    found.append(
        _h("They agreed to share this with {organization}, and only with it.").format(
            organization=entry.organization
        )
    )
    return found


def partner_message(services: DeskServices, catalog: Catalog, entry: Entry, referral: Referral) -> Reply:
    """The referral in the partner's Telegram chat, with Accept / Decline (tracked: an unreachable chat fails
    the referral and the entrepreneur is told)."""
    _h = services.hub_gettext(catalog)
    assert referral.partner_chat_id is not None
    return Reply(
        referral.partner_chat_id,
        lines(*_shared(services, catalog, entry, referral)),
        (
            (
                button(_h("Accept"), PartnerAnswer(referral.id, True)),
                button(_h("Decline"), PartnerAnswer(referral.id, False)),
            ),
        ),
        track=f"referral:{referral.id}",
    )


def email_message(
    services: DeskServices, catalog: Catalog, entry: Entry, referral: Referral
) -> tuple[str, str]:
    """The e-mail's subject and plain-text body: the referral, and how to answer it."""
    _h = services.hub_gettext(catalog)
    subject = _h("Referral #{number} from {network}: {title}").format(
        number=referral.id,
        network=catalog.text(catalog.network.name, catalog.default_language),
        title=catalog.text(entry.title, catalog.default_language),
    )
    links = _h("To answer, open one of these links (Telegram opens our bot and sends your answer):")
    how = _h("Or send one of these lines to our Telegram bot (a private message, or in a group where it is):")
    accept, decline = (f"{BOT_LINK}{ANSWER_LINK.format(token=referral.token, answer=a)}" for a in "ad")
    body = "\n\n".join(
        (
            "\n".join(_shared(services, catalog, entry, referral)),
            f"{links}\n{_h('Accept')}: {accept}\n{_h('Decline')}: {decline}",
            f"{how}\n/referral {referral.token} accept\n/referral {referral.token} decline",
            _h("The entrepreneur is told of your answer. Please do not forward this e-mail."),
        )
    )
    return subject, body + "\n"


# An e-mail's reply links: Telegram's deep link to the bot, `BOT_LINK` filled in by the adapter that sends the
# e-mail (the core does not know the bot's username); the payload is `/start rf-TOKEN-a` (or `-d`).
BOT_LINK = "{bot_link}"
ANSWER_LINK = "rf-{token}-{answer}"
_LINK_ANSWERS = {"a": True, "d": False}


def link_answer(payload: str) -> tuple[str, bool] | None:
    """(token, accepted) of a reply link's `/start` payload; None for any other payload."""
    head, _sep, rest = payload.partition("-")
    token, _sep, answer = rest.rpartition("-")
    if head != "rf" or not token or answer not in _LINK_ANSWERS:
        return None
    return token, _LINK_ANSWERS[answer]


class PartnerDesk:
    """A partner's answer (a button in their chat, or `/referral TOKEN accept|decline` from any chat)."""

    def __init__(self, services: DeskServices) -> None:
        self.services = services
        self.store = services.store

    async def handle(self, event: Inbound, catalog: Catalog) -> Outcome | None:
        """The partner's answer, if this event is one; None for anything else (the dialogue goes on)."""
        _h = self.services.hub_gettext(catalog)
        if event.button is not None:
            action = parse(event.button)
            if not isinstance(action, PartnerAnswer):
                return None
            referral = await self.store.get_referral(referral_id=action.referral_id)
            if (
                referral is None
                or referral.channel != "telegram"
                or referral.partner_chat_id != event.chat_id
            ):
                return Outcome(notice=_h("This button has expired. Please use the latest message."))
            return await self._answer(catalog, event, referral, action.accept)
        if event.command == "start" and event.args and (link := link_answer(event.args[0])) is not None:
            token, accept = link  # a reply link of the e-mail
            referral = await self.store.referral_by_token(token=token)
            if referral is None or referral.status == "draft":
                return self._here(event, (plain(_h("No referral has this code. Check it in the e-mail.")),))
            return await self._answer(catalog, event, referral, accept)
        if event.command != "referral":
            return None
        args = event.args
        if len(args) != 2 or args[1].lower() not in ANSWERS:
            return self._here(
                event,
                (
                    plain(
                        _h(
                            "Send: /referral CODE accept, or /referral CODE decline (the code is in the e-mail)."
                        )
                    ),
                ),
            )
        referral = await self.store.referral_by_token(token=args[0])
        if referral is None or referral.status == "draft":
            return self._here(event, (plain(_h("No referral has this code. Check it in the e-mail.")),))
        return await self._answer(catalog, event, referral, ANSWERS[args[1].lower()])

    async def _answer(self, catalog: Catalog, event: Inbound, referral: Referral, accept: bool) -> Outcome:
        _h = self.services.hub_gettext(catalog)
        entry = catalog.entry(referral.entry_id)
        org = entry.organization if entry is not None else referral.entry_id
        if not await self.store.answer_referral(
            referral_id=referral.id, accepted=accept, at=self.services.now()
        ):
            done = (plain(_h("Referral #{number} was answered already.").format(number=referral.id)),)
            return Outcome(notice=done[0].text) if event.button else self._here(event, done)
        said = (
            _h("Referral #{number}: accepted. Thank you! {name} is told that you will contact them.")
            if accept
            else _h("Referral #{number}: declined. {name} is told, and offered an advisor.")
        ).format(number=referral.id, name=referral.first_name or "-")
        replies: list[Reply] = []
        if event.button is not None and entry is not None and event.button_message_id is not None:
            replies.append(
                Reply(
                    event.chat_id,
                    lines(*_shared(self.services, catalog, entry, referral), italic(said)),
                    edit_message_id=event.button_message_id,
                )
            )
        else:
            replies.append(self._here(event, (plain(said),)).replies[0])
        if referral.user_chat_id is not None:
            replies.append(self._tell(referral, org, accept))
        return Outcome(tuple(replies))

    def _tell(self, referral: Referral, organization: str, accept: bool) -> Reply:
        """The entrepreneur, in their language: the partner's answer."""
        assert referral.user_chat_id is not None
        _u = self.services.i18n.get(referral.lang).gettext
        org = bold(organization)
        if accept:
            return Reply(
                referral.user_chat_id,
                fmt(
                    _u("Good news: {organization} accepted to be put in touch. They will contact you."),
                    organization=org,
                ),
            )
        return Reply(
            referral.user_chat_id,
            lines(
                fmt(_u("{organization} declined to be put in touch this time."), organization=org),
                _u("An advisor of your hub can suggest other options."),
            ),
            ((button(_u("Talk to an advisor"), AskAdvisor()),),),
        )

    async def undelivered(self, track: str, catalog: Catalog) -> Outcome:
        """The partner's chat refused the referral (the bot was never started there, or was removed): the
        referral fails, and the entrepreneur is told to use the contact details instead."""
        kind, _sep, raw_id = track.partition(":")
        if kind != "referral" or not raw_id.isdigit():
            return Outcome()
        referral = await self.store.get_referral(referral_id=int(raw_id))
        if referral is None or not await self.store.referral_failed(referral_id=referral.id):
            return Outcome()
        if referral.user_chat_id is None:
            return Outcome()
        entry = catalog.entry(referral.entry_id)
        _u = self.services.i18n.get(referral.lang).gettext
        text = fmt(
            _u(
                "I could not reach {organization}: your request was not delivered. Use their contact details in the results."
            ),
            organization=bold(entry.organization if entry is not None else referral.entry_id),
        )
        return Outcome((Reply(referral.user_chat_id, text),))

    @staticmethod
    def _here(event: Inbound, text: Rich) -> Outcome:
        return Outcome(
            (Reply(event.chat_id, text, reply_to_message_id=event.message_id, topic_id=event.thread_id),)
        )
