"""The funnel's steps as anonymous events, for the network's report (`aiguilleur report`, docs/report.md).

An event is a step's kind with codes (hub, region, stage, need), a small number where the step has one (the
stars of a rating, the answer to the follow-up), and, for a request's steps only, the request's number, so
the report can measure how long each request waited. Never a chat id, a name or a text: /forget cuts the
request number too (`bot.storage.reports.unlink_events`).

Conversation steps (started, profile completed, results shown, the needs stated) are collected on the turn
and stored with its end; a request's steps are stored at once, in the unit of work of the step itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.catalog.model import Catalog
from bot.core.types import Handoff, Profile


class Kind(StrEnum):
    """What happened. The values are stored: never change one."""

    STARTED = "started"  # the greeting and the first question (/start, /restart, a first message)
    PROFILE_COMPLETED = "profile_completed"  # the intake's last answer: results (or nothing) shown
    RESULTS_SHOWN = "results_shown"  # ...and at least one result fitted
    NEED = "need"  # one stated need of a completed profile (`need`): the demand table
    REQUESTED = "requested"  # a request for an advisor reached a hub
    CLAIMED = "claimed"  # an advisor took it
    ANSWERED = "answered"  # an advisor's first message to the entrepreneur, at this hub
    CLOSED = "closed"  # closed by either side, or because the hub's chat could not be reached
    TRANSFER_OUT = "transfer_out"  # passed on to another hub (`hub_id`: the hub it left)
    TRANSFER_IN = "transfer_in"  # ...and arrived there (`hub_id`: the new hub); its clock starts again
    RATED = "rated"  # stars given after the close (`value`: 1 to 5)
    COMMENTED = "commented"  # a comment was written after the rating (its text is never in an event)
    FOLLOW_UP = "follow_up"  # the answer to "did it help?" (`value`: see HELPED)
    BANNED = "banned"  # a hub's advisors banned the request's entrepreneur (`/ban`): the report counts them


HELPED = {"no": 0, "yes": 1, "adv": 2}
"""The follow-up's answers (`Helped` values) as the event's `value`: 1 is "it helped", 2 "talk to an advisor again"."""


@dataclass(frozen=True)
class FunnelEvent:
    """One step, anonymous: codes, a small number, and the request's number for a request's steps only."""

    kind: Kind
    hub_id: str | None = None
    region: str | None = None
    stage: str | None = None
    need: str | None = None
    value: int | None = None
    handoff_id: int | None = None


def of_conversation(catalog: Catalog, kind: Kind, hub_id: str | None, profile: Profile) -> FunnelEvent:
    """A conversation's step, with the hub it belongs to (its link, else its region's hub) where known."""
    hub = hub_id or (found.id if (found := catalog.hub_for_region(profile.region)) else None)
    return FunnelEvent(kind, hub, profile.region, profile.stage)


def completed(catalog: Catalog, hub_id: str | None, profile: Profile, found: int) -> list[FunnelEvent]:
    """The end of an intake: the profile, each stated need (the demand), and whether anything fitted."""
    base = of_conversation(catalog, Kind.PROFILE_COMPLETED, hub_id, profile)
    events = [base]
    events += [
        FunnelEvent(Kind.NEED, base.hub_id, base.region, base.stage, need=need) for need in profile.needs
    ]
    if found:
        events.append(FunnelEvent(Kind.RESULTS_SHOWN, base.hub_id, base.region, base.stage))
    return events


def of_handoff(
    kind: Kind, handoff: Handoff, *, hub_id: str | None = None, value: int | None = None
) -> FunnelEvent:
    """A request's step at its hub (or at `hub_id`), with the request's number for the response times."""
    return FunnelEvent(
        kind,
        hub_id or handoff.hub_id,
        handoff.profile.region,
        handoff.profile.stage,
        value=value,
        handoff_id=handoff.id,
    )
