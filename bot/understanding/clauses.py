"""What each clause of a message asks, for a message of several ("je suis à Laval, je veux parler à un
conseiller"): a person or services asked in one clause, or a change of state (start over, forget me, switch
language) asked beside facts. Split from `understand.py`, which decides with these what the message is.
"""

from __future__ import annotations

from bot.understanding.intent import IntentModel
from bot.understanding.normalize import BOUNDARY

ACTIONS = ("ask_advisor", "find_services")
STATE_CHANGING = frozenset({"restart", "forget_me", "change_language"})
ACTION_CONFIDENCE = 0.5  # a clause asking for a person or for services, this sure, is an action
STATE_CLAUSE_CONFIDENCE = 0.5  # a clause asking to restart, forget or switch language, beside facts


def clause_intents(model: IntentModel, delexicalised: list[str]) -> list[tuple[str, float]]:
    """The best intent, and how sure, of each clause that says more than facts, in a message of several
    clauses (split where `normalize_clauses` put a boundary); none for a message of one clause."""
    clauses: list[list[str]] = [[]]
    for word in delexicalised:
        if word == BOUNDARY:
            clauses.append([])
        else:
            clauses[-1].append(word)
    if len(clauses) < 2:
        return []
    return [
        model.predict(model.correct(clause))
        for clause in clauses
        if any(not w.startswith("_") for w in clause)
    ]


def asked_action(clauses: list[tuple[str, float]]) -> str | None:
    """ask_advisor or find_services when one of the clauses asks for it (a person first)."""
    asked = [best for best, confidence in clauses if best in ACTIONS and confidence >= ACTION_CONFIDENCE]
    return "ask_advisor" if "ask_advisor" in asked else (asked[-1] if asked else None)


def state_change(clauses: list[tuple[str, float]]) -> tuple[str, float] | None:
    """restart, forget_me or change_language asked in a clause of its own, beside others (the facts)."""
    return next(
        (
            (best, confidence)
            for best, confidence in clauses
            if best in STATE_CHANGING and confidence >= STATE_CLAUSE_CONFIDENCE
        ),
        None,
    )
