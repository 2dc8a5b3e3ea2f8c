"""Summary tables recomputed from the stored events of a day range, inside the writer's transaction.

Instead of adding deltas (which drift the moment a write is replayed or replaced),
each write recomputes the summary rows of the (integration, day) range it touched
from ``usage_events``: ``DELETE`` then ``INSERT … SELECT … GROUP BY``. The detail
grain (day × person × model × kind × max mode) is built from the events; the coarse
grains (per person, per model, per kind) are built from the detail rows, which are
far fewer. The monthly grains are then rebuilt, whole, for every calendar month the
day range touches, from that month's daily rows. Summaries therefore always equal the
events, by construction.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from devspend.store.origins import MEASURED_ORIGINS, ORIGIN_NAMES
from devspend.store.tables import (
    MEASURE_COLUMNS,
    kinds,
    usage_daily_detail,
    usage_daily_kind,
    usage_daily_model,
    usage_daily_user,
    usage_events,
    usage_monthly_kind,
    usage_monthly_model,
    usage_monthly_user,
    usage_monthly_user_model,
)

DAILY_TABLES = (usage_daily_detail, usage_daily_user, usage_daily_model, usage_daily_kind)
# (monthly table, the daily table it sums, their shared keys besides integration and time)
MONTHLY_SOURCES: tuple[tuple[sa.Table, sa.Table, tuple[str, ...]], ...] = (
    (usage_monthly_user, usage_daily_user, ("person_id",)),
    (usage_monthly_model, usage_daily_model, ("model_id",)),
    (usage_monthly_kind, usage_daily_kind, ("kind_id",)),
    (usage_monthly_user_model, usage_daily_detail, ("person_id", "model_id")),
)
MONTHLY_TABLES = tuple(monthly for monthly, _, _ in MONTHLY_SOURCES)
SUMMARY_TABLES = (*DAILY_TABLES, *MONTHLY_TABLES)


def month_start(day: date) -> date:
    """The first day of ``day``'s calendar month (the key of the monthly summaries)."""
    return day.replace(day=1)


def next_month(month: date) -> date:
    """The first day of the month after ``month`` (itself a first day)."""
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _day_ms(day: date) -> int:
    return (day - date(1970, 1, 1)).days * 86_400_000


def _count_if(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[Any]:
    return sa.func.sum(sa.case((condition, 1), else_=0))


def _detail_select(integration_id: int, first: date, last: date) -> sa.Select[Any]:
    e = usage_events
    category = kinds.c.category
    events = sa.func.count()

    def events_if(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[Any]:
        # ``condition`` is constant within a group (it depends only on group keys), so
        # this is one CASE per group instead of one aggregate step per event: SQLite
        # spends ~0.2 µs per event on each aggregate, and there are 17 of them.
        return sa.case((condition, events), else_=0)

    measures: dict[str, sa.ColumnElement[Any]] = {
        "events": events,
        "input_tokens": sa.func.sum(e.c.input_tokens),
        "output_tokens": sa.func.sum(e.c.output_tokens),
        "cache_write_tokens": sa.func.sum(e.c.cache_write_tokens),
        "cache_read_tokens": sa.func.sum(e.c.cache_read_tokens),
        "total_ucents": sa.func.sum(e.c.total_ucents),
        "charged_ucents": sa.func.sum(e.c.charged_ucents),
        "token_fee_ucents": sa.func.sum(e.c.token_fee_ucents),
        "requests_costs_micros": sa.func.sum(e.c.requests_costs_micros),
        "usage_based_events": events_if(category == "usage_based"),
        "included_events": events_if(category == "included"),
        "errored_events": events_if(category == "errored"),
        "other_kind_events": events_if(category == "other"),
        "chargeable_events": _count_if(e.c.is_chargeable.is_(True)),
        "max_mode_events": events_if(e.c.max_mode.is_(True)),
        "headless_events": _count_if(e.c.is_headless.is_(True)),
        "token_based_events": _count_if(e.c.is_token_based.is_(True)),
        "chargeable_ucents": sa.func.sum(
            sa.case((e.c.is_chargeable.is_(True), e.c.charged_ucents), else_=0)
        ),
    }
    for code in MEASURED_ORIGINS:
        name = ORIGIN_NAMES[code]
        measures[f"origin_{name}_events"] = _count_if(e.c.origin == code)
        measures[f"origin_{name}_ucents"] = sa.func.sum(
            sa.case((e.c.origin == code, e.c.charged_ucents), else_=0))  # fmt: skip
    assert tuple(measures) == MEASURE_COLUMNS
    keys = (e.c.integration_id, e.c.day, e.c.person_id, e.c.model_id, e.c.kind_id, e.c.max_mode)
    return (
        sa.select(*keys, *measures.values())
        .join(kinds, kinds.c.id == e.c.kind_id)
        .where(
            e.c.integration_id == integration_id,
            e.c.ts_ms >= _day_ms(first),
            e.c.ts_ms < _day_ms(last + timedelta(days=1)),
        )
        # category depends on kind_id alone; PostgreSQL wants it grouped to use it as is
        .group_by(*keys, category)
    )


def _rollup_select(key: str, integration_id: int, first: date, last: date) -> sa.Select[Any]:
    d = usage_daily_detail
    keys = (d.c.integration_id, d.c.day, d.c[key])
    return (
        sa.select(*keys, *(sa.func.sum(d.c[m]) for m in MEASURE_COLUMNS))
        .where(d.c.integration_id == integration_id, d.c.day >= first, d.c.day <= last)
        .group_by(*keys)
    )


def recompute_summaries(conn: Connection, *, integration_id: int, first: date, last: date) -> None:
    """Make every summary row of ``first``..``last`` (inclusive) equal the stored events."""
    _delete_days(conn, usage_daily_detail, integration_id=integration_id, first=first, last=last)
    detail_keys = ["integration_id", "day", "person_id", "model_id", "kind_id", "max_mode"]
    conn.execute(
        usage_daily_detail.insert().from_select(
            [*detail_keys, *MEASURE_COLUMNS], _detail_select(integration_id, first, last)
        )
    )
    recompute_rollups(conn, integration_id=integration_id, first=first, last=last)


def _delete_days(
    conn: Connection, table: sa.Table, *, integration_id: int, first: date, last: date
) -> None:
    conn.execute(
        table.delete().where(
            table.c.integration_id == integration_id, table.c.day >= first, table.c.day <= last
        )
    )


def recompute_rollups(conn: Connection, *, integration_id: int, first: date, last: date) -> None:
    """Rebuild the coarser daily grains and the touched months from ``usage_daily_detail``,
    which must already be current for ``first``..``last``: every grain derives from it."""
    for table, key in (
        (usage_daily_user, "person_id"),
        (usage_daily_model, "model_id"),
        (usage_daily_kind, "kind_id"),
    ):
        _delete_days(conn, table, integration_id=integration_id, first=first, last=last)
        conn.execute(
            table.insert().from_select(
                ["integration_id", "day", key, *MEASURE_COLUMNS],
                _rollup_select(key, integration_id, first, last),
            )
        )
    recompute_monthly(conn, integration_id=integration_id, first=first, last=last)


def recompute_monthly(conn: Connection, *, integration_id: int, first: date, last: date) -> None:
    """Rebuild the monthly rows of every month that ``first``..``last`` touches from the
    daily rows (which must already be current): a whole month at a time, so a write that
    changes a few days still leaves each month equal to the sum of all its days."""
    month = month_start(first)
    while month <= last:
        following = next_month(month)
        for monthly, daily, keys in MONTHLY_SOURCES:
            conn.execute(
                monthly.delete().where(
                    monthly.c.integration_id == integration_id, monthly.c.month == month
                )
            )
            key_columns = [daily.c[k] for k in keys]
            conn.execute(
                monthly.insert().from_select(
                    ["integration_id", "month", *keys, *MEASURE_COLUMNS],
                    sa.select(
                        daily.c.integration_id,
                        sa.literal(month, sa.Date),
                        *key_columns,
                        *(sa.func.sum(daily.c[m]) for m in MEASURE_COLUMNS),
                    )
                    .where(
                        daily.c.integration_id == integration_id,
                        daily.c.day >= month,
                        daily.c.day < following,
                    )
                    .group_by(daily.c.integration_id, *key_columns),
                )
            )
        month = following
