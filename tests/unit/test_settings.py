"""Settings: validated at start-up, naming the variable that is wrong, the token kept secret."""

from __future__ import annotations

import pytest

from bot.settings import SettingsError, load_settings
from tests.support.personas import ROOT


def test_defaults_run_locally(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL", "CATALOG_DIR", "TELEGRAM_API_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.telegram_bot_token is None
    assert settings.database_url == "sqlite+aiosqlite:///data/aiguilleur.db"
    assert settings.bot_base_url == "https://api.telegram.org/bot"
    assert settings.file_base_url == "https://api.telegram.org/file/bot"


def test_api_root_is_one_setting_away(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:8081/")
    settings = load_settings()
    assert (settings.bot_base_url, settings.file_base_url) == (
        "http://127.0.0.1:8081/bot",
        "http://127.0.0.1:8081/file/bot",
    )


def test_wrong_variables_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "not-a-token")
    monkeypatch.setenv("RETENTION_DAYS", "0")
    with pytest.raises(SettingsError) as raised:
        load_settings()
    lines = str(raised.value).splitlines()
    assert lines[0].startswith("TELEGRAM_BOT_TOKEN: Value error, a bot token looks like") or lines[
        0
    ].startswith("TELEGRAM_BOT_TOKEN: a bot token looks like")
    assert lines[1].startswith("RETENTION_DAYS:")


def test_token_never_shows_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:SECRET-TOKEN-VALUE")
    settings = load_settings()
    assert "SECRET" not in repr(settings) and "SECRET" not in str(settings.model_dump())


def test_env_example_copied_as_is_is_valid(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    for name in (
        "TELEGRAM_BOT_TOKEN",
        "DATABASE_URL",
        "CATALOG_DIR",
        "TELEGRAM_API_URL",
        "MODE",
        "WEBHOOK_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / ".env").write_text((ROOT / ".env.example").read_text())
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.telegram_bot_token is None and settings.webhook_secret is None
    assert settings.mode == "polling" and settings.retention_days == 180


def test_an_smtp_password_never_crosses_the_network_in_clear(monkeypatch: pytest.MonkeyPatch) -> None:
    """STARTTLS off with a password is refused unless the SMTP server is on this machine."""
    clear = {"smtp_host": "mail.example.org", "smtp_sender": "bot@example.org", "smtp_password": "pw"}
    with pytest.raises(SettingsError, match="SMTP_STARTTLS: false would send SMTP_PASSWORD in clear text"):
        load_settings(**clear, smtp_starttls=False)
    assert load_settings(**{**clear, "smtp_host": "127.0.0.1"}, smtp_starttls=False).smtp_password is not None
    assert load_settings(**clear).smtp_starttls  # the default upgrades the connection


def test_port_465_means_tls_from_the_first_byte(monkeypatch: pytest.MonkeyPatch) -> None:
    base = {"smtp_host": "mail.example.org", "smtp_sender": "bot@example.org", "smtp_password": "pw"}
    assert load_settings(**base, smtp_port=465, smtp_starttls=False).smtp_implicit_tls
    assert not load_settings(**base, smtp_port=587).smtp_implicit_tls
    assert load_settings(**base, smtp_port=2465, smtp_ssl=True, smtp_starttls=False).smtp_implicit_tls
