"""The buttons of warm referrals to partners (docs/referrals.md), registered in the button codec
(`bot.core.buttons`) like every other kind; kept apart only so that the codec's module stays short. Keys
never change once used.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.core.buttons import Action, YesNo, kind


class FollowUpAnswer(StrEnum):
    """The follow-up's answer about a referral: did the partner contact them, did it help?"""

    HELPED = "h"  # contacted, and it helped
    NOT_HELPED = "n"  # contacted, it did not help
    NO_CONTACT = "x"  # not contacted


@kind("pt")
@dataclass(frozen=True)
class PutInTouch(Action):
    """'Put me in touch' on a result: asks the consent specific to that organisation."""

    entry_id: str


@kind("pc")
@dataclass(frozen=True)
class ReferralConsent(Action):
    entry_id: str
    answer: YesNo


@kind("pq")
@dataclass(frozen=True)
class ReferralSend(Action):
    """After consent: send without a question (`send`), or cancel the draft."""

    referral_id: int
    send: bool


@kind("pa")
@dataclass(frozen=True)
class PartnerAnswer(Action):
    """The partner's Accept / Decline, pressed in the partner's own chat."""

    referral_id: int
    accept: bool


@kind("pu")
@dataclass(frozen=True)
class ReferralFollowUp(Action):
    referral_id: int
    answer: FollowUpAnswer


ReferralAction = PutInTouch | ReferralConsent | ReferralSend | ReferralFollowUp
