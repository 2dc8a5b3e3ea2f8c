"""Coverage: per day and integration, how complete the stored events are.

A day without usage may be a quiet day, a day Cursor still fills in (``partial``,
inside the sync look-back) or a day older than the API's history (``unavailable``):
reports must be able to say which, so an empty day is never mistaken for no usage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from devspend.store.periods import as_date, in_period
from devspend.store.tables import usage_coverage, usage_daily_model


@dataclass(frozen=True, slots=True)
class CoverageDay:
    """Whether a day's events are ``complete``, ``partial`` (inside the look-back) or
    ``unavailable`` (older than the API's history)."""

    integration_id: int
    day: date
    status: str


def coverage(
    conn: Connection, *, integration_id: int | None = None, start: date, end: date
) -> list[CoverageDay]:
    """Per day and integration, how complete the stored events are (days never synced are
    absent: treat them as missing)."""
    c = usage_coverage
    rows = conn.execute(
        sa.select(c.c.integration_id, c.c.day, c.c.status)
        .where(*in_period(c, integration_id=integration_id, start=start, end=end))
        .order_by(c.c.integration_id, c.c.day)
    ).all()
    return [
        CoverageDay(integration_id=int(r.integration_id), day=as_date(r.day), status=str(r.status))
        for r in rows
    ]


COVERAGE_MEANINGS: dict[str, str] = {
    "complete": "every event Cursor has for these days is stored",
    "partial": "inside the sync look-back: Cursor may still add or revise events",
    "unavailable": "older than Cursor's API history: devspend cannot fetch these days, "
    "so their usage is unknown (the team may also simply have had none)",
    "not_synced": "not fetched yet: run devspend sync",
}


@dataclass(frozen=True, slots=True)
class CoverageRange:
    """Consecutive days of one integration with the same coverage status, and what it means:
    an ``unavailable`` day shows no usage because devspend cannot know it, not because
    there was none, and reports must be able to say so."""

    integration_id: int
    first_day: date
    last_day: date
    days: int
    status: str
    meaning: str


def coverage_ranges(
    conn: Connection, *, integration_id: int | None = None, start: date, end: date
) -> list[CoverageRange]:
    """:func:`coverage` as runs of equal status per integration; days of ``start``..``end``
    without a record (never synced) become ``not_synced`` runs."""
    by_integration: dict[int, dict[date, str]] = {}
    for record in coverage(conn, integration_id=integration_id, start=start, end=end):
        by_integration.setdefault(record.integration_id, {})[record.day] = record.status
    ranges: list[CoverageRange] = []
    for iid, statuses in sorted(by_integration.items()):
        run_start, run_status = start, statuses.get(start, "not_synced")
        day = start
        while day <= end:
            following = day + timedelta(days=1)
            next_status = statuses.get(following, "not_synced") if following <= end else None
            if next_status != run_status:
                ranges.append(CoverageRange(
                    integration_id=iid, first_day=run_start, last_day=day,
                    days=(day - run_start).days + 1, status=run_status,
                    meaning=COVERAGE_MEANINGS.get(run_status, run_status),
                ))  # fmt: skip
                run_start, run_status = following, next_status or ""
            day = following
    return ranges


def coverage_span(
    conn: Connection, *, integration_id: int | None = None
) -> tuple[date, date] | None:
    """The first and last day with a coverage record (the default coverage report period)."""
    c = usage_coverage
    query = sa.select(sa.func.min(c.c.day), sa.func.max(c.c.day))
    if integration_id is not None:
        query = query.where(c.c.integration_id == integration_id)
    first, last = conn.execute(query).one()
    if first is None or last is None:
        return None
    return as_date(first), as_date(last)


def data_range(conn: Connection, *, integration_id: int | None = None) -> tuple[date, date] | None:
    """The first and last UTC day with any usage (default report periods), or ``None``."""
    t = usage_daily_model
    query = sa.select(sa.func.min(t.c.day), sa.func.max(t.c.day))
    if integration_id is not None:
        query = query.where(t.c.integration_id == integration_id)
    first, last = conn.execute(query).one()
    if first is None or last is None:
        return None
    return as_date(first), as_date(last)
