"""Log records are made safe when created: secrets masked everywhere, the libraries' values hidden."""

from __future__ import annotations

import logging

import pytest

from bot.bootstrap import configure_logging, hide_in_logs

SECRET = "123456789:AAAA-secret-token-value"


@pytest.fixture(autouse=True)
def safe_logs() -> None:
    configure_logging("DEBUG")
    hide_in_logs(SECRET)


@pytest.mark.parametrize(
    "level", [logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR, logging.CRITICAL]
)
def test_library_values_are_hidden_at_every_level(caplog: pytest.LogCaptureFixture, level: int) -> None:
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("telegram.ext.Application").log(level, "Processing update %s", {"text": "Zoé"})
        logging.getLogger("aiosqlite").log(level, "executing %r at 100%%", ("Zoé",))
    # Only this test's records: an aiosqlite thread of an earlier test in this process may still log at DEBUG.
    assert [r.getMessage() for r in caplog.records if r.pathname == __file__] == [
        "Processing update <hidden>",
        "executing <hidden> at 100%",
    ]


def test_our_messages_keep_their_ids_but_never_a_secret(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("bot.telegram.pipeline").info("update %s via https://x/bot%s/getMe", 7, SECRET)
    assert caplog.records[0].getMessage() == "update 7 via https://x/bot<secret>/getMe"


def test_a_secret_in_a_traceback_is_masked(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        try:
            raise RuntimeError(f"GET https://api.telegram.org/bot{SECRET}/getUpdates failed")
        except RuntimeError:
            logging.getLogger("httpx.whatever").exception("request failed for %s", SECRET)
    assert SECRET not in caplog.text
    assert "bot<secret>/getUpdates failed" in caplog.text
    assert "request failed for <hidden>" in caplog.text
