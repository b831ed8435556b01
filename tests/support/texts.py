"""What the bot says that many tests look for, in French (the mini catalog's language), defined once.

Texts added since the French translation was last reviewed are compared through it (`FR`), whatever its
state, so a test does not break when a translator rewords them.
"""

from __future__ import annotations

from bot.i18n import I18n

FR = I18n().get("fr").gettext

STAGE_QUESTION = "À quelle étape en est votre projet ?"  # the first question, after the greeting
SECTOR_QUESTION = "Dans quel secteur êtes-vous ?"
NEEDS_QUESTION = "De quoi avez-vous besoin ? Choisissez un ou plusieurs besoins, puis Terminé."
CONSENT_QUESTION = "Êtes-vous d'accord ?"  # before anything is shared with a hub
EXPIRED = "Ce bouton a expiré. Utilisez le message le plus récent."  # a button of an older message
# Out of scope: the message id, compared as FR(NOT_OURS).
NOT_OURS = (
    "I help entrepreneurs find support services and talk to an advisor of their hub; I can't help with that."
)
