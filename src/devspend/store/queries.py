"""Read-side report queries shared by the CLI, the web pages and the JSON API.

Every function here reads the summary tables (never ``usage_events``), takes a
connection plus keyword-only filters, and returns small frozen dataclasses with
exact money (``Decimal`` cents, 6 places). Periods are UTC days with ``end``
inclusive, the way people say "from the 1st to the 31st". ``integration_id=None``
means "all connected teams together".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from devspend.money import from_micros
from devspend.store.tables import (
    MEASURE_COLUMNS,
    integrations,
    kinds,
    member_spend,
    models,
    people,
    usage_coverage,
    usage_daily_detail,
    usage_daily_kind,
    usage_daily_model,
    usage_daily_user,
)

_MONEY = {"total_ucents", "charged_ucents", "token_fee_ucents", "requests_costs_micros"}


@dataclass(frozen=True, slots=True)
class Measures:
    """The additive figures every report row carries; money in exact cents."""

    events: int
    input_tokens: int
    output_tokens: int
    cache_write_tokens: int
    cache_read_tokens: int
    total_cents: Decimal
    charged_cents: Decimal
    cursor_token_fee_cents: Decimal
    requests_costs: Decimal
    usage_based_events: int
    included_events: int
    errored_events: int
    other_kind_events: int
    chargeable_events: int
    max_mode_events: int
    headless_events: int
    token_based_events: int


MEASURE_FIELDS: tuple[str, ...] = tuple(Measures.__dataclass_fields__)


@dataclass(frozen=True, slots=True)
class UserRow(Measures):
    """One person's usage in a period; ``fast_premium_requests`` is this cycle's gauge."""

    email: str
    name: str | None
    person_id: int
    integration_id: int
    fast_premium_requests: int | None
    top_model: str | None


@dataclass(frozen=True, slots=True)
class ModelRow(Measures):
    model: str


@dataclass(frozen=True, slots=True)
class DayRow(Measures):
    day: date


@dataclass(frozen=True, slots=True)
class KindRow(Measures):
    """``category`` buckets the open-ended kind: usage_based, included, errored or other."""

    kind: str
    category: str


@dataclass(frozen=True, slots=True)
class DailyValue:
    """One point of a per-day series split by a key (model, kind or person email)."""

    day: date
    key: str
    events: int
    charged_cents: Decimal
    total_cents: Decimal


@dataclass(frozen=True, slots=True)
class CoverageDay:
    """Whether a day's events are ``complete``, ``partial`` (inside the look-back) or
    ``unavailable`` (older than the API's history)."""

    integration_id: int
    day: date
    status: str


def _sums(table: sa.Table) -> list[sa.ColumnElement[Any]]:
    return [sa.func.coalesce(sa.func.sum(table.c[name]), 0).label(name) for name in MEASURE_COLUMNS]


def _measures(row: Row[Any]) -> dict[str, Any]:
    m = row._mapping
    return {
        "events": int(m["events"]),
        "input_tokens": int(m["input_tokens"]),
        "output_tokens": int(m["output_tokens"]),
        "cache_write_tokens": int(m["cache_write_tokens"]),
        "cache_read_tokens": int(m["cache_read_tokens"]),
        "total_cents": from_micros(int(m["total_ucents"])),
        "charged_cents": from_micros(int(m["charged_ucents"])),
        "cursor_token_fee_cents": from_micros(int(m["token_fee_ucents"])),
        "requests_costs": from_micros(int(m["requests_costs_micros"])),
        "usage_based_events": int(m["usage_based_events"]),
        "included_events": int(m["included_events"]),
        "errored_events": int(m["errored_events"]),
        "other_kind_events": int(m["other_kind_events"]),
        "chargeable_events": int(m["chargeable_events"]),
        "max_mode_events": int(m["max_mode_events"]),
        "headless_events": int(m["headless_events"]),
        "token_based_events": int(m["token_based_events"]),
    }


def _period(
    table: sa.Table, *, integration_id: int | None, start: date, end: date
) -> list[sa.ColumnElement[bool]]:
    conditions: list[sa.ColumnElement[bool]] = [table.c.day >= start, table.c.day <= end]
    if integration_id is not None:
        conditions.append(table.c.integration_id == integration_id)
    else:
        # Naming every integration lets the engine range-scan the primary key
        # (integration_id, day, …) — rows stored together — instead of walking the day
        # index and fetching each row apart: 2-5x faster over a year of summaries.
        conditions.append(table.c.integration_id.in_(sa.select(integrations.c.id)))
    return conditions


def period_totals(
    conn: Connection, *, integration_id: int | None = None, start: date, end: date
) -> Measures:
    """All usage of a period in one row (overview cards); zeros when nothing happened."""
    t = usage_daily_model
    row = conn.execute(
        sa.select(*_sums(t)).where(*_period(t, integration_id=integration_id, start=start, end=end))
    ).one()
    return Measures(**_measures(row))


def users_report(
    conn: Connection,
    *,
    integration_id: int | None = None,
    start: date,
    end: date,
    user_email: str | None = None,
    limit: int | None = None,
) -> list[UserRow]:
    """Per-person usage over a period, biggest charged spend first.

    Reads the day × person summary; ``top_model`` (by charged cents, then events)
    comes from the detail summary and ``fast_premium_requests`` from the newest
    spend snapshot, because the API only reports that figure for the current cycle.
    """
    t = usage_daily_user
    conditions = _period(t, integration_id=integration_id, start=start, end=end)
    if user_email is not None:
        conditions.append(t.c.person_id.in_(_people_with_email(user_email)))
    # Sum per person first, then name them: grouping by the people columns instead makes
    # the engine join and sort every day row before it can add anything up.
    sums = (
        sa.select(t.c.person_id, *_sums(t))
        .where(*conditions)
        .group_by(t.c.person_id)
        .subquery()
    )
    query = (
        sa.select(
            people.c.id, people.c.email, people.c.name, people.c.integration_id,
            *(sums.c[name] for name in MEASURE_COLUMNS),
        )
        .join(sums, sums.c.person_id == people.c.id)
        .order_by(sums.c.charged_ucents.desc(), people.c.email)
    )
    if limit is not None:
        query = query.limit(limit)
    rows = conn.execute(query).all()
    person_ids = [int(r.id) for r in rows]
    integration_ids = sorted({int(r.integration_id) for r in rows})
    top = _top_models(conn, person_ids=person_ids, integration_ids=integration_ids, start=start,
                      end=end)  # fmt: skip
    fast = _fast_premium_requests(conn, person_rows=rows)
    return [
        UserRow(
            **_measures(r),
            email=str(r.email),
            name=r.name,
            person_id=int(r.id),
            integration_id=int(r.integration_id),
            fast_premium_requests=fast.get(int(r.id)),
            top_model=top.get(int(r.id)),
        )
        for r in rows
    ]


def _people_with_email(email: str) -> sa.Select[Any]:
    return sa.select(people.c.id).where(sa.func.lower(people.c.email) == email.lower())


def _top_models(
    conn: Connection,
    *,
    person_ids: Sequence[int],
    integration_ids: Sequence[int],
    start: date,
    end: date,
) -> dict[int, str]:
    if not person_ids:
        return {}
    d = usage_daily_detail
    per_model = (
        sa.select(
            d.c.person_id,
            d.c.model_id,
            sa.func.sum(d.c.charged_ucents).label("charged"),
            sa.func.sum(d.c.events).label("events"),
        )
        .where(
            d.c.integration_id.in_(integration_ids),  # primary-key range scan, see _period
            d.c.day >= start,
            d.c.day <= end,
            d.c.person_id.in_(person_ids),
        )
        .group_by(d.c.person_id, d.c.model_id)
        .subquery()
    )
    rows = conn.execute(
        sa.select(per_model.c.person_id, models.c.name, per_model.c.charged, per_model.c.events)
        .join(models, models.c.id == per_model.c.model_id)
    ).all()
    # most charged spend wins, then most events, then the alphabetically first name
    best: dict[int, tuple[int, int, str]] = {}
    for r in rows:
        rank = (-int(r.charged), -int(r.events), str(r.name))
        pid = int(r.person_id)
        if pid not in best or rank < best[pid]:
            best[pid] = rank
    return {pid: rank[2] for pid, rank in best.items()}


def _fast_premium_requests(conn: Connection, *, person_rows: Sequence[Row[Any]]) -> dict[int, int]:
    if not person_rows:
        return {}
    integration_ids = sorted({int(r.integration_id) for r in person_rows})
    s = member_spend
    latest = (
        sa.select(s.c.integration_id, sa.func.max(s.c.cycle_start).label("cycle_start"))
        .where(s.c.integration_id.in_(integration_ids))
        .group_by(s.c.integration_id)
        .subquery()
    )
    rows = conn.execute(
        sa.select(s.c.integration_id, s.c.email, s.c.fast_premium_requests).join(
            latest,
            sa.and_(
                latest.c.integration_id == s.c.integration_id,
                latest.c.cycle_start == s.c.cycle_start,
            ),
        )
    ).all()
    by_email = {
        (int(r.integration_id), str(r.email).lower()): r.fast_premium_requests for r in rows
    }
    result: dict[int, int] = {}
    for p in person_rows:
        value = by_email.get((int(p.integration_id), str(p.email).lower()))
        if value is not None:
            result[int(p.id)] = int(value)
    return result


def models_report(
    conn: Connection,
    *,
    integration_id: int | None = None,
    start: date,
    end: date,
    user_email: str | None = None,
) -> list[ModelRow]:
    """Per-model usage over a period, biggest charged spend first.

    Without a person filter it reads the small day × model summary; with one it
    reads the detail summary, which is the only one that knows both.
    """
    t = usage_daily_detail if user_email is not None else usage_daily_model
    conditions = _period(t, integration_id=integration_id, start=start, end=end)
    query = sa.select(models.c.name, *_sums(t)).join(models, models.c.id == t.c.model_id)
    if user_email is not None:
        query = query.join(people, people.c.id == t.c.person_id)
        conditions.append(sa.func.lower(people.c.email) == user_email.lower())
    query = (
        query.where(*conditions)
        .group_by(models.c.name)
        .order_by(sa.func.sum(t.c.charged_ucents).desc(), models.c.name)
    )
    return [ModelRow(**_measures(r), model=str(r.name)) for r in conn.execute(query)]


def kinds_report(
    conn: Connection,
    *,
    integration_id: int | None = None,
    start: date,
    end: date,
    user_email: str | None = None,
) -> list[KindRow]:
    """Per-kind usage (included vs usage-based vs errored ...), most events first."""
    t = usage_daily_detail if user_email is not None else usage_daily_kind
    conditions = _period(t, integration_id=integration_id, start=start, end=end)
    query = sa.select(kinds.c.name, kinds.c.category, *_sums(t)).join(
        kinds, kinds.c.id == t.c.kind_id
    )
    if user_email is not None:
        query = query.join(people, people.c.id == t.c.person_id)
        conditions.append(sa.func.lower(people.c.email) == user_email.lower())
    query = (
        query.where(*conditions)
        .group_by(kinds.c.name, kinds.c.category)
        .order_by(sa.func.sum(t.c.events).desc(), kinds.c.name)
    )
    return [
        KindRow(**_measures(r), kind=str(r.name), category=str(r.category))
        for r in conn.execute(query)
    ]


def daily_report(
    conn: Connection,
    *,
    integration_id: int | None = None,
    start: date,
    end: date,
    user_email: str | None = None,
) -> list[DayRow]:
    """One row per UTC day that had usage, oldest first (days without usage are absent)."""
    t = usage_daily_user if user_email is not None else usage_daily_model
    conditions = _period(t, integration_id=integration_id, start=start, end=end)
    query = sa.select(t.c.day, *_sums(t))
    if user_email is not None:
        query = query.join(people, people.c.id == t.c.person_id)
        conditions.append(sa.func.lower(people.c.email) == user_email.lower())
    query = query.where(*conditions).group_by(t.c.day).order_by(t.c.day)
    return [DayRow(**_measures(r), day=_as_date(r.day)) for r in conn.execute(query)]


def _as_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _daily_split(
    conn: Connection,
    *,
    table: sa.Table,
    key: sa.ColumnElement[Any],
    join: tuple[sa.Table, sa.ColumnElement[bool]],
    integration_id: int | None,
    start: date,
    end: date,
    top: int | None,
) -> list[DailyValue]:
    conditions = _period(table, integration_id=integration_id, start=start, end=end)
    keys: list[str] | None = None
    if top is not None:
        ranked = conn.execute(
            sa.select(key)
            .select_from(table)
            .join(*join)
            .where(*conditions)
            .group_by(key)
            .order_by(sa.func.sum(table.c.charged_ucents).desc(), key)
            .limit(top)
        ).scalars()
        keys = [str(k) for k in ranked]
        conditions.append(key.in_(keys))
    rows = conn.execute(
        sa.select(
            table.c.day,
            key.label("key"),
            sa.func.sum(table.c.events).label("events"),
            sa.func.sum(table.c.charged_ucents).label("charged"),
            sa.func.sum(table.c.total_ucents).label("total"),
        )
        .select_from(table)
        .join(*join)
        .where(*conditions)
        .group_by(table.c.day, key)
        .order_by(table.c.day, key)
    ).all()
    return [
        DailyValue(
            day=_as_date(r.day),
            key=str(r.key),
            events=int(r.events),
            charged_cents=from_micros(int(r.charged)),
            total_cents=from_micros(int(r.total)),
        )
        for r in rows
    ]


def daily_by_model(
    conn: Connection,
    *,
    integration_id: int | None = None,
    start: date,
    end: date,
    top: int | None = None,
) -> list[DailyValue]:
    """Per-day, per-model series for charts; ``top`` keeps the N models with most charged spend."""
    t = usage_daily_model
    return _daily_split(
        conn, table=t, key=models.c.name, join=(models, models.c.id == t.c.model_id),
        integration_id=integration_id, start=start, end=end, top=top,
    )  # fmt: skip


def daily_by_kind(
    conn: Connection,
    *,
    integration_id: int | None = None,
    start: date,
    end: date,
    top: int | None = None,
) -> list[DailyValue]:
    """Per-day, per-kind series (included vs usage-based over time)."""
    t = usage_daily_kind
    return _daily_split(
        conn, table=t, key=kinds.c.name, join=(kinds, kinds.c.id == t.c.kind_id),
        integration_id=integration_id, start=start, end=end, top=top,
    )  # fmt: skip


def daily_by_user(
    conn: Connection,
    *,
    integration_id: int | None = None,
    start: date,
    end: date,
    top: int | None = None,
) -> list[DailyValue]:
    """Per-day, per-person series keyed by email; ``top`` keeps the N biggest spenders."""
    t = usage_daily_user
    return _daily_split(
        conn, table=t, key=people.c.email, join=(people, people.c.id == t.c.person_id),
        integration_id=integration_id, start=start, end=end, top=top,
    )  # fmt: skip


def coverage(
    conn: Connection, *, integration_id: int | None = None, start: date, end: date
) -> list[CoverageDay]:
    """Per day and integration, how complete the stored events are (days never synced are
    absent: treat them as missing)."""
    c = usage_coverage
    rows = conn.execute(
        sa.select(c.c.integration_id, c.c.day, c.c.status)
        .where(*_period(c, integration_id=integration_id, start=start, end=end))
        .order_by(c.c.integration_id, c.c.day)
    ).all()
    return [
        CoverageDay(integration_id=int(r.integration_id), day=_as_date(r.day), status=str(r.status))
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
    return _as_date(first), _as_date(last)


def data_range(conn: Connection, *, integration_id: int | None = None) -> tuple[date, date] | None:
    """The first and last UTC day with any usage (default report periods), or ``None``."""
    t = usage_daily_model
    query = sa.select(sa.func.min(t.c.day), sa.func.max(t.c.day))
    if integration_id is not None:
        query = query.where(t.c.integration_id == integration_id)
    first, last = conn.execute(query).one()
    if first is None or last is None:
        return None
    return _as_date(first), _as_date(last)
