"""What catalog admins are told: the result of a reload, in the network's default language."""

from __future__ import annotations

from bot.catalog.loader import Checked
from bot.catalog.model import Catalog
from bot.core.text import Rich, Span, bold, fmt, lines, plain
from bot.i18n import I18n

MAX_LINES = 25


def reload_report(checked: Checked, serving: Catalog, i18n: I18n) -> Rich:
    """'Catalog reloaded: ...' or 'not reloaded' with the first problems as `PATH:LINE: message` lines."""
    _ = i18n.get(serving.default_language).gettext
    ngettext = i18n.get(serving.default_language).ngettext
    if checked.catalog is not None:
        catalog = checked.catalog
        warnings = len(checked.problems)
        summary = _("{hubs} hubs, {entries} entries, {places} places").format(
            hubs=len(catalog.hubs), entries=len(catalog.entries), places=len(catalog.places)
        )
        text = fmt(_("Catalog reloaded: {summary}."), summary=bold(summary))
        if warnings:
            note = ngettext(
                "{count} warning: run catalog check to see it.",
                "{count} warnings: run catalog check to see them.",
                warnings,
            )
            text = lines(text, note.format(count=warnings))
        return text
    errors = checked.errors
    head = ngettext(
        "The catalog was NOT reloaded: {count} problem. The previous catalog keeps serving.",
        "The catalog was NOT reloaded: {count} problems. The previous catalog keeps serving.",
        len(errors),
    ).format(count=len(errors))
    shown: list[Span | str | Rich] = [bold(head)]
    for problem in errors[:MAX_LINES]:
        shown.append(Span(str(problem).replace(f"{serving.directory}/", ""), "code"))
    if len(errors) > MAX_LINES:
        shown.append(plain(_("... and {count} more.").format(count=len(errors) - MAX_LINES)))
    return lines(*shown)
