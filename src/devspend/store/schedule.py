"""The shared sync schedule: one due time per integration, claimed by one replica at a time.

Every ``devspend serve`` replica runs a scheduler, so the schedule lives in the database:
``sync_schedule.next_due_at`` says when an integration's next scheduled sync is due. A
replica that finds it due *claims* it with one conditional ``UPDATE … WHERE next_due_at
<= now`` that moves the due time an interval ahead. The update takes the row's lock, so
of two replicas claiming at once exactly one changes the row (PostgreSQL re-checks the
condition after the first commits; SQLite serialises writers); the other sees a future
due time and skips. The result: one scheduled sync per integration per interval however
many replicas run. Times come from the replicas' clocks (keep them NTP-synced).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import Column, DateTime, ForeignKey, String, Table
from sqlalchemy.engine import Connection, Engine

from devspend.store.metadata import metadata
from devspend.store.upsert import insert_ignoring_conflicts

sync_schedule = Table(
    "sync_schedule",
    metadata,
    Column(
        "integration_id", ForeignKey("integrations.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("next_due_at", DateTime(timezone=True), nullable=False),
    Column("last_claimed_at", DateTime(timezone=True)),
    Column("claimed_by", String(200)),
)


@dataclass(frozen=True, slots=True)
class ScheduleEntry:
    """When an integration's next scheduled sync is due and who ran the last one."""

    integration_id: int
    next_due_at: datetime
    last_claimed_at: datetime | None
    claimed_by: str | None


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def claim_due(
    engine: Engine, *, integration_id: int, now: datetime, interval: timedelta, owner: str
) -> bool:
    """Claim the integration's scheduled sync if it is due at ``now``; ``True`` if this won.

    An integration without a row yet is due at once (its row is created due ``now``).
    Winning moves the due time to ``now + interval``, so nobody else claims it before.
    """
    with engine.begin() as conn:
        conn.execute(
            insert_ignoring_conflicts(conn, sync_schedule).values(
                integration_id=integration_id, next_due_at=now
            )
        )
        claimed = conn.execute(
            sync_schedule.update()
            .where(
                sync_schedule.c.integration_id == integration_id,
                sync_schedule.c.next_due_at <= now,
            )
            .values(next_due_at=now + interval, last_claimed_at=now, claimed_by=owner[:200])
        )
        return claimed.rowcount == 1


def schedule(conn: Connection) -> dict[int, ScheduleEntry]:
    """Every integration's schedule entry (integrations never claimed have none)."""
    rows = conn.execute(sa.select(sync_schedule)).all()
    return {
        row.integration_id: ScheduleEntry(
            integration_id=row.integration_id,
            next_due_at=_aware(row.next_due_at) or row.next_due_at,
            last_claimed_at=_aware(row.last_claimed_at),
            claimed_by=row.claimed_by,
        )
        for row in rows
    }
