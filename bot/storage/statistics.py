"""Statistics (the `Statistics` port): the report's anonymous records, written as things happen: funnel
events (their table and the report's queries: bot/storage/reports.py), profiles nothing fitted, and stated
needs nothing covered. Codes only: no chat id, no name, no text.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

from sqlmodel import col, select

from bot.core.clock import utcnow
from bot.core.funnel import FunnelEvent
from bot.core.types import Gap, Profile
from bot.storage import reports as storage_reports
from bot.storage.engine import StoreBase
from bot.storage.tables import CoverageGapRow, UnmetRequestRow


class StatisticsRepo(StoreBase):
    """What the network lacks, and the funnel's steps."""

    async def record_events(self, *, network: str, events: Iterable[FunnelEvent], at: dt.datetime) -> None:
        """Store anonymous funnel steps for the report (bot/storage_reports.py: the table and the queries)."""
        async with self._session() as session:
            session.add_all(storage_reports.event_rows(network, events, at))

    async def record_unmet(self, *, network: str, profile: Profile) -> None:
        """Remember that nothing fitted this profile (codes only, nothing that identifies anyone)."""
        async with self._session() as session:
            session.add(
                UnmetRequestRow(
                    network=network,
                    region=profile.region,
                    stage=profile.stage,
                    sector=profile.sector,
                    needs=json.dumps(sorted(profile.needs)),
                    created_at=utcnow(),
                )
            )

    async def unmet_requests(self, *, network: str) -> list[Profile]:
        """The recorded profiles nothing fitted, oldest first."""
        async with self._session() as session:
            query = (
                select(UnmetRequestRow)
                .where(UnmetRequestRow.network == network)
                .order_by(col(UnmetRequestRow.id))
            )
            rows = (await session.exec(query)).all()
            return [
                Profile(r.stage, (r.sector,) if r.sector else (), r.region, tuple(json.loads(r.needs)))
                for r in rows
            ]

    async def record_gaps(self, *, network: str, profile: Profile, needs: tuple[str, ...]) -> None:
        """Remember each stated need that nothing covered for this profile (codes only)."""
        async with self._session() as session:
            now = utcnow()
            for need in needs:
                session.add(
                    CoverageGapRow(
                        network=network,
                        region=profile.region,
                        stage=profile.stage,
                        sector=profile.sector,
                        need=need,
                        created_at=now,
                    )
                )

    async def coverage_gaps(self, *, network: str) -> list[Gap]:
        """The recorded uncovered needs of a network, oldest first."""
        async with self._session() as session:
            query = (
                select(CoverageGapRow)
                .where(CoverageGapRow.network == network)
                .order_by(col(CoverageGapRow.id))
            )
            rows = (await session.exec(query)).all()
            return [Gap(r.network, r.region, r.stage, r.sector, r.need) for r in rows]
