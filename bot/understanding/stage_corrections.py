"""Second thoughts on the stage: words that look like a stage cue and are not one, and the corrections made
once the whole message is read ("buy an existing business" is succession, not established).

The lexicon and `business_cues.stage_cue` read a message word by word; these rules read what surrounds the
word. Split from `understand.py` to keep each module a readable size.
"""

from __future__ import annotations

from bot.understanding.business_cues import changes_hands, plans_to_open, stage_cue, to_open
from bot.understanding.business_growth import expands, grows, new_branch

# fmt: off
_NO = {"no", "aucune", "aucun", "any"}
_IDEA = {"idea", "idee", "clue"}
_HOW = {"how", "what", "where", "whether", "if", "comment", "quoi", "par", "ou", "si", "quel", "quelle", "koi"}
_START = {"start", "starting"}
# what a business that already runs starts doing: "we want to start selling to the US" is not a new business
_DOING = {
    "selling", "exporting", "shipping", "making", "offering", "producing", "hiring", "distributing",
    "manufacturing", "delivering", "importing",
}
# fmt: on


def cue_words(words: list[str]) -> list[str]:
    """The words the stage is read from, without the false cues: "no idea how to set up payroll" says nothing
    of a business idea, "want to start selling to the US" nothing of starting a business. "aucune idée encore"
    (no idea yet) is still an idea."""
    kept: list[str] = []
    for i, word in enumerate(words):
        following = words[i + 1 : i + 2]
        denied = bool(set(kept[-1:]) & _NO) or kept[-2:] == ["pas", "d"]
        if word in _IDEA and denied and following and following[0] in _HOW:
            continue  # "no idea how", "aucune idée comment", "pas d'idée par où commencer"
        if word in _START and following and following[0] in _DOING:
            continue
        kept.append(word)
    return kept


def corrected(stage: str | None, words: list[str]) -> str | None:
    """The stage once the whole message is read: a cue when the lexicon found none, and a purchase, an aim
    or a growth that says more than the word found."""
    if stage is None:
        return stage_cue(words)
    if stage != "succession" and changes_hands(words):
        return "succession"  # "buy an existing business": the purchase says more than "existing"
    if stage == "startup" and (to_open(words) or plans_to_open(words)):
        return "idea"  # "pour démarrer une entreprise", "je veux lancer": the aim, not yet done
    if stage in ("idea", "startup") and (new_branch(words) or grows(words)):
        # "on veut ouvrir une deuxième place", "my startup is 5 years old and we want to scale up", "on a
        # doublé le chiffre d'affaires, on veut ouvrir un bureau": opening again, or growing, is growth
        return "growth"
    if stage == "established" and (expands(words) or new_branch(words)):
        return "growth"  # "depuis 20 ans, on veut doubler la production": running, and growing
    return stage
