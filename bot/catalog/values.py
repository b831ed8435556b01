"""The values a catalog's fields are made of: codes, ids, languages, texts, web addresses, e-mail addresses,
phone numbers, time zones, Telegram ids, each checked with a message a catalog admin understands.
`bot.catalog.schema` builds the records from them."""

from __future__ import annotations

import re
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, Field, StringConstraints

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,23}$"
ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,39}$"
LANG_PATTERN = r"^[a-z]{2}$"

Code = Annotated[str, StringConstraints(pattern=CODE_PATTERN)]
EntryId = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Lang = Annotated[str, StringConstraints(pattern=LANG_PATTERN)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]

_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[A-Za-z]{2,}$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ().-]{5,24}$")


def _check_url(value: str) -> str:
    """Only web links: a catalog link ends up in an HTML `href`."""
    if not re.match(r"^https?://[^\s<>\"']+\.[^\s<>\"']+$", value):
        raise ValueError(f"'{value}' is not a web address starting with https:// or http://")
    return value


def _check_email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError(f"'{value}' is not an e-mail address")
    return value


def _check_phone(value: str) -> str:
    if not _PHONE.match(value):
        raise ValueError(f"'{value}' is not a phone number (digits, spaces, +, -, parentheses)")
    return value


# Telegram chat ids fit in 52 bits; a group's are negative (a supergroup's start with -100), a person's positive.
LOWEST_CHAT_ID = -(2**52)


def group_chat_id(value: int | None) -> int | None:
    """A Telegram group's id, or None: refuses 0, a person's (positive) id and what Telegram cannot send to."""
    if value is None:
        return None
    if value >= 0:
        raise ValueError(f"{value} is not a group's id: those are negative, such as -1001234567899")
    if value < LOWEST_CHAT_ID:
        raise ValueError(
            f"{value} is not a Telegram chat id (too long): copy the id the bot posted in the group"
        )
    return value


def any_chat_id(value: int | None) -> int | None:
    """A Telegram chat's id (a group's, negative; a person's who started the bot, positive), or None."""
    if value is None:
        return None
    if value == 0 or not LOWEST_CHAT_ID <= value <= -LOWEST_CHAT_ID:
        raise ValueError(
            f"{value} is not a Telegram chat id: a group's such as -1001234567899, or a person's"
        )
    return value


def _check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"'{value}' is not a time zone name such as America/Toronto") from None
    return value


Url = Annotated[str, AfterValidator(_check_url)]
Email = Annotated[str, AfterValidator(_check_email)]
Phone = Annotated[str, AfterValidator(_check_phone)]
LocalizedShort = dict[Lang, ShortText]
LocalizedLong = dict[Lang, LongText]
TimeZoneName = Annotated[str, AfterValidator(_check_timezone)]


def _check_user_id(value: int) -> int:
    if not 0 < value < 2**52:
        raise ValueError(f"{value} is not a person's Telegram user id (a positive number, such as 123456789)")
    return value


UserId = Annotated[int, Field(strict=True), AfterValidator(_check_user_id)]
CannedText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=3500)]
CannedTexts = dict[Lang, CannedText]
