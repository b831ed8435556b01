"""The monthly digest: last month's report in the coordination chat, on the first working day of the month.

A short summary in the network's language, then the charts as photos and the CSV as a document, all as
replies for the durable outbox (the files are kept apart, `report_file`). Every number goes through the
same "<5" rule as the report. `due` says whether the digest of a month is due now: the first day of the
month that the network's office hours open (in its time zone), from the hour `network.yaml` gives
(`digest: {enabled, hour}`); the adapter posts it once (`digest_sent`) and on demand (`/report`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from babel.dates import format_date

from bot.catalog.hours import parse_week
from bot.catalog.model import Catalog
from bot.core.text import Rich, bold, italic, lines, plain
from bot.core.types import Attachment, Reply
from bot.i18n import I18n
from bot.storage import Store
from bot.storage.reports import store_file

if TYPE_CHECKING:  # numpy and matplotlib load when a digest is composed, not in every running bot (RSS)
    from bot.reporting.charts import Chart
    from bot.reporting.model import Report


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


CAPTIONS = {
    "funnel": N_("The funnel: from the first message to a referral that helped"),
    "times": N_("Response times per hub, counted in office hours"),
    "demand": N_("Demand: the needs stated, by need and region"),
    "gaps": N_("Gaps: the needs nothing in the catalog covered"),
}


@dataclass(frozen=True)
class Month:
    """A calendar month of the network: its first and last days, and its label (YYYY-MM)."""

    first: dt.date
    last: dt.date

    @property
    def label(self) -> str:
        return self.first.strftime("%Y-%m")

    @classmethod
    def before(cls, day: dt.date) -> Month:
        """The month before the one `day` is in."""
        last = day.replace(day=1) - dt.timedelta(days=1)
        return cls(last.replace(day=1), last)

    @classmethod
    def parse(cls, text: str) -> Month | None:
        """'2026-11' -> November 2026; None for anything else."""
        try:
            first = dt.date.fromisoformat(f"{text}-01")
        except ValueError:
            return None
        following = (first + dt.timedelta(days=32)).replace(day=1)
        return cls(first, following - dt.timedelta(days=1))


def first_working_day(catalog: Catalog, day: dt.date) -> dt.date:
    """The first day of `day`'s month on which the network's office hours open."""
    week = parse_week(catalog.handoff_policy.office_hours)
    first = day.replace(day=1)
    return next(d for d in (first + dt.timedelta(days=n) for n in range(7)) if week[d.weekday()])


def due(catalog: Catalog, now: dt.datetime) -> Month | None:
    """The month whose digest is due at `now`, if any: digest on, today the first working day of the month
    in the network's time zone, and the hour come."""
    policy = catalog.network.digest
    local = now.astimezone(catalog.timezone)
    if not policy.enabled or local.hour < policy.hour:
        return None
    today = local.date()
    return Month.before(today) if today == first_working_day(catalog, today) else None


def summary(catalog: Catalog, report: Report, month: Month, i18n: I18n) -> Rich:
    """The digest's message: the month's main numbers, each under the "<5" rule, in the network's language."""
    from bot.reporting.view import count, minutes, statistic

    lang = catalog.default_language
    _ = i18n.get(lang).gettext
    total = report.total
    funnel, times = total.funnel, total.times
    name = catalog.text(catalog.network.name, lang)
    when = format_date(month.first, "LLLL yyyy", locale=catalog.locale(lang))
    return lines(
        bold(_("Monthly report of {network}: {month}").format(network=name, month=when)),
        _("Conversations started: {started}; profiles completed: {profiles}.").format(
            started=count(funnel["started"]), profiles=count(funnel["profile_completed"])
        ),
        _("Requests to an advisor: {requests}; claimed: {claimed}; answered: {answered}.").format(
            requests=count(funnel["requested"]),
            claimed=count(funnel["claimed"]),
            answered=count(funnel["answered"]),
        ),
        _("Median wait in office hours: {claim} to the claim, {answer} to the first answer.").format(
            claim=minutes(statistic(times.claim_median, times.claims), _),
            answer=minutes(statistic(times.answer_median, times.answers), _),
        ),
        _("Ratings: {rated} (mean {mean}/5); follow-ups that said it helped: {helped}.").format(
            rated=count(total.rated),
            mean=_mean(statistic(total.mean_rating, total.rated, 1)),
            helped=count(funnel["helped"]),
        ),
        _("Needs nothing covered: {gaps}.").format(gaps=count(sum(n for _r, _n, n in report.gaps))),
        italic(_("Counts only: a number under 5 shows as “<5”. The charts and the CSV file follow.")),
    )


def _mean(value: float | str | None) -> str:
    return "—" if value is None else str(value)


def _files(catalog: Catalog, report: Report, i18n: I18n) -> tuple[list[Chart], str]:
    """The charts (in the network's language) and the CSV: made off the event loop (a second or two)."""
    from bot.reporting.charts import charts
    from bot.reporting.exports import to_csv

    return charts(catalog, report, i18n.get(catalog.default_language).gettext), to_csv(report)


async def compose(
    store: Store, catalog: Catalog, i18n: I18n, chat_id: int, month: Month, *, now: dt.datetime
) -> list[Reply]:
    """The digest of `month` for `chat_id`: the summary, a photo per chart with data, the CSV. The files
    are stored now (in the caller's unit of work, if any); the replies name them."""
    from bot.reporting.command import check, make_report

    today = now.astimezone(catalog.timezone).date()
    request = check(  # the month so far, when it is this month (`/report` on demand)
        catalog,
        first=month.first.isoformat(),
        last=min(month.last, today).isoformat(),
        hub=None,
        region=None,
        today=today,
    )
    report = await make_report(store, catalog, request)
    drawn, csv_text = await asyncio.to_thread(_files, catalog, report, i18n)
    _ = i18n.get(catalog.default_language).gettext
    replies = [Reply(chat_id, summary(catalog, report, month, i18n))]
    stem = f"report-{catalog.network.id}-{month.label}"
    for chart in drawn:
        if chart.png is None:
            continue
        name = f"{stem}-{chart.name}.png"
        file_id = await store_file(store, name=name, content=chart.png, at=now)
        caption = (plain(_(CAPTIONS[chart.name])),)
        replies.append(Reply(chat_id, caption, attachment=Attachment("photo", file_id, name)))
    file_id = await store_file(store, name=f"{stem}.csv", content=csv_text.encode("utf-8"), at=now)
    caption = (plain(_("Every number of the report, for a spreadsheet (CSV).")),)
    replies.append(Reply(chat_id, caption, attachment=Attachment("document", file_id, f"{stem}.csv")))
    return replies
