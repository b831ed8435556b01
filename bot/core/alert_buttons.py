"""The buttons of opportunity alerts (docs/alerts.md), registered in the button codec (`bot.core.buttons`)
like every other kind; kept apart only so that the codec's module stays short. Keys never change once used.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.buttons import Action, YesNo, kind


@kind("al")
@dataclass(frozen=True)
class OfferAlerts(Action):
    """'Alert me about new opportunities': asks consent first."""


@kind("ay")
@dataclass(frozen=True)
class AlertConsent(Action):
    answer: YesNo


@kind("ax")
@dataclass(frozen=True)
class StopAlerts(Action):
    """/alerts' 'Stop the alerts'."""


@kind("rm")
@dataclass(frozen=True)
class RemindMe(Action):
    """'Remind me' on an opportunity: one message 7 days before its deadline."""

    entry_id: str


@kind("rx")
@dataclass(frozen=True)
class CancelReminder(Action):
    entry_id: str


AlertAction = OfferAlerts | AlertConsent | StopAlerts | RemindMe | CancelReminder
