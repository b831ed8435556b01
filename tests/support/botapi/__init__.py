"""A loopback test double of the Telegram Bot API server.

End-to-end tests run the real python-telegram-bot ``Application`` (long polling, real HTTP,
real JSON parsing) against this double, so what is exercised is the bot's behaviour as
Telegram would see it, not a mock of PTB. The double therefore answers with the same JSON
shapes, HTTP status codes and error descriptions as the real server, and it reproduces the
server-side rules that bots commonly trip over:

* ``parse_mode`` is parsed (HTML, MarkdownV2, legacy Markdown): stored messages hold the plain
  text plus entities, and malformed markup answers ``400 can't parse entities`` like Telegram;
* message text is trimmed, limited to 4096 characters, captions to 1024;
* editing a message with identical content answers ``400 message is not modified``, and
  ``editMessageText`` without ``reply_markup`` removes the inline keyboard;
* ``callback_data`` longer than 64 bytes answers ``400 BUTTON_DATA_INVALID``;
* a callback query can be answered once;
* the bot cannot write to a chat it has never seen (``400 chat not found``), nor to a user who
  blocked it (``403 Forbidden: bot was blocked by the user``);
* in a group the bot has a membership (by default an administrator with every right):
  ``getChatMember(chat, BOT_ID)`` answers it, and forum topics need ``can_manage_topics``
  (``400 not enough rights to create a topic`` / ``... to manage topics``); a message to a
  deleted topic answers ``400 message thread not found``;
* updates stay queued until confirmed with ``offset``; a second concurrent ``getUpdates``
  terminates the first one with ``409 Conflict`` like the real server.

Faults are injected on demand, one-off (``fail_next``, ``delay_next``) or at random
(``fail_randomly``, ``time_out_randomly``), and every ``ApiCall`` records whether it was
faulted, executed, or answered late.

Only the standard library is used: a ``ThreadingHTTPServer`` runs in a daemon thread, so the
double works whatever event loop (or none) the test uses, and state is guarded by one lock.

What PTB 22.8 puts on the wire (read from ``telegram/request/_httpxrequest.py``,
``_requestdata.py`` and ``_requestparameter.py``): every call is a ``POST`` to
``<base_url><token>/<method>``; without files the body is ``application/x-www-form-urlencoded``
(``httpx`` ``data=``), with files it is ``multipart/form-data`` (``files=`` plus the same
fields). Field values are ``RequestData.json_parameters``: strings are sent verbatim, every
other value (ints, booleans, lists, dicts such as ``reply_markup``) is ``json.dumps``-ed, so
``chat_id=-100123`` arrives as ``"-100123"`` and ``disable_notification=True`` as ``"true"``.
``None`` values are not sent at all. PTB never sends a JSON body; the double accepts one
anyway, and query-string parameters too, because other clients do.

The double is a package: ``values`` (public types), ``common`` (errors, constants), ``formatting``
(parse_mode), ``state`` (chats, messages, files, memberships), ``messages`` and ``methods_*``
(the Bot API methods, as mixins), ``faults`` (injected errors and delays), ``transport`` (HTTP),
``gestures`` (what users do) and ``double`` (``BotApiDouble`` itself).
"""

from tests.support.botapi.double import BotApiDouble
from tests.support.botapi.values import (
    BOT_FIRST_NAME,
    BOT_ID,
    BOT_USERNAME,
    TOKEN,
    ApiCall,
    UploadedFile,
    User,
)

__all__ = [
    "BOT_FIRST_NAME",
    "BOT_ID",
    "BOT_USERNAME",
    "TOKEN",
    "ApiCall",
    "BotApiDouble",
    "UploadedFile",
    "User",
]
