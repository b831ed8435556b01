"""The baseline of `tools/bench_load.py`: a bare python-telegram-bot echo bot (long polling, one handler that
replies the text), pointed at any Bot API server, the loopback double included.

    TELEGRAM_BOT_TOKEN=... TELEGRAM_API_URL=http://127.0.0.1:PORT .venv/bin/python -m tools.echo_bot
"""

from __future__ import annotations

import os

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters


async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.message
    if message is not None and message.text is not None:
        await message.reply_text(message.text)


def main() -> None:
    root = os.environ.get("TELEGRAM_API_URL", "https://api.telegram.org").rstrip("/")
    app = (
        Application.builder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))  # commands too: every message gets its reply
    app.run_polling(allowed_updates=[Update.MESSAGE])


if __name__ == "__main__":
    main()
