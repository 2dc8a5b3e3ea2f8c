"""How much usage history devspend holds for an integration, apart from how far the API reaches.

"Held" is every day whose events are stored (coverage ``complete`` or ``partial``);
the integration's ``history_start`` is the oldest day the API still served when it was
probed. Settings and ``integrations list`` show both, so a 365-day backfill never reads
as "3 of 3 days" (the last incremental window) and a day the API serves but devspend
did not fetch is visible.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from devspend.store.checkpoints import UNAVAILABLE
from devspend.store.tables import usage_coverage


@dataclass(frozen=True, slots=True)
class HeldHistory:
    """The days of usage held: how many, and the first and last of them (None: none yet)."""

    days: int
    first: date | None
    last: date | None


def held_history(conn: Connection, *, integration_id: int) -> HeldHistory:
    """Count and range of the days whose events devspend holds for one integration."""
    c = usage_coverage
    row = conn.execute(
        sa.select(sa.func.count(), sa.func.min(c.c.day), sa.func.max(c.c.day)).where(
            c.c.integration_id == integration_id, c.c.status != UNAVAILABLE
        )
    ).one()
    first, last = row[1], row[2]
    return HeldHistory(
        days=int(row[0]),
        first=first if first is None or isinstance(first, date) else date.fromisoformat(str(first)),
        last=last if last is None or isinstance(last, date) else date.fromisoformat(str(last)),
    )
