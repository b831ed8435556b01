"""A loopback test double of the Telegram Bot API server, for the methods the bot calls.

End-to-end tests run the real python-telegram-bot ``Application`` (real HTTP, real JSON parsing) against
it, so what is exercised is the bot as Telegram sees it, not a mock of PTB. It answers with the JSON
shapes, HTTP status codes and error descriptions of the real server, and keeps the rules bots trip over:

* ``parse_mode=HTML`` is parsed into plain text and entities, and markup the server would refuse (an
  unescaped ``<``, an unknown tag) answers ``400 can't parse entities``; texts are trimmed and limited to
  4096 characters;
* editing a message to identical content answers ``400 message is not modified``, and ``editMessageText``
  without ``reply_markup`` removes the inline keyboard;
* ``callback_data`` over 64 bytes answers ``400 BUTTON_DATA_INVALID``; a callback query is answered once;
* the bot cannot write to a chat it has never seen (``400 chat not found``), nor to a user who blocked it,
  nor to a group it was removed from (403);
* in a group the bot is by default an administrator with every right; creating a forum topic needs
  ``can_manage_topics``;
* updates stay queued until confirmed with ``offset``, and a second ``getUpdates`` ends the first with
  ``409 Conflict``.

Faults are injected on demand: ``fail_next`` and ``fail_randomly`` answer an error instead of executing,
``time_out_randomly`` executes and answers late; every ``ApiCall`` records which.

PTB 22.8 sends every call as a form-encoded ``POST`` to ``<base_url><token>/<method>``; each value but a
string is JSON-encoded (``RequestData.json_parameters``); a call that uploads a file (``sendPhoto``,
``sendDocument``: the monthly digest) is multipart, each file an ``Upload`` among the call's parameters.
Only the standard library is used: a ``ThreadingHTTPServer`` in a daemon thread, state under one lock.

Modules: ``values`` (public types), ``state`` (chats, members, errors), ``formatting`` (HTML),
``methods`` (the Bot API methods), ``gestures`` (what users do), ``transport`` (HTTP and faults),
``double`` (``BotApiDouble``). Its own tests: tests/support_tests/test_botapi_double.py.
"""

from tests.support.botapi.double import BotApiDouble
from tests.support.botapi.values import BOT_FIRST_NAME, BOT_ID, BOT_USERNAME, TOKEN, ApiCall, User

__all__ = ["BOT_FIRST_NAME", "BOT_ID", "BOT_USERNAME", "TOKEN", "ApiCall", "BotApiDouble", "User"]
