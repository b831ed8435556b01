"""What the bot understood of one message: the result of `Understander.understand` (understand.py), which
the dialogue reads and `aiguilleur understand` prints."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.understanding.clauses import STATE_CHANGING

# restart, forget_me, change_language act without asking only from here; tuned by cross-validation on
# intents/ (python -m bot.understanding.tune), never on a test table
SAFE_ACTION_CONFIDENCE = 0.85


@dataclass(frozen=True)
class Understanding:
    """What the bot understood of one message.

    `action` is "ask_advisor" or "find_services" when the message asks for a person or for services, also
    alongside facts ("I'm in Laval, can I talk to an advisor?": intent ask_advisor, region 13, action
    ask_advisor). `safe_to_act` is True only for a state-changing intent (restart, forget_me,
    change_language) confident enough to be carried out without a confirmation.
    """

    lang: str
    intent: str
    confidence: float
    stage: str | None = None
    sector: str | None = None
    region: str | None = None
    needs: tuple[str, ...] = ()
    language_asked: str | None = None
    words: tuple[str, ...] = field(default=(), repr=False)
    action: str | None = None
    town: str | None = None  # the town the region came from, if the message named one

    @property
    def has_facts(self) -> bool:
        return bool(self.stage or self.sector or self.region or self.needs)

    @property
    def changes_state(self) -> bool:
        return self.intent in STATE_CHANGING

    @property
    def safe_to_act(self) -> bool:
        """A state-changing intent sure enough to act on directly; below, the dialogue asks first."""
        return self.intent in STATE_CHANGING and self.confidence >= SAFE_ACTION_CONFIDENCE

    def as_json(self) -> dict[str, Any]:
        """The command-line contract of `aiguilleur understand` (README.md, "Command line")."""
        return {
            "lang": self.lang,
            "intent": self.intent,
            "confidence": round(self.confidence, 3),
            "slots": {
                "stage": self.stage,
                "sector": self.sector,
                "region": self.region,
                "needs": list(self.needs),
            },
        }
