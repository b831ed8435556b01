"""The terminal chat, driven through its input and output like a person at the keyboard."""

from __future__ import annotations

import io
from pathlib import Path

from bot.settings import load_settings
from bot.terminal import run_terminal
from tests.support.personas import MINI


async def chat(tmp_path: Path, lines: list[str]) -> str:
    settings = load_settings(
        telegram_bot_token=None, catalog_dir=MINI, database_url=f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}"
    )
    out = io.StringIO()
    await run_terminal(settings, io.StringIO("\n".join(lines) + "\n"), out)
    return out.getvalue()


async def test_whole_loop_in_the_terminal(tmp_path: Path) -> None:
    output = await chat(
        tmp_path,
        [
            "2",  # Démarrage, by number
            "Technologies",  # by label
            "1",  # Bas-Saint-Laurent
            "2",
            "Terminé",  # Mentorat, then Done
            "Parler à un conseiller",
            "J'accepte",  # consent to share, with its own button
            "Comment trouver un mentor ?",
            "@advisor Bonjour, je vous appelle demain.",
            "Merci !",
            "@advisor /end",
            "4",  # four stars
        ],
    )
    assert "bot> À quelle étape en est votre projet ?" in output
    assert "[1] Idée   [2] Démarrage" in output
    assert "bot> Voici ce qui convient à votre projet" in output
    assert "Demande no 1 pour le Pôle du Bas-Saint-Laurent" in output
    assert "bot> Bonjour, je vous appelle demain." in output
    assert "] Merci !" in output  # relayed to the advisors
    assert "bot> Le conseiller a fermé la conversation." in output
    assert "4/5" in output  # the advisors see the rating


async def test_a_startup_is_asked_its_stage_and_the_word_typed_there_answers_it(tmp_path: Path) -> None:
    output = await chat(tmp_path, ["On est une startup en techno", "1", "startup"])
    confirmed = output.index("Compris : Technologies")  # the sector heard; no stage assumed
    asked = output.index("À quelle étape en est votre projet ?", confirmed)
    assert "Étape : Démarrage" in output[asked:]  # the word typed at the stage question is the answer


async def test_advisor_line_before_any_handoff_is_explained(tmp_path: Path) -> None:
    output = await chat(tmp_path, ["@advisor allo"])
    assert "(no handoff yet: ask for an advisor first)" in output


async def test_a_number_that_is_no_button_is_read_as_text(tmp_path: Path) -> None:
    output = await chat(tmp_path, ["99"])
    assert "bot> Je n'ai pas compris. Choisissez un des boutons, ou Passer." in output


async def test_odd_lines_do_not_crash_the_terminal(tmp_path: Path) -> None:
    output = await chat(tmp_path, ["/", "@advisor /", "   "])
    assert "bot> " in output.split("\n", 2)[-1]


async def test_arabizi_in_a_french_conversation_is_read_as_arabic(tmp_path: Path) -> None:
    # "I want to talk with one of you", in Latin-script Darija: the French reader took it for something
    # not ours; the network reads Arabic without answering in it, so the Arabic reader hears the request
    output = await chat(tmp_path, ["bghit nahder m3a wahed men 3andkom"])
    assert "je ne peux pas vous aider pour cela" not in output
    assert "Pour trouver votre pôle : dans quelle région est votre entreprise ?" in output
