"""The few figures ``/metrics`` exports per integration, read cheaply from the summaries.

Month to date from ``usage_monthly_kind`` (a handful of rows per integration per month),
so a scrape every 15 seconds costs next to nothing: on-demand = Σ ``chargeable_ucents``
(chargedCents of chargeable events, what Cursor bills beyond the plan) and usage value =
Σ ``charged_ucents`` (chargedCents of all events), both exact integer micro-cents.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from devspend.store.summaries import month_start
from devspend.store.tables import usage_monthly_kind


@dataclass(frozen=True, slots=True)
class MonthFigures:
    """One integration's month-to-date money, in micro-cents."""

    integration_id: int
    on_demand_ucents: int
    usage_value_ucents: int


def month_figures(conn: Connection, *, day: date) -> dict[int, MonthFigures]:
    """Every integration's figures for the UTC calendar month of ``day``."""
    m = usage_monthly_kind.c
    rows = conn.execute(
        sa.select(m.integration_id, sa.func.sum(m.chargeable_ucents), sa.func.sum(m.charged_ucents))
        .where(m.month == month_start(day))
        .group_by(m.integration_id)
    ).all()
    return {
        int(i): MonthFigures(int(i), int(on_demand or 0), int(value or 0))
        for i, on_demand, value in rows
    }
