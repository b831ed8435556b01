"""Second thoughts on the stage: a word that looks like a stage cue and is not one, and the corrections made
once the whole message is read ("buy an existing business" is succession, not established).

The lexicon and `business_cues.stage_cue` read a message word by word; these rules read what surrounds the
word. Split from `understand.py` to keep each module a readable size.
"""

from __future__ import annotations

from bot.understanding.business_age import from_age
from bot.understanding.business_cues import changes_hands, opens_a_company, plans_to_open, stage_cue, to_open
from bot.understanding.business_growth import expands, grows, new_branch
from bot.understanding.business_words import BUSINESS
from bot.understanding.normalize import normalize, normalized_words

# fmt: off
_START = {"start", "starting"}
# what a business that already runs starts doing: "we want to start selling to the US" is not a new business
_DOING = {
    "selling", "exporting", "shipping", "making", "offering", "producing", "hiring", "distributing",
    "manufacturing", "delivering", "importing",
}
# starting again: the conversation ("start over", "نبدا من جديد", "nebda men jdid"), not a business
_STARTS_AGAIN = normalized_words({"نبدا", "نبداو", "نبدأ", "ابدا", "nebda", "nabda", "nebdaw", "nabdaw"})
_AGAIN = tuple(
    tuple(normalize(phrase).split())
    for phrase in ("over", "all over", "من جديد", "كلش من جديد", "men jdid", "mn jdid", "kolch men jdid")
)
# fmt: on
NOT_A_CUE = "_"  # stands in for a word that looks like a stage cue and is not one


def cue_words(words: list[str]) -> list[str]:
    """The words the facts are read from, a false stage cue replaced by `NOT_A_CUE` (in place, so that the
    facts' positions are those of `words`): "we want to start selling to the US" says nothing of starting a
    business, "I want to start over" or "nheb nebda men jdid" (the conversation) neither. ("no idea how" is
    the language data's `not_facts`.)"""
    return [NOT_A_CUE if _false_start(words, i) else word for i, word in enumerate(words)]


def _false_start(words: list[str], i: int) -> bool:
    """Whether `words[i]` starts something other than a business: a thing a running business does next, or
    the conversation again."""
    after = words[i + 1 : i + 4]
    if words[i] in _START and after[:1] and after[0] in _DOING:
        return True
    return (words[i] in _START or words[i] in _STARTS_AGAIN) and any(
        tuple(after[: len(again)]) == again for again in _AGAIN
    )


def corrected(stage: str | None, words: list[str]) -> str | None:
    """The stage once the whole message is read: a cue when the lexicon found none, and a purchase, an aim
    or a growth that says more than the word found."""
    if stage is None:
        return stage_cue(words)
    if stage != "succession" and changes_hands(words):
        return "succession"  # "buy an existing business": the purchase says more than "existing"
    if stage == "established" and opens_a_company(words) and plans_to_open(words):
        return "idea"  # "électricien depuis 15 ans, je veux partir ma propre entreprise": the years are his
    if stage == "startup" and (to_open(words) or plans_to_open(words)):
        return "idea"  # "pour démarrer une entreprise", "je veux lancer": the aim, not yet done
    if (
        stage == "idea"
        and from_age(words, " ".join(words), BUSINESS) == "established"
        and not opens_a_company(words)
    ):
        # "mon entreprise a 10 ans, on veut ouvrir un bureau à Québec": what a business running for years
        # plans to open is more of it
        return "growth"
    if stage in ("idea", "startup") and (new_branch(words) or grows(words)):
        # "on veut ouvrir une deuxième place", "my startup is 5 years old and we want to scale up", "on a
        # doublé le chiffre d'affaires, on veut ouvrir un bureau": opening again, or growing, is growth
        return "growth"
    if stage == "established" and (expands(words) or new_branch(words)):
        return "growth"  # "depuis 20 ans, on veut doubler la production": running, and growing
    return stage
