"""Opportunity alerts in the terminal chat: the buttons show and work like any others."""

from __future__ import annotations

from pathlib import Path

from tests.integration.test_terminal import chat


async def test_alerts_and_remind_me_in_the_terminal(tmp_path: Path) -> None:
    output = await chat(
        tmp_path,
        [
            "2",  # Démarrage
            "Technologies",
            "1",  # Bas-Saint-Laurent
            "1",  # Financement
            "Terminé",
            "⏰ Me rappeler le no 1",  # by its label
            "/alerts",
            "🔔 M'alerter des nouvelles occasions",
            "Oui, alertez-moi",
            "/alerts",
        ],
    )
    assert "[1] ⏰ Me rappeler le no 1" in output and "[2] 🔔 M'alerter des nouvelles occasions" in output
    assert "bot> Je vous rappellerai Appel régional BSL le 8 mars 2027" in output
    assert "Appel régional BSL : rappel le 8 mars 2027 (date limite 15 mars 2027)" in output
    assert "Voulez-vous ces alertes ?" in output
    assert "bot> C'est fait : je vous alerterai des nouvelles occasions pour :" in output
    assert "Nouvelles occasions pour : Démarrage · Technologies · Bas-Saint-Laurent · Financement" in output
    assert "[1] Arrêter les alertes" in output
