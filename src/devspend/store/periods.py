"""Period arithmetic over the summary tables: which rows of which grain cover a period.

A period of UTC days (``end`` inclusive) reads the monthly summaries for its whole
calendar months and the daily summaries only for the partial months at either edge,
so a year costs ~12 rows per key plus at most ~60 days instead of 365 days.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from devspend.store.summaries import month_start, next_month
from devspend.store.tables import MEASURE_COLUMNS, integrations

Conditions = Callable[[sa.Table], list[sa.ColumnElement[bool]]]


def in_period(
    table: sa.Table, *, integration_id: int | None, start: date, end: date, column: str = "day",
    each_day: bool = False,
) -> list[sa.ColumnElement[bool]]:
    """Rows of ``table`` (keyed by integration and ``column``) inside the period.

    ``each_day`` names every day (or month) of the period instead of a range: a read
    narrowed to some people then seeks ``(integration, day, person)`` in the primary key
    of a person-keyed summary once per day and person instead of walking every row of
    the period (one person's year of detail rows: 265 → 1.5 ms on SQLite at 1 M events).
    """
    conditions: list[sa.ColumnElement[bool]] = (
        [table.c[column].in_(_every(start, end, monthly=column == "month"))]
        if each_day
        else [table.c[column] >= start, table.c[column] <= end]
    )
    if integration_id is not None:
        conditions.append(table.c.integration_id == integration_id)
    else:
        # Naming every integration lets the engine range-scan the primary key
        # (integration_id, day, …) — rows stored together — instead of walking the day
        # index and fetching each row apart: 2-5x faster over a year of summaries.
        conditions.append(table.c.integration_id.in_(sa.select(integrations.c.id)))
    return conditions


def seek_each_day(dialect: str, *, people: int | None) -> bool:
    """Whether a read narrowed to ``people`` people (None: unknown, a team say) should name
    each day (:func:`in_period`). SQLite gains for any narrowing (a team of 100 over a
    year: 394 → 191 ms); PostgreSQL for one person (158 → 16 ms), while for a team its
    parallel hash join over the day range beats 36 k index probes (246 vs 433 ms)."""
    return dialect == "sqlite" or people == 1


def _every(start: date, end: date, *, monthly: bool) -> list[date]:
    found, current = [], start
    while current <= end:
        found.append(current)
        current = next_month(current) if monthly else current + timedelta(days=1)
    return found


@dataclass(frozen=True, slots=True)
class Piece:
    """One part of a period: a summary table and the predicate selecting its rows."""

    table: sa.Table
    conditions: list[sa.ColumnElement[bool]]


def pieces(
    daily: sa.Table,
    monthly: sa.Table | None,
    *,
    integration_id: int | None,
    start: date,
    end: date,
    each_day: bool = False,
) -> list[Piece]:
    """Split ``start``..``end`` into the leading partial month (daily rows), the whole
    months (monthly rows) and the trailing partial month (daily rows).

    ``daily`` and ``monthly`` must carry the same keys and measures; without a monthly
    table (a grain that has none) the whole period reads ``daily``. ``each_day``: see
    :func:`in_period`.
    """
    first_whole = start if start.day == 1 else next_month(month_start(start))
    # the first day after the last whole month: end's month is whole only if end is its last day
    after_whole = month_start(end + timedelta(days=1))
    if monthly is None or first_whole >= after_whole:
        return [Piece(daily, in_period(daily, integration_id=integration_id, start=start, end=end,
                                       each_day=each_day))]  # fmt: skip
    found: list[Piece] = []
    if start < first_whole:
        found.append(Piece(daily, in_period(
            daily, integration_id=integration_id, start=start,
            end=first_whole - timedelta(days=1), each_day=each_day)))  # fmt: skip
    months = in_period(monthly, integration_id=integration_id, start=first_whole,
                       end=after_whole - timedelta(days=1), column="month",
                       each_day=each_day)  # fmt: skip
    found.append(Piece(monthly, months))
    if after_whole <= end:
        found.append(Piece(daily, in_period(
            daily, integration_id=integration_id, start=after_whole, end=end,
            each_day=each_day)))  # fmt: skip
    return found


def summed(
    parts: Sequence[Piece],
    keys: Sequence[str],
    *,
    measures: Sequence[str] = MEASURE_COLUMNS,
    where: Conditions | None = None,
) -> sa.Select[Any]:
    """``keys`` and the summed ``measures`` over all ``parts`` (``UNION ALL`` of their
    rows, grouped once: grouping each piece first costs SQLite one more sort per piece);
    ``where`` adds per-table conditions."""
    selects = [
        sa.select(*(p.table.c[k].label(k) for k in keys), *(p.table.c[m] for m in measures))
        .where(*p.conditions, *(where(p.table) if where is not None else []))
        for p in parts
    ]
    union = (selects[0] if len(selects) == 1 else sa.union_all(*selects)).subquery()
    return sa.select(
        *(union.c[k] for k in keys),
        *(sa.func.coalesce(sa.func.sum(union.c[m]), 0).label(m) for m in measures),
    ).group_by(*(union.c[k] for k in keys))


def as_date(value: Any) -> date:
    """A day read from either engine (SQLite may hand back text)."""
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
