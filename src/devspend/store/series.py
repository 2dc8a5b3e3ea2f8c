"""Daily series for charts and day-by-day reports: one function, any dimension.

``daily_series(by=None)`` is one row per day with usage; ``by="model"|"kind"|"person"``
splits each day by that key, and ``top`` keeps only the keys with the most usage value
over the period (ranked through the month split, then only their day rows are read).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from devspend.store.periods import as_date, in_period
from devspend.store.rankings import top_ids
from devspend.store.tables import MEASURE_COLUMNS
from devspend.store.usage import (
    ID_COLUMNS,
    Dim,
    Usage,
    UsageScope,
    grain_for,
    scope_conditions,
    seeks_days,
)


@dataclass(frozen=True, slots=True)
class DayUsage:
    """One day's usage, for one key id of the split (``key`` None: the whole day)."""

    day: date
    key: int | None
    usage: Usage


def top_keys(conn: Connection, scope: UsageScope, *, by: Dim, top: int) -> list[int]:
    """The ``top`` ids of ``by`` with the most usage value in the scope (ties: lowest id)."""
    return top_ids(conn, scope, by=by, top=top)


def daily_series(
    conn: Connection, scope: UsageScope, *, by: Dim | None = None, top: int | None = None
) -> list[DayUsage]:
    """Per-day usage (split by ``by``), oldest first; days without usage are absent."""
    grain = grain_for({*([by] if by else []), *scope.dims()})
    table = grain.daily
    conditions = in_period(table, integration_id=scope.integration_id, start=scope.start,
                           end=scope.end, each_day=seeks_days(conn, scope))  # fmt: skip
    narrow = scope_conditions(scope)
    if narrow is not None:
        conditions += narrow(table)
    keys: list[sa.ColumnElement[object]] = [table.c.day]
    if by is not None:
        column = table.c[ID_COLUMNS[by]]
        keys.append(column)
        if top is not None:
            conditions.append(column.in_(top_keys(conn, scope, by=by, top=top)))
    query = (
        sa.select(*keys, *(sa.func.coalesce(sa.func.sum(table.c[m]), 0).label(m)
                           for m in MEASURE_COLUMNS))
        .where(*conditions)
        .group_by(*keys)
        .order_by(*keys)
    )  # fmt: skip
    found = []
    for row in conn.execute(query):
        m = row._mapping
        key = int(m[ID_COLUMNS[by]]) if by is not None else None
        found.append(DayUsage(day=as_date(m["day"]), key=key, usage=Usage.from_sums(dict(m))))
    return found
