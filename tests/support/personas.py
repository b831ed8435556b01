"""Who and where the tests talk about, defined once: the catalogs, the chats of the mini catalog, and the
people, both as the Bot API double makes them act (`User`) and as the core sees them (`Person`).

A test that needs someone with a property of their own (an English locale, a name to look for in the
database files) makes that person where it uses it; everyone else is one of these.
"""

from __future__ import annotations

from pathlib import Path

from bot.core.types import Person
from tests.support.botapi.values import User

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "support" / "catalogs" / "mini"  # two regions, three hubs: the tests' own network
QUEBEC = ROOT / "catalog" / "quebec"  # the sample network shipped with the bot

# The chats of the mini catalog (tests/support/catalogs/mini) and of the bot's settings.
MINI_HUB_CHAT = -1001000000001  # hub-01's advisors: Pôle du Bas-Saint-Laurent
OTHER_HUB_CHAT = -1001000000003  # hub-03's advisors: Pôle de la Capitale-Nationale
COORDINATION_CHAT = -1001000000099  # the network's coordination group (network.yaml)
ADMIN_CHAT = -1001000000777  # the bot's admin chat (ADMIN_CHAT_ID)

# People in Telegram, as the double makes them act.
MARIE = User(4242, "Marie", language_code="fr", username="marie_qc")  # an entrepreneur
LUC = User(777, "Luc", language_code="fr")  # an advisor in hub-01's group
SOPHIE = User(778, "Sophie", language_code="fr")  # another advisor in hub-01's group
SAM = User(5151, "Sam", language_code="en")  # an entrepreneur who writes in English
CATALOG_ADMIN = User(99, "Admin", language_code="fr")  # may edit the catalog (ADMIN_USER_IDS)

# The same people as the core sees them (tests/support/driver.py): the adapter passes the client's locale.
ENTREPRENEUR = Person(
    id=MARIE.id, first_name=MARIE.first_name, username=MARIE.username, language_code="fr-CA"
)
ADVISOR = Person(id=LUC.id, first_name=LUC.first_name)
SECOND_ADVISOR = Person(id=SOPHIE.id, first_name=SOPHIE.first_name)
