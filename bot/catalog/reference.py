"""The field reference of `docs/catalog.md`, generated from the models so the guide cannot drift.

`python -m bot.catalog.reference` prints it; a test checks the guide holds exactly this text.
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing

from pydantic import BaseModel

from bot.catalog.hours import Days
from bot.catalog.schema import (
    FILES,
    AgeBand,
    Contact,
    DigestPolicy,
    HandoffPolicy,
    Hub,
    Opportunity,
    Service,
    Term,
)

RECORDS: dict[str, type[BaseModel]] = {
    "a term (stages, sectors, needs, regions, groups, legal forms, sizes)": Term,
    "the handoff policy (`handoff:` in `network.yaml`)": HandoffPolicy,
    "the monthly digest (`digest:` in `network.yaml`)": DigestPolicy,
    "a hub": Hub,
    "a service": Service,
    "an opportunity": Opportunity,
    "a contact": Contact,
    "an age band (`age:` of a service or an opportunity)": AgeBand,
}


def _type_name(annotation: object) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin in (typing.Union, types.UnionType):
        names = [_type_name(a) for a in args if a is not type(None)]
        return " or ".join(names)
    if origin is list:
        return f"list of {_type_name(args[0])}"
    if origin is dict and args[0] == Days:
        return 'hours per day (mon-fri: "09:00-17:00")'
    if origin is dict:
        return "text per language (fr: ..., en: ...)"
    if origin is typing.Literal:
        return " or ".join(repr(a) for a in args)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", annotation.__name__).lower()  # HandoffPolicy
    plain: dict[object, str] = {
        str: "text",
        int: "number",
        bool: "true or false",
        dt.date: "date (YYYY-MM-DD)",
    }
    name: str = plain.get(annotation, getattr(annotation, "__name__", str(annotation)))
    return name


def table(model: type[BaseModel]) -> str:
    rows = ["| field | required | type | notes |", "| --- | --- | --- | --- |"]
    for name, info in model.model_fields.items():
        required = "yes" if info.is_required() else "no"
        notes = (info.description or "").replace("|", "\\|")
        rows.append(f"| `{name}` | {required} | {_type_name(info.annotation)} | {notes} |")
    return "\n".join(rows)


def field_reference() -> str:
    parts = []
    for filename, model in FILES.items():
        parts.append(f"#### `{filename}`\n\n{(model.__doc__ or '').strip()}\n\n{table(model)}")
    for title, record in RECORDS.items():
        parts.append(f"#### Fields of {title}\n\n{(record.__doc__ or '').strip()}\n\n{table(record)}")
    return "\n\n".join(parts) + "\n"


if __name__ == "__main__":
    print(field_reference(), end="")
