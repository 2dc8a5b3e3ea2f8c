"""Sync bookkeeping: which ranges were fetched completely, and how complete each day is.

A ``sync_windows`` row says "the range start..end was fetched completely and its
events are stored"; it is written in the same transaction as those events, so after
a crash a range is either fully stored and checkpointed or neither. ``usage_coverage``
tells reports per day whether its events are ``complete``, ``partial`` (still inside
the look-back, may change) or ``unavailable`` (older than the API's history).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from devspend.store.events import MS_PER_DAY, day_of
from devspend.store.tables import sync_windows, usage_coverage
from devspend.store.upsert import insert_ignoring_conflicts

COMPLETE = "complete"
PARTIAL = "partial"
UNAVAILABLE = "unavailable"


def day_start_ms(day: date) -> int:
    return (day - date(1970, 1, 1)).days * MS_PER_DAY


def record_window(
    conn: Connection, *, integration_id: int, start_ms: int, end_ms: int, events: int
) -> None:
    """Checkpoint a completely fetched range (replacing an earlier checkpoint of the same start)."""
    w = sync_windows
    conn.execute(
        w.delete().where(w.c.integration_id == integration_id, w.c.start_ms == start_ms)
    )
    conn.execute(
        w.insert().values(
            integration_id=integration_id,
            start_ms=start_ms,
            end_ms=end_ms,
            events=events,
            completed_at=datetime.now(UTC),
        )
    )


def completed_days(conn: Connection, *, integration_id: int) -> set[date]:
    """Days lying entirely inside some checkpointed range."""
    rows = conn.execute(
        sa.select(sync_windows.c.start_ms, sync_windows.c.end_ms).where(
            sync_windows.c.integration_id == integration_id
        )
    ).all()
    days: set[date] = set()
    for start_ms, end_ms in rows:
        first = -(-int(start_ms) // MS_PER_DAY)  # first day starting at or after start
        last = (int(end_ms) + 1) // MS_PER_DAY - 1  # last day ending at or before end
        days.update(day_of(d * MS_PER_DAY) for d in range(first, last + 1))
    return days


def set_coverage(
    conn: Connection, *, integration_id: int, days: Iterable[date], status: str
) -> None:
    """Record the coverage of ``days`` (overwriting what was there)."""
    day_list = sorted(set(days))
    if not day_list:
        return
    c = usage_coverage
    conn.execute(c.delete().where(c.c.integration_id == integration_id, c.c.day.in_(day_list)))
    now = datetime.now(UTC)
    conn.execute(
        c.insert(),
        [{"integration_id": integration_id, "day": d, "status": status, "updated_at": now}
         for d in day_list],
    )  # fmt: skip


def mark_unavailable(conn: Connection, *, integration_id: int, first: date, last: date) -> None:
    """Mark days older than the API's history as unavailable, unless already stored."""
    if last < first:
        return
    now = datetime.now(UTC)
    rows = [
        {"integration_id": integration_id, "day": first + timedelta(days=i),
         "status": UNAVAILABLE, "updated_at": now}
        for i in range((last - first).days + 1)
    ]  # fmt: skip
    conn.execute(insert_ignoring_conflicts(conn, usage_coverage), rows)
