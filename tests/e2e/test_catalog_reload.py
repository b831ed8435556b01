"""Hot reload in the running bot: a good edit is applied, a bad one refused with the old catalog answering."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.botapi import User
from tests.support.personas import ADMIN_CHAT, MARIE, MINI, MINI_HUB_CHAT
from tests.support.personas import CATALOG_ADMIN as ADMIN
from tests.support.running import Running, running_bot

pytestmark = pytest.mark.e2e


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    folder = tmp_path / "catalog"
    shutil.copytree(MINI, folder)
    return folder


@pytest.fixture
async def running(tmp_path: Path, catalog: Path, database_url: str) -> AsyncIterator[Running]:
    groups = {MINI_HUB_CHAT: "Pôle BSL", ADMIN_CHAT: "Admins du catalogue"}
    async with running_bot(
        tmp_path,
        catalog,
        database_url=database_url,
        groups=groups,
        admin_chat_id=ADMIN_CHAT,
        admin_user_ids=[ADMIN.id],
        catalog_watch=True,
    ) as bot:
        yield bot


def edit(catalog: Path, name: str, old: str, new: str) -> None:
    path = catalog / name
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


async def results_for(running: Running, user: User) -> str:
    await running.say(user, "/start hub-01")
    await running.bot_says(user.id, "À quelle étape")
    await running.press(user, "sk:stage", expect="Dans quel secteur")
    await running.press(user, "sk:sector", expect="De quoi avez-vous besoin")
    await running.press(user, "nd:*", expect="Voici ce qui convient")
    return running.api.last_bot_message(user.id)["text"]


async def test_saved_edit_is_applied_and_admins_are_told(running: Running, catalog: Path) -> None:
    assert "Fonds pour tous" in await results_for(running, MARIE)
    edit(catalog, "services.yaml", "Fonds pour tous", "Fonds renouvelé")
    report = await running.api.wait_for_bot_message(ADMIN_CHAT, contains="Catalogue rechargé", timeout=10)
    assert "3 pôles, 6 entrées, 0 lieux" in report["text"]
    assert "Fonds renouvelé" in await results_for(running, User(5, "Léa", language_code="fr"))


async def test_bad_edit_is_refused_and_the_old_catalog_keeps_serving(running: Running, catalog: Path) -> None:
    edit(catalog, "services.yaml", 'regions: ["02"]', 'regions: ["19"]')
    report = await running.api.wait_for_bot_message(ADMIN_CHAT, contains="n'a PAS été rechargé", timeout=10)
    assert "services.yaml:" in report["text"] and "region '19' is not one of 01, 02" in report["text"]
    assert report["text"].count("\n") == 1  # the one problem, on its own line
    assert "Fonds pour tous" in await results_for(running, MARIE)


async def test_reload_command_is_for_admins_only(running: Running, catalog: Path) -> None:
    await running.say(MARIE, "/reload")
    await running.bot_says(MARIE.id, "Je ne connais pas cette commande.")
    await running.say(ADMIN, "/reload")
    await running.bot_says(ADMIN.id, "Catalogue rechargé")
    await running.bot_says(ADMIN_CHAT, "Catalogue rechargé")
    assert sum("Catalogue rechargé" in text for text in running.texts(ADMIN_CHAT)) == 1  # not for Marie's


async def test_watcher_survives_a_hostile_save_and_applies_the_next_one(
    running: Running, catalog: Path
) -> None:
    good = (catalog / "services.yaml").read_text(encoding="utf-8")
    (catalog / "services.yaml").write_text(
        "version: 1\nservices:\n" + "- " * 100_000 + "x\n", encoding="utf-8"
    )
    report = await running.api.wait_for_bot_message(ADMIN_CHAT, contains="n'a PAS été rechargé", timeout=20)
    assert "services.yaml:3: values are nested more than 40 levels deep" in report["text"]
    (catalog / "services.yaml").write_text(
        good.replace("Fonds pour tous", "Fonds renouvelé"), encoding="utf-8"
    )
    await running.api.wait_for_bot_message(ADMIN_CHAT, contains="Catalogue rechargé", timeout=20)
    assert "Fonds renouvelé" in await results_for(running, MARIE)
