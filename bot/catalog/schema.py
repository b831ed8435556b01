"""The shape of a hub network's catalog: what each YAML file may contain.

These pydantic models are the single source of truth for the admin's guide (`docs/catalog.md`) and for
validation. They are frozen: a loaded catalog never changes under a running conversation; a reload builds a
new one.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from bot.catalog import hours
from bot.catalog.hours import OfficeHours
from bot.catalog.values import (
    CannedTexts,
    Code,
    Email,
    EntryId,
    Lang,
    LocalizedLong,
    LocalizedShort,
    Phone,
    ShortText,
    TimeZoneName,
    Url,
    UserId,
    any_chat_id,
    group_chat_id,
)


class Strict(BaseModel):
    """Base for every catalog record: unknown fields are errors, records are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Contact(Strict):
    """How an entrepreneur reaches a hub or a service; every field is optional."""

    url: Url | None = Field(default=None, description="https://... web page")
    email: Email | None = Field(default=None, description="name@example.org")
    phone: Phone | None = Field(default=None, description="+1 418 555-0100")


class HandoffPolicy(Strict):
    """`handoff:` in `network.yaml`: when advisors answer, and what happens to a request nobody claims."""

    office_hours: OfficeHours = Field(
        default_factory=lambda: dict(hours.DEFAULT_OFFICE_HOURS),
        description='every hub\'s hours unless it gives its own; default mon-fri: "09:00-17:00"',
    )
    reminder_after_minutes: int = Field(
        default=60,
        ge=1,
        strict=True,
        description="minutes before an unclaimed request is announced again in the hub chat (once it is open)",
    )
    escalate_after_minutes: int = Field(
        default=240,
        ge=1,
        strict=True,
        description="minutes before it goes to the coordination chat; more than reminder_after_minutes",
    )
    coordination_chat_id: int | None = Field(
        default=None, strict=True, description="the network's coordination group, e.g. -1001234567899"
    )
    reopen_within_hours: int = Field(
        default=72, ge=0, strict=True, description="advisors may /reopen a closed request this long; 0: never"
    )
    follow_up_days: int = Field(
        default=14,
        ge=0,
        strict=True,
        description="days after a close, the entrepreneur is asked once how it went; 0: never",
    )
    unanswered_after_minutes: int = Field(
        default=120,
        ge=1,
        strict=True,
        description="minutes before a request claimed but not yet answered is flagged in the hub chat (once it is open)",
    )
    referral_follow_up_days: int = Field(
        default=7,
        ge=0,
        strict=True,
        description="days after a referral to a partner (Put me in touch), the entrepreneur is asked once if it helped; 0: never",
    )
    relay_per_minute: int = Field(
        default=20,
        ge=0,
        le=1000,
        strict=True,
        description="messages an entrepreneur may send to a hub per minute; beyond, not relayed (they are told); 0: no limit",
    )

    @field_validator("escalate_after_minutes")
    @classmethod
    def _after_the_reminder(cls, value: int, info: ValidationInfo) -> int:
        reminder = info.data.get("reminder_after_minutes")
        if reminder is not None and value <= reminder:
            raise ValueError(f"{value} must be more than reminder_after_minutes ({reminder})")
        return value

    @field_validator("coordination_chat_id")
    @classmethod
    def _a_group(cls, value: int | None) -> int | None:
        return group_chat_id(value)

    @property
    def reopen_within(self) -> dt.timedelta:
        return dt.timedelta(hours=self.reopen_within_hours)

    @property
    def follow_up_after(self) -> dt.timedelta | None:
        """None when follow-ups are off."""
        return dt.timedelta(days=self.follow_up_days) if self.follow_up_days else None


class DigestPolicy(Strict):
    """`digest:` in `network.yaml`: the monthly report posted to the coordination chat (docs/report.md)."""

    enabled: bool = Field(
        default=False,
        strict=True,
        description="post last month's report on the first working day of each month; needs coordination_chat_id",
    )
    hour: int = Field(
        default=9, ge=0, le=23, strict=True, description="the hour it is posted, in the network's time zone"
    )


class NetworkFile(Strict):
    """`network.yaml`: who runs this catalog, its languages, its time zone and its handoff policy."""

    version: Literal[1]
    id: EntryId = Field(description="short name of the network, e.g. quebec")
    name: LocalizedShort = Field(description="the network's name, shown in the greeting")
    languages: list[Lang] = Field(
        min_length=1,
        description=(
            "two-letter codes the bot speaks here, e.g. [fr, en]; a message in Arabic script, or in "
            "Arabizi with two Darija words or more, is still understood where `ar` is not listed "
            "(docs/language-data.md), answered in the conversation's language"
        ),
    )
    default_language: Lang = Field(description="used when a user's language is not offered; hub cards use it")
    timezone: TimeZoneName = Field(
        description="deadlines are local dates in this zone, and office hours local times, e.g. America/Toronto"
    )
    locales: dict[Lang, str] = Field(
        default_factory=dict, description="language -> babel locale, e.g. fr: fr_CA"
    )
    sample: bool = Field(default=False, description="true shows `notice` to every user at /start")
    notice: LocalizedLong = Field(default_factory=dict, description="a warning such as 'sample data, verify'")
    everywhere: LocalizedShort = Field(
        default_factory=dict, description="how to say 'anywhere in the network'"
    )
    handoff: HandoffPolicy = Field(
        default_factory=HandoffPolicy, description="office hours, reminders, escalation, follow-up"
    )
    digest: DigestPolicy = Field(
        default_factory=DigestPolicy, description="the monthly report in the coordination chat: on/off, hour"
    )


class Term(Strict):
    """One code of the taxonomy with its label in each language."""

    code: Code = Field(description="letters, digits, - and _ (up to 24); never change a code in use")
    label: LocalizedShort = Field(description="the button label in each language (keep it short)")


class TaxonomyFile(Strict):
    """`taxonomy.yaml`: the stages, sectors, needs and regions a profile is made of, and the eligibility
    codes (target groups, legal forms, company sizes) that entries may be restricted to."""

    version: Literal[1]
    stages: list[Term] = Field(min_length=1)
    sectors: list[Term] = Field(min_length=1)
    needs: list[Term] = Field(min_length=1)
    regions: list[Term] = Field(min_length=1)
    groups: list[Term] = Field(
        default_factory=list, description="target groups an entry may be reserved for: women, students..."
    )
    legal_forms: list[Term] = Field(
        default_factory=list, description="legal forms: company, sole_proprietor, coop, nonprofit..."
    )
    sizes: list[Term] = Field(
        default_factory=list, description="company sizes, smallest first: solo, micro, small..."
    )


class Hub(Strict):
    """A hub: the regions it serves, the Telegram group where its advisors answer, and when they do."""

    id: EntryId = Field(description="lowercase id; also the deep-link payload: t.me/<bot>?start=<id>")
    name: LocalizedShort = Field(description="the hub's name in each language")
    regions: list[Code] = Field(
        min_length=1, description="region codes this hub serves (each region: one hub)"
    )
    advisor_chat_id: int | None = Field(
        default=None, strict=True, description="the hub's advisor group, e.g. -1001234567890"
    )
    city: ShortText | None = Field(default=None, description="where the hub is")
    contact: Contact = Field(default_factory=Contact, description="url, email, phone")
    timezone: TimeZoneName | None = Field(
        default=None, description="when the hub is not in the network's time zone, e.g. America/Halifax"
    )
    office_hours: OfficeHours | None = Field(
        default=None, description="the hub's own week, replacing the network's office_hours entirely"
    )
    reminder_after_minutes: int | None = Field(
        default=None, ge=1, strict=True, description="the hub's own delay before a reminder"
    )
    escalate_after_minutes: int | None = Field(
        default=None, ge=1, strict=True, description="the hub's own delay before escalation"
    )
    unanswered_after_minutes: int | None = Field(
        default=None,
        ge=1,
        strict=True,
        description="the hub's own delay before a claimed, unanswered request is flagged",
    )
    admins: list[UserId] = Field(
        default_factory=list,
        description="Telegram user ids of the hub's admins: who may /link a group to the hub, e.g. [123456789]",
    )
    canned_replies: dict[Code, CannedTexts] = Field(
        default_factory=dict,
        description="ready answers advisors send with /r name, by name: welcome: {fr: ..., en: ...}",
    )

    @field_validator("advisor_chat_id")
    @classmethod
    def _a_group(cls, value: int | None) -> int | None:
        return group_chat_id(value)


class HubsFile(Strict):
    """`hubs.yaml`: the hubs of the network."""

    version: Literal[1]
    hubs: list[Hub] = Field(min_length=1)


class AgeBand(Strict):
    """`age: {min: 18, max: 39}`: the ages (inclusive) an entry is for; either bound may be left out."""

    min: int | None = Field(default=None, ge=0, le=120, strict=True, description="youngest age, e.g. 18")
    max: int | None = Field(default=None, ge=0, le=120, strict=True, description="oldest age, e.g. 39")

    @field_validator("max")
    @classmethod
    def _not_below_min(cls, value: int | None, info: ValidationInfo) -> int | None:
        low = info.data.get("min")
        if value is not None and low is not None and value < low:
            raise ValueError(f"{value} is below min ({low}): no age fits this band")
        return value

    def admits(self, age: int) -> bool:
        return (self.min is None or age >= self.min) and (self.max is None or age <= self.max)


class Entry(Strict):
    """What services and opportunities share. An empty list of codes means 'all'."""

    id: EntryId = Field(
        description="lowercase letters, digits, - and _; unique across services and opportunities"
    )
    title: LocalizedShort = Field(description="short title in each language")
    organization: ShortText = Field(description="who offers it")
    summary: LocalizedLong = Field(description="one or two sentences in each language: what, for whom")
    regions: list[Code] = Field(
        default_factory=list, description="region codes; empty means the whole network"
    )
    places: list[ShortText] = Field(
        default_factory=list,
        description="towns or areas of places.yaml it serves, for an entry serving part of its regions",
    )
    stages: list[Code] = Field(default_factory=list, description="stage codes; empty means every stage")
    sectors: list[Code] = Field(default_factory=list, description="sector codes; empty means every sector")
    needs: list[Code] = Field(default_factory=list, description="need codes it answers")
    groups: list[Code] = Field(
        default_factory=list,
        description="reserved for these target groups (one is enough); empty means everyone",
    )
    age: AgeBand | None = Field(default=None, description="ages it is for: {min: 18, max: 39}")
    legal_forms: list[Code] = Field(
        default_factory=list, description="legal forms it accepts; empty means any"
    )
    sizes: list[Code] = Field(default_factory=list, description="company sizes it accepts; empty means any")
    contact: Contact = Field(
        default_factory=Contact, description="url, email, phone: leave out what you are unsure of"
    )
    partner_chat_id: int | None = Field(
        default=None,
        strict=True,
        description="the partner's Telegram chat for warm referrals (docs/referrals.md); else contact.email",
    )
    verified_on: dt.date | None = Field(default=None, description="when someone last checked this entry")

    @field_validator("partner_chat_id")
    @classmethod
    def _a_chat(cls, value: int | None) -> int | None:
        return any_chat_id(value)

    @field_validator("places")
    @classmethod
    def _places_inside_regions(cls, value: list[str], info: ValidationInfo) -> list[str]:
        if value and info.data.get("regions") == []:  # (a region list that failed is reported already)
            raise ValueError("only for an entry that lists its regions (places are part of them)")
        return value


class Service(Entry):
    """A support service that is always available (a fund, a mentoring program, an incubator...)."""

    kind: Literal["service"] = "service"


class Opportunity(Entry):
    """A call for projects or a program with a deadline; never shown once the deadline has passed."""

    kind: Literal["opportunity"] = "opportunity"
    opens_on: dt.date | None = Field(default=None, description="first day applications are accepted")
    deadline: dt.date = Field(description="last day; the entry disappears the day after")


class ServicesFile(Strict):
    """`services.yaml`: support services."""

    version: Literal[1]
    services: list[Service] = Field(default_factory=list)


class OpportunitiesFile(Strict):
    """`opportunities.yaml`: time-limited opportunities."""

    version: Literal[1]
    opportunities: list[Opportunity] = Field(default_factory=list)


class Place(Strict):
    """A town or a common place name, and the region it belongs to: 'Rimouski' -> '01'."""

    name: ShortText = Field(description="the official name, with its accents: Rivière-du-Loup")
    region: Code = Field(description="the region code this place belongs to")
    aliases: list[ShortText] = Field(
        default_factory=list, description="other names people use: short forms, former names, other scripts"
    )


class PlacesFile(Strict):
    """`places.yaml` (optional): the gazetteer that turns a town typed by a user into its region."""

    version: Literal[1]
    places: list[Place] = Field(default_factory=list)


FILES: dict[str, type[Strict]] = {
    "network.yaml": NetworkFile,
    "taxonomy.yaml": TaxonomyFile,
    "hubs.yaml": HubsFile,
    "services.yaml": ServicesFile,
    "opportunities.yaml": OpportunitiesFile,
}
"""Every file a catalog folder must have, and its model, in the order they are checked."""

OPTIONAL_FILES: dict[str, type[Strict]] = {"places.yaml": PlacesFile}
"""Files a catalog folder may have."""
