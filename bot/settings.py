"""Deployment settings, read once at start-up from the environment or `.env`, validated, then passed down.

Nothing here is read at import time: `load_settings()` is called by the command line, which names the
variable that is wrong when validation fails.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/aiguilleur.db"


class SettingsError(Exception):
    """Raised with one line per wrong variable, in words an operator understands."""


class Settings(BaseSettings):
    """Every knob of a deployment; `.env.example` documents each one."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = Field(default=None, description="the token @BotFather gave")
    telegram_api_url: str = Field(default="https://api.telegram.org", description="Bot API server root")
    database_url: str = Field(default=DEFAULT_DATABASE_URL, description="SQLAlchemy async URL")
    catalog_dir: Path = Field(default=Path("catalog/quebec"), description="the hub network's catalog folder")
    intents_dir: Path = Field(default=Path("intents"), description="language data: intents and synonyms")
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str | None = Field(default=None, description="public HTTPS URL Telegram posts updates to")
    webhook_secret: SecretStr | None = Field(
        default=None, description="X-Telegram-Bot-Api-Secret-Token value"
    )
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    retention_days: int = Field(default=180, ge=1, le=3650, description="days a closed conversation is kept")
    admin_chat_id: int | None = Field(
        default=None, description="chat told about catalog reloads; may /reload"
    )
    admin_user_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, description="may /reload anywhere"
    )
    catalog_watch: bool = Field(default=True, description="reload the catalog when its files change")
    group_messages_per_minute: int = Field(
        default=20, ge=1, le=100000, description="sending pace per group (Telegram's limit is about 20)"
    )
    bulk_messages_per_second: float = Field(
        default=15.0,
        gt=0,
        le=30,
        description="pace of mass sendings (alerts, reminders), sent only while no live reply waits; "
        "Telegram allows about 30 messages per second in all",
    )
    tick_seconds: float = Field(
        default=30.0, gt=0, le=3600, description="how often reminders and follow-ups are looked for"
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Warm referrals to partners by e-mail (docs/referrals.md): off unless SMTP_HOST and SMTP_SENDER are set.
    smtp_host: str | None = Field(default=None, description="the SMTP server that sends referral e-mails")
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_user: str | None = Field(default=None, description="SMTP login, if the server asks for one")
    smtp_password: SecretStr | None = Field(default=None, description="SMTP password (never logged)")
    smtp_sender: str | None = Field(default=None, description="From: of referral e-mails, e.g. bot@hub.org")
    smtp_starttls: bool = Field(default=True, description="upgrade the connection with STARTTLS")
    smtp_ssl: bool | None = Field(
        default=None, description="TLS from the first byte (SMTPS); unset: on for port 465, off otherwise"
    )

    @field_validator(
        "telegram_bot_token",
        "webhook_url",
        "webhook_secret",
        "smtp_host",
        "smtp_user",
        "smtp_password",
        "smtp_sender",
        "smtp_ssl",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        """`.env.example` copied as is leaves these empty: that means 'not set'."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and ":" not in value.get_secret_value():
            raise ValueError("a bot token looks like 123456789:AA... (ask @BotFather)")
        return value

    @field_validator("admin_user_ids", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        """ADMIN_USER_IDS=111,222 (spaces allowed)."""
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("admin_chat_id", mode="before")
    @classmethod
    def _blank_chat_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("telegram_api_url")
    @classmethod
    def _api_root(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with https:// (or http:// for a local Bot API server)")
        return value.rstrip("/")

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return value
        secret = value.get_secret_value()
        if not 32 <= len(secret) <= 256 or not all(c.isalnum() or c in "_-" for c in secret):
            raise ValueError("must be 32 to 256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @property
    def smtp_implicit_tls(self) -> bool:
        """Whether the SMTP connection is TLS from its first byte (port 465, "SMTPS"), not upgraded later."""
        return self.smtp_ssl if self.smtp_ssl is not None else self.smtp_port == 465

    @property
    def email_enabled(self) -> bool:
        """Whether referrals may go to partners by e-mail."""
        return bool(self.smtp_host and self.smtp_sender)

    @property
    def bot_base_url(self) -> str:
        """Where the bot calls `<root>/bot<token>/<method>`."""
        return f"{self.telegram_api_url}/bot"

    @property
    def file_base_url(self) -> str:
        """Where the bot fetches `<root>/file/bot<token>/<path>`."""
        return f"{self.telegram_api_url}/file/bot"


LOOPBACK = ("localhost", "127.0.0.1", "::1")  # a relay on this machine: nothing crosses the network


def load_settings(**overrides: Any) -> Settings:
    """Build the settings, turning pydantic's report into one line per environment variable."""
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            name = str(error["loc"][0]).upper() if error["loc"] else "SETTINGS"
            lines.append(f"{name}: {error['msg']}")
        raise SettingsError("\n".join(lines)) from None
    if (
        settings.smtp_password is not None
        and not (settings.smtp_starttls or settings.smtp_implicit_tls)
        and (settings.smtp_host or "") not in LOOPBACK
    ):
        raise SettingsError(
            "SMTP_STARTTLS: false would send SMTP_PASSWORD in clear text to another machine; keep it true, "
            "or use port 465 (SMTP_SSL=true)"
        )
    if settings.mode == "webhook" and not settings.webhook_url:
        raise SettingsError("WEBHOOK_URL: needed when MODE=webhook")
    if settings.mode == "webhook" and settings.webhook_secret is None:
        # Without it anybody who finds the URL can post forged updates (a forged reply in a hub's thread).
        raise SettingsError("WEBHOOK_SECRET: needed when MODE=webhook (32-256 characters of A-Z a-z 0-9 _ -)")
    return settings
