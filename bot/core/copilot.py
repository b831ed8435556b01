"""The advisor's co-pilot in a request's topic: canned replies (`/r`), the catalog's best entries for the
request (`/suggest`, one button each to send it on), and a catalog gap noted by an advisor (`/missing`).

What reaches the entrepreneur is in their language; what the advisors read is in the hub's. Sending a canned
reply or an entry counts as the advisor's answer (it claims a waiting request, as a message would).
"""

from __future__ import annotations

import logging

from babel import Locale, UnknownLocaleError

from bot.catalog.model import Entry
from bot.core import funnel
from bot.core.advisor_actions import AdvisorActions
from bot.core.buttons import ForwardEntry, button
from bot.core.matching import rank
from bot.core.results import one_line_summary
from bot.core.text import Rich, Span, bold, fmt, italic, lines, link, plain
from bot.core.thread import DeskServices, HandoffThread
from bot.core.turn import HubTurn
from bot.core.types import Button, Handoff, Profile, Reply
from bot.i18n import language_name, long_date

log = logging.getLogger(__name__)

SUGGESTIONS = 5
UNLISTED = "unlisted"  # the need code of a gap an advisor noted for a request that stated no need


class Copilot:
    """`/r`, `/suggest` and its buttons, `/missing`."""

    def __init__(
        self,
        services: DeskServices,
        thread: HandoffThread,
        actions: AdvisorActions,
        admin_chat_id: int | None = None,
    ) -> None:
        self.services = services
        self.store = services.store
        self.thread = thread
        self.actions = actions
        self.admin_chat_id = admin_chat_id

    # -- /r: canned replies ----------------------------------------------------------------------------

    async def canned(self, turn: HubTurn, handoff: Handoff | None) -> None:
        """`/r`: the hub's canned replies; `/r name`: send that one to the request's entrepreneur, in their
        language (nothing is sent when it has no text in that language)."""
        replies = turn.hub.canned_replies
        if not turn.event.args:
            if not replies:
                turn.answer((plain(turn._h("This hub has no canned replies yet: add them to hubs.yaml.")),))
                return
            rows: list[str | Span | Rich] = [bold(turn._h("Canned replies (send one with /r name):"))]
            for name, texts in replies.items():
                rows.append(
                    f"{name} · {', '.join(texts)} · {one_line_summary(next(iter(texts.values())), 60)}"
                )
            turn.answer(lines(*rows))
            return
        name = turn.event.args[0]
        chosen = replies.get(name)
        if chosen is None:
            turn.answer(
                fmt(turn._h("No canned reply is called {name}. /r lists them."), name=bold(name[:64]))
            )
            return
        if handoff is None:
            turn.answer((plain(turn._h("Send /r name in the request's topic, or as a reply to its card.")),))
            return
        if not await self._open_here(turn, handoff):
            return
        text = chosen.get(handoff.lang)
        if text is None:
            turn.answer(
                fmt(
                    turn._h(
                        "The canned reply {name} has no text in {language}, the entrepreneur's language: "
                        "nothing was sent. Add it to hubs.yaml, or write your answer."
                    ),
                    name=bold(name),
                    language=bold(
                        _language_in(handoff.lang, turn.catalog.locale(turn.catalog.default_language))
                    ),
                )
            )
            return
        await self._answered(turn, handoff)
        turn.replies.append(Reply(handoff.user_chat_id, (plain(text),)))
        turn.replies.append(
            self.thread.in_thread(
                handoff,
                lines(
                    italic(turn._h("Canned reply {name} sent to the entrepreneur:").format(name=name)),
                    text,
                ),
            )
        )
        log.info("handoff %s: canned reply %s sent", handoff.id, name)

    # -- /suggest and its buttons ----------------------------------------------------------------------

    async def suggest(self, turn: HubTurn, handoff: Handoff) -> None:
        """The catalog's best entries for this request's profile, each with a button to send it on."""
        catalog = turn.catalog
        lang = catalog.default_language
        entries = rank(catalog, handoff.profile, today=catalog.today()).best(SUGGESTIONS)
        if not entries:
            turn.answer((plain(turn._h("Nothing in the catalog fits this request's profile.")),))
            return
        rows: list[str | Span | Rich] = [
            bold(turn._h("Best catalog entries for request #{number}:").format(number=handoff.id))
        ]
        buttons: list[tuple[Button, ...]] = []
        for number, entry in enumerate(entries, start=1):
            title = catalog.text(entry.title, lang)
            rows.append((bold(f"{number}. {title}"), plain(f" — {entry.organization}")))
            rows.append(f"   {one_line_summary(catalog.text(entry.summary, lang), 160)}")
            deadline = getattr(entry, "deadline", None)
            if deadline is not None:
                rows.append(
                    fmt(
                        "   " + turn._h("Deadline: {date}"),
                        date=bold(long_date(deadline, catalog.locale(lang))),
                    )
                )
            label = turn._h("Send {number}: {title}").format(number=number, title=title)
            buttons.append((button(label[:60], ForwardEntry(handoff.id, entry.id)),))
        turn.replies.append(
            Reply(
                turn.event.chat_id,
                lines(*rows),
                tuple(buttons),
                reply_to_message_id=turn.event.message_id,
                topic_id=turn.event.thread_id,
            )
        )

    async def forward(self, turn: HubTurn, handoff: Handoff, action: ForwardEntry) -> bool:
        """A `/suggest` button: the entry goes to the entrepreneur in their language; False when stale."""
        entry = turn.catalog.entry(action.entry_id)
        if entry is None or not handoff.is_open:
            return False
        await self._answered(turn, handoff)
        turn.replies.append(Reply(handoff.user_chat_id, self.entry_text(turn, entry, handoff.lang)))
        title = turn.catalog.text(entry.title, turn.catalog.default_language)
        turn.replies.append(
            self.thread.in_thread(
                handoff, (italic(turn._h("Sent to the entrepreneur: {title}").format(title=title)),)
            )
        )
        turn.notice = turn._h("Sent to the entrepreneur.")
        return True

    def entry_text(self, turn: HubTurn, entry: Entry, lang: str) -> Rich:
        """An entry as the entrepreneur reads it: title, who, what, how to reach it, deadline."""
        _u = self.services.i18n.get(lang).gettext
        catalog = turn.catalog
        parts: list[Span] = [
            italic(_u("Your advisor suggests:")),
            plain("\n"),
            bold(catalog.text(entry.title, lang)),
            plain(f" — {entry.organization}\n"),
            plain(catalog.text(entry.summary, lang)),
        ]
        contact = entry.contact
        reach: list[Span] = []
        if contact.url:
            reach.append(link(_u("Website"), contact.url))
        if contact.email:
            reach.append(link(contact.email, f"mailto:{contact.email}"))
        if contact.phone:
            reach.append(plain(contact.phone))
        for index, span in enumerate(reach):
            parts.append(plain("\n" if index == 0 else " · "))
            parts.append(span)
        deadline = getattr(entry, "deadline", None)
        if deadline is not None:
            parts.append(plain("\n"))
            parts.extend(fmt(_u("Deadline: {date}"), date=bold(long_date(deadline, catalog.locale(lang)))))
        return tuple(parts)

    # -- /missing ----------------------------------------------------------------------------------------

    async def missing(self, turn: HubTurn, handoff: Handoff | None) -> None:
        """A gap in the catalog, noted by an advisor: to the admin chat, and counted in the report's gap table
        (the request's region and needs, or the hub's region; codes only, never the text)."""
        text = " ".join(turn.event.text.split()[1:]).strip()
        if not text:
            turn.answer(
                (plain(turn._h("Say what the catalog lacks after the command: /missing a fund for …")),)
            )
            return
        catalog = turn.catalog
        profile = handoff.profile if handoff else Profile(region=turn.hub.regions[0])
        needs = tuple(profile.needs) or (UNLISTED,)
        await self.store.record_gaps(network=catalog.network.id, profile=profile, needs=needs)
        hub = catalog.text(turn.hub.name, catalog.default_language)
        who = turn.event.sender.first_name or turn._h("an advisor")
        where = turn._h("{hub}, request #{number}").format(hub=hub, number=handoff.id) if handoff else hub
        if self.admin_chat_id is not None:
            turn.replies.append(
                Reply(
                    self.admin_chat_id,
                    lines(
                        fmt(
                            turn._h("Catalog gap noted by {advisor} ({where}):"),
                            advisor=bold(who),
                            where=where,
                        ),
                        italic(text[:3000]),
                    ),
                )
            )
            turn.answer((plain(turn._h("Noted: the network's admins were told, and the report counts it.")),))
        else:
            turn.answer(
                (
                    plain(
                        turn._h(
                            "Noted in the report's gap table. No admin chat is set (ADMIN_CHAT_ID): nobody else was told."
                        )
                    ),
                )
            )
        log.info("hub %s: a catalog gap was noted by an advisor", turn.hub.id)

    # -- helpers -----------------------------------------------------------------------------------------

    async def _open_here(self, turn: HubTurn, handoff: Handoff) -> bool:
        """Whether the request is open and still in this chat; else the advisor is told why nothing is sent."""
        if handoff.hub_chat_id != turn.event.chat_id:
            turn.answer(
                (italic(turn._h("This request was transferred to another hub; this message was not sent.")),)
            )
            return False
        if not handoff.is_open:
            turn.answer(
                (italic(turn._h("This request is closed; this message was not sent. /reopen reopens it.")),)
            )
            return False
        return True

    async def _answered(self, turn: HubTurn, handoff: Handoff) -> None:
        """What an advisor's answer does: claims a waiting request, counts the hub's first answer."""
        if handoff.status == "waiting":
            await self.actions.claim(turn, handoff)
        if not handoff.advisor_replied:
            await self.store.update_handoff(handoff_id=handoff.id, advisor_replied=True, remind_at=None)
            await self.services.record(turn.catalog, funnel.of_handoff(funnel.Kind.ANSWERED, handoff))


def _language_in(lang: str, locale: str) -> str:
    """A language's name as the advisors say it ("anglais" for fr_CA), else its own name."""
    try:
        return Locale.parse(lang).get_display_name(locale) or language_name(lang)
    except (ValueError, UnknownLocaleError):
        return language_name(lang)
