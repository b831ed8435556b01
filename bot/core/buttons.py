"""Buttons as typed data: what a press means, packed into Telegram's callback data and parsed back.

Each kind of button is a frozen dataclass registered under a short, stable key. `pack` writes an action as
the key alone (a kind without fields) or `key:field:field...`, within Telegram's 64 bytes; `parse` reads it
back, or gives None for anything stale, forged or malformed (unknown key, wrong number of fields, an integer
that is not one, a value no enum has, too long): the caller answers "this button has expired" and changes
nothing. Fields are written as: integers in decimal (up to 2^31 - 1, the database's integers), enums by
their value, `bool` as `y`/`n`, None as `-`, text as is (never a `:`). The wire format is the one buttons
had before this codec, so buttons already sent in chats keep working. Keys never change once used; the
table of every key and its fields is in docs/architecture.md ("Buttons, steps and the two desks"), and
tests/unit/test_buttons.py pins each one.

Whether an action counts is decided where it is handled (the current step, the catalog, the handoff).
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from dataclasses import Field, dataclass, fields
from enum import StrEnum
from typing import Any, ClassVar, TypeVar

from bot.core.steps import Step
from bot.core.types import Button

MAX_BYTES = 64  # Telegram's limit for callback data
MAX_INT = 2**31 - 1  # the database's integer: a forged id never reaches a query out of range
SEP = ":"
NONE = "-"

Decode = Callable[[str], object]


class Action:
    """What a button means: each kind is a frozen dataclass below, registered with `kind`."""

    __slots__ = ()
    key: ClassVar[str]
    __dataclass_fields__: ClassVar[dict[str, Field[Any]]]  # every kind is a dataclass


_FIXED: dict[str, Action] = {}  # the data of each kind without fields -> its one action
_KINDS: dict[str, tuple[Callable[..., Action], tuple[tuple[str, Decode], ...]]] = {}  # key -> kind, fields

A = TypeVar("A", bound=Action)


def kind(key: str) -> Callable[[type[A]], type[A]]:
    """Register a dataclass as the kind of button sent as `key` (its whole data when it has no fields)."""

    def register(cls: type[A]) -> type[A]:
        hints = typing.get_type_hints(cls)
        decoders = tuple((f.name, _decoder(hints[f.name])) for f in fields(cls))
        if key in _FIXED or key in _KINDS or (decoders and SEP in key):
            raise ValueError(f"button key {key!r} is taken or malformed")
        cls.key = key
        if decoders:
            _KINDS[key] = (cls, decoders)
        else:
            _FIXED[key] = cls()
        return cls

    return register


def pack(action: Action) -> str:
    """The callback data of an action; a ValueError when it cannot be written or would not fit 64 bytes."""
    values = [_encode(getattr(action, f.name)) for f in fields(action)]
    data = SEP.join((action.key, *values))
    if len(data.encode()) > MAX_BYTES or (values and data in _FIXED):
        raise ValueError(f"button data {data!r} is over {MAX_BYTES} bytes or ambiguous")
    return data


def parse(data: str | None) -> Action | None:
    """The action a button's data means; None when it is stale, forged or malformed."""
    if not data or len(data.encode(errors="surrogatepass")) > MAX_BYTES:
        return None
    if (fixed := _FIXED.get(data)) is not None:
        return fixed
    key, sep, rest = data.partition(SEP)
    registered = _KINDS.get(key)
    if registered is None or not sep:
        return None
    make, decoders = registered
    values = rest.split(SEP)
    if len(values) != len(decoders):
        return None
    try:
        return make(**{name: decode(value) for (name, decode), value in zip(decoders, values, strict=True)})
    except ValueError:
        return None


def button(label: str, action: Action) -> Button:
    """A button that says `label` and means `action`."""
    return Button(label, pack(action))


def _encode(value: object) -> str:
    if value is None:
        return NONE
    if isinstance(value, bool):
        return "y" if value else "n"
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and SEP not in value:
        return value
    raise ValueError(f"{value!r} cannot be written in a button")


def _integer(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_INT)) or int(text) > MAX_INT:
        raise ValueError(text)
    return int(text)


def _flag(text: str) -> bool:
    if text not in ("y", "n"):
        raise ValueError(text)
    return text == "y"


def _decoder(hint: object) -> Decode:
    """How a field of this type is read back."""
    if hint is bool:
        return _flag
    if hint is int:
        return _integer
    if hint is str:
        return str
    if isinstance(hint, type) and issubclass(hint, StrEnum):
        return hint
    inner = [arg for arg in typing.get_args(hint) if arg is not type(None)]
    if len(inner) == 1 and len(typing.get_args(hint)) == 2:
        decode = _decoder(inner[0])
        return lambda text: None if text == NONE else decode(text)
    raise TypeError(f"no button field of type {hint!r}")


# -- values ------------------------------------------------------------------------------------------------


class YesNo(StrEnum):
    YES = "yes"
    NO = "no"


class Helped(StrEnum):
    """The follow-up's answer: did the referral help? (stored as is in `handoff.helped`)"""

    YES = "yes"
    NO = "no"
    ADVISOR = "adv"  # "talk to an advisor again"


class ProfileTarget(StrEnum):
    """What a button of /profile opens: one question again, the eligibility questions, or the results."""

    STAGE = "stage"
    SECTOR = "sector"
    REGION = "region"
    NEEDS = "needs"
    ABOUT = "about"
    RESULTS = "results"


class SureAction(StrEnum):
    RESTART = "rs"
    LANGUAGE = "lg"


# -- the entrepreneur's questions ----------------------------------------------------------------------------


@kind("st")
@dataclass(frozen=True)
class PickStage(Action):
    code: str


@kind("sc")
@dataclass(frozen=True)
class PickSector(Action):
    code: str


@kind("sc:+")
@dataclass(frozen=True)
class SeveralSectors(Action):
    pass


@kind("ss")
@dataclass(frozen=True)
class TickSector(Action):
    code: str


@kind("ss:*")
@dataclass(frozen=True)
class SectorsDone(Action):
    pass


@kind("rg")
@dataclass(frozen=True)
class PickRegion(Action):
    code: str


@kind("nd")
@dataclass(frozen=True)
class TickNeed(Action):
    code: str


@kind("nd:*")
@dataclass(frozen=True)
class NeedsDone(Action):
    pass


@kind("sk")
@dataclass(frozen=True)
class SkipStep(Action):
    step: Step


@kind("ag")
@dataclass(frozen=True)
class PickAge(Action):
    age: int  # the youngest age of a band


@kind("gr")
@dataclass(frozen=True)
class TickGroup(Action):
    code: str


@kind("gr:*")
@dataclass(frozen=True)
class GroupsDone(Action):
    pass


@kind("lf")
@dataclass(frozen=True)
class PickLegalForm(Action):
    code: str


@kind("sz")
@dataclass(frozen=True)
class PickSize(Action):
    code: str


# -- the entrepreneur, around the questions -------------------------------------------------------------------


@kind("more")
@dataclass(frozen=True)
class MoreResults(Action):
    pass


@kind("edit")
@dataclass(frozen=True)
class EditAnswers(Action):
    pass


@kind("pf")
@dataclass(frozen=True)
class OpenProfile(Action):
    target: ProfileTarget


@kind("adv")
@dataclass(frozen=True)
class AskAdvisor(Action):
    pass


@kind("cancel")
@dataclass(frozen=True)
class Cancel(Action):
    pass


@kind("lg")
@dataclass(frozen=True)
class ChooseLanguage(Action):
    lang: str


@kind("as")
@dataclass(frozen=True)
class Sure(Action):
    """Yes or No to an action asked first; valid only at the step it was asked at (`at`)."""

    action: SureAction
    at: Step | None
    argument: str  # the language, for LANGUAGE; empty for RESTART
    yes: bool


@kind("cf")
@dataclass(frozen=True)
class ConfirmFacts(Action):
    answer: YesNo


@kind("fg")
@dataclass(frozen=True)
class ConfirmForget(Action):
    answer: YesNo


@kind("ok")
@dataclass(frozen=True)
class GiveConsent(Action):
    answer: YesNo


@kind("rt")
@dataclass(frozen=True)
class Rate(Action):
    handoff_id: int
    stars: int  # 0: skipped


@kind("cm")
@dataclass(frozen=True)
class SkipComment(Action):
    handoff_id: int


@kind("fu")
@dataclass(frozen=True)
class FollowUp(Action):
    handoff_id: int
    answer: Helped


# -- advisors, on a handoff's card ---------------------------------------------------------------------------


@kind("hc")
@dataclass(frozen=True)
class Claim(Action):
    handoff_id: int


@kind("ht")
@dataclass(frozen=True)
class ShowTransfer(Action):
    handoff_id: int


@kind("hx")
@dataclass(frozen=True)
class TransferTo(Action):
    handoff_id: int
    hub_id: str


@kind("hb")
@dataclass(frozen=True)
class BackToCard(Action):
    handoff_id: int


@kind("hz")
@dataclass(frozen=True)
class CloseRequest(Action):
    handoff_id: int


@kind("hf")
@dataclass(frozen=True)
class ForwardEntry(Action):
    """`/suggest`'s button: send this catalog entry to the request's entrepreneur, in their language."""

    handoff_id: int
    entry_id: str


CardAction = Claim | ShowTransfer | TransferTo | BackToCard | CloseRequest | ForwardEntry
