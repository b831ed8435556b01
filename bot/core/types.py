"""Plain data exchanged between the core and the adapters (Telegram, terminal).

An adapter turns what arrived into an `Inbound`, asks the core, and carries out the `Outcome`. Nothing
here knows about Telegram objects, HTML or keyboards.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from bot.core.text import Rich


@dataclass(frozen=True)
class Person:
    """Who sent something, as the adapter knows them."""

    id: int
    first_name: str = ""
    username: str | None = None
    language_code: str | None = None


@dataclass(frozen=True)
class Inbound:
    """One thing that happened in a chat: a message, a command or a button press."""

    chat_id: int
    sender: Person
    text: str = ""
    command: str | None = None
    args: tuple[str, ...] = ()
    button: str | None = None
    button_message_id: int | None = None
    message_id: int | None = None
    reply_to_message_id: int | None = None
    private: bool = True
    has_media: bool = False
    thread_id: int | None = None  # the forum topic a group message was written in
    reply_to_bot: bool = False  # a reply to one of the bot's own messages
    edited: bool = False  # a new version of the message `message_id` (its text or caption changed)
    sender_admin: bool = False  # the sender administers the group (asked of Telegram for `/link` only)


@dataclass(frozen=True)
class Button:
    """A button as data: what it says and the short code it sends back (under 64 bytes)."""

    label: str
    data: str


@dataclass(frozen=True)
class MessageRef:
    """A message in a chat, for relaying a copy of it."""

    chat_id: int
    message_id: int


ReplyAction = Literal[
    "send", "edit_card", "open_topic", "close_topic", "reopen_topic", "rename_topic", "delete_message"
]


@dataclass(frozen=True)
class Attachment:
    """A file sent with a reply (whose text is then its caption): a `photo` (PNG) or a `document`. The file
    is stored apart (`report_file`, by `file_id`) and read by the outbox when it sends: the monthly digest."""

    kind: Literal["photo", "document"]
    file_id: int
    name: str


@dataclass(frozen=True)
class Reply:
    """Something to show: a new message, an edit of an earlier one, or a copy of another message.

    `handoff` places a hub-side reply in that handoff's thread (its forum topic, or as a reply to its card);
    the adapter resolves where that is when it sends, because the card or topic may not exist yet when the
    reply is decided. `action` covers the thread's own life: edit the card, open, close, reopen or rename the
    topic (named by `text`), or delete one of the bot's messages (`edit_message_id`) after a /forget.
    """

    chat_id: int
    text: Rich = ()
    buttons: tuple[tuple[Button, ...], ...] = ()
    reply_to_message_id: int | None = None
    edit_message_id: int | None = None
    copy_of: MessageRef | None = None
    track: str | None = None
    handoff: int | None = None
    action: ReplyAction = "send"
    topic_id: int | None = None  # an explicit forum topic (a thread the handoff has since left)
    attachment: Attachment | None = None  # a photo or a document, with `text` as its caption


@dataclass(frozen=True)
class Outcome:
    """What the core wants done for one inbound event; `notice` is the short answer to a button press."""

    replies: tuple[Reply, ...] = ()
    notice: str | None = None


@dataclass(frozen=True)
class Profile:
    """What the entrepreneur told us; None means not answered (or skipped).

    The first four facts route the request; the last four only matter where an entry is reserved for some
    people (an age band, target groups, legal forms, company sizes), so they are asked only then. `groups`
    None means "not asked", () means "none of them".
    """

    stage: str | None = None
    sectors: tuple[str, ...] = ()
    region: str | None = None
    needs: tuple[str, ...] = ()
    age: int | None = None
    groups: tuple[str, ...] | None = None
    legal_form: str | None = None
    size: str | None = None
    skipped: tuple[str, ...] = ()  # questions (intake steps, criteria) the person skipped: never asked again
    town: str | None = None  # the place of places.yaml the person named (its official name), if any

    @property
    def sector(self) -> str | None:
        """The main sector (the first one given): what a card or a one-sector report shows."""
        return self.sectors[0] if self.sectors else None

    def as_json(self) -> dict[str, object]:
        """The profile as plain JSON data (storage and the command line)."""
        return {
            "stage": self.stage,
            "sectors": list(self.sectors),
            "region": self.region,
            "needs": list(self.needs),
            "age": self.age,
            "groups": None if self.groups is None else list(self.groups),
            "legal_form": self.legal_form,
            "size": self.size,
            "skipped": list(self.skipped),
            **({"town": self.town} if self.town else {}),
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Profile:
        """The inverse of `as_json`; also reads the one-sector shape stored before profiles had several."""
        sectors = data.get("sectors")
        if sectors is None:
            sectors = [data["sector"]] if data.get("sector") else []
        groups = data.get("groups")
        age = data.get("age")
        needs = data.get("needs")
        skipped = data.get("skipped")
        return cls(
            stage=_text(data.get("stage")),
            sectors=tuple(str(s) for s in sectors) if isinstance(sectors, list) else (),
            region=_text(data.get("region")),
            needs=tuple(str(n) for n in needs) if isinstance(needs, list) else (),
            age=age if isinstance(age, int) and not isinstance(age, bool) else None,
            groups=tuple(str(g) for g in groups) if isinstance(groups, list) else None,
            legal_form=_text(data.get("legal_form")),
            size=_text(data.get("size")),
            skipped=tuple(str(c) for c in skipped) if isinstance(skipped, list) else (),
            town=_text(data.get("town")),
        )


def is_group_chat(chat_id: int) -> bool:
    """Telegram gives groups and channels negative ids and people positive ones: a hub chat or a person."""
    return chat_id < 0


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


@dataclass(frozen=True)
class Conversation:
    """The state of one entrepreneur's private chat, kept in the database between updates."""

    chat_id: int
    lang: str
    step: str | None = None
    profile: Profile = field(default_factory=Profile)
    hub_id: str | None = None
    page: int = 0
    editing: bool = False
    handoff_id: int | None = None
    updated_at: dt.datetime | None = None
    consent_at: dt.datetime | None = None
    last_handoff_id: int | None = None

    def with_profile(self, **changes: Any) -> Conversation:
        return replace(self, profile=replace(self.profile, **changes))


# The handoff lifecycle: action -> (states it may start from, state it leads to). Storage applies each as one
# conditional UPDATE, so two advisors (or both sides) acting at once cannot both succeed; docs/handoff.md
# draws this very table, and a test keeps the two identical.
HANDOFF_TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "claim": (("waiting",), "claimed"),
    "transfer": (("waiting", "claimed"), "waiting"),
    "close": (("waiting", "claimed"), "closed"),
    "reopen": (("closed",), "claimed"),
}


@dataclass(frozen=True)
class Handoff:
    """An entrepreneur's request for a human, routed to one hub's advisor chat."""

    id: int
    user_chat_id: int
    hub_id: str
    hub_chat_id: int
    status: str
    lang: str
    question: str
    first_name: str = ""
    username: str | None = None
    profile: Profile = field(default_factory=Profile)
    matches: tuple[str, ...] = ()
    card_message_id: int | None = None
    advisor_replied: bool = False
    created_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    advisor_id: int | None = None
    advisor_name: str | None = None
    claimed_at: dt.datetime | None = None
    topic_id: int | None = None
    remind_at: dt.datetime | None = None
    reminders: int = 0
    acked: bool = False
    close_reason: str | None = None
    rating: int | None = None
    comment: str | None = None
    follow_up_at: dt.datetime | None = None
    helped: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status in HANDOFF_TRANSITIONS["close"][0]


@dataclass(frozen=True)
class Gap:
    """One recorded uncovered need, as codes (`ports.Statistics.record_gaps` keeps one per need)."""

    network: str
    region: str | None
    stage: str | None
    sector: str | None
    need: str


@dataclass(frozen=True)
class HubLink:
    """A hub's advisor group set with `/link` in the group: it overrides the catalog's `advisor_chat_id`."""

    hub_id: str
    chat_id: int
    linked_by: int
    linked_at: dt.datetime


@dataclass(frozen=True)
class Note:
    """An advisors' internal note on a request (`kind` "note"), or the reason of a transfer ("transfer")."""

    hub_id: str
    author: str
    kind: str
    text: str
    at: dt.datetime


@dataclass(frozen=True)
class Subscription:
    """An entrepreneur subscribed to opportunity alerts: their chat, language and profile (codes only)."""

    chat_id: int
    lang: str
    profile: Profile
    created_at: dt.datetime


@dataclass(frozen=True)
class DeadlineReminder:
    """ "Remind me" on an opportunity: one message at `remind_at`, 7 days before `deadline`."""

    chat_id: int
    entry_id: str
    deadline: dt.date
    lang: str
    remind_at: dt.datetime
    sent_at: dt.datetime | None = None


@dataclass(frozen=True)
class Referral:
    """A warm referral to a partner ("Put me in touch", docs/referrals.md): who asked (None once they used
    /forget), which catalog entry, by which channel (`telegram` to `partner_chat_id`, or `email`), what was
    shared, and what became of it. `status`: draft (consent given, question not yet written), sent, accepted,
    declined, failed (the partner's chat could not be reached)."""

    id: int
    user_chat_id: int | None
    entry_id: str
    channel: str
    lang: str
    status: str
    token: str = ""
    partner_chat_id: int | None = None
    first_name: str = ""
    profile: Profile = field(default_factory=Profile)
    question: str = ""
    created_at: dt.datetime | None = None
    follow_up_at: dt.datetime | None = None
    contacted: bool | None = None
    helped: bool | None = None
