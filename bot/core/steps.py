"""Where an entrepreneur's conversation stands: the question being asked, or the phase of a request.

A `StrEnum`, so the values stored in the database (`conversation.step`) are the very strings used before the
enum existed, and a member compares equal to its string.
"""

from __future__ import annotations

from enum import StrEnum


class Step(StrEnum):
    """One conversation's step; None (no step yet) before the first question."""

    # the intake's questions
    STAGE = "stage"
    SECTOR = "sector"
    SECTORS = "sectors"  # "Several sectors": the sector question as ticks
    REGION = "region"
    NEEDS = "needs"
    # the optional eligibility questions, asked only when the first page depends on them
    AGE = "age"
    GROUPS = "groups"
    LEGAL_FORM = "legal_form"
    SIZE = "size"
    CONFIRM = "confirm"  # facts typed in a message, confirmed with Yes / Correct
    RESULTS = "results"
    # asking for an advisor
    HUB_REGION = "hub_region"
    CONSENT = "consent"
    QUESTION = "question"
    HANDOFF = "handoff"
    REFERRAL = "referral"  # "Put me in touch": consent given, the question for the partner asked
    # after a request closes
    RATING = "rating"
    COMMENT = "comment"
    CLOSED = "closed"
    FORGET = "forget"  # "Delete everything?" asked

    @classmethod
    def of(cls, value: str | None) -> Step | None:
        """The step a stored value names; None for no step or a value no step has (never an error)."""
        if value is None:
            return None
        try:
            return cls(value)
        except ValueError:
            return None
