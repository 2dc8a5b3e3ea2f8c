"""Monthly summaries: reports that read whole months from them equal the same reports
computed from the daily summaries alone, and a re-sync keeps each month equal to its days."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from devspend.money import from_micros
from devspend.reports.filters import ReportFilter
from devspend.reports.kinds import build_kinds
from devspend.reports.models import build_models
from devspend.reports.people import build_people
from devspend.store.dimensions import Dimensions
from devspend.store.events import StoredEvent, WindowWriter
from devspend.store.integrations import create_integration
from devspend.store.periods import as_date
from devspend.store.series import daily_series
from devspend.store.summaries import MONTHLY_SOURCES
from devspend.store.tables import (
    MEASURE_COLUMNS,
    kinds,
    models,
    people,
    usage_daily_detail,
    usage_daily_kind,
    usage_daily_model,
    usage_daily_user,
)
from devspend.store.usage import Usage, UsageScope, usage_total

DAY_MS = 86_400_000
FIRST, LAST = date(2024, 11, 10), date(2025, 2, 20)
EMAILS = ["ada@x.io", "bo@x.io", "cy@x.io", "di@x.io", "ed@x.io"]
MODELS = ["opus", "sonnet", "gpt-5", "haiku"]
KINDS = ["Usage-based", "Included in Business", "Errored, Not Charged"]
PERIODS = [
    (date(2024, 11, 17), date(2025, 2, 9)),  # mid → mid across the year boundary
    (date(2024, 12, 1), date(2025, 1, 31)),  # whole months only, across the year boundary
    (date(2025, 1, 1), date(2025, 1, 31)),  # one whole month
    (date(2024, 12, 5), date(2024, 12, 20)),  # inside one month
    (date(2025, 1, 15), date(2025, 1, 15)),  # a single day
    (date(2025, 2, 1), date(2025, 2, 1)),  # a single first day of a month
    (date(2024, 12, 31), date(2024, 12, 31)),  # a single last day of a month
    (date(2024, 12, 1), date(2025, 2, 10)),  # whole months, then a partial one
    (date(2024, 11, 20), date(2024, 12, 31)),  # a partial month, then a whole one
    (date(2024, 10, 1), date(2025, 3, 31)),  # whole months beyond the data
]


def _ms(day: date) -> int:
    return (day - date(1970, 1, 1)).days * DAY_MS


def _events(first: date, last: date, *, seed: int) -> list[StoredEvent]:
    rng = random.Random(seed)
    events = []
    day = first
    while day <= last:
        for i in range(rng.randint(0, 6)):
            ts = _ms(day) + i * 1000 + rng.randint(0, 999)
            kind = rng.choice(KINDS)
            cents = rng.randint(0, 40) * 10**5
            events.append(StoredEvent(
                ts_ms=ts, email=rng.choice(EMAILS), model=rng.choice(MODELS), kind=kind,
                max_mode=rng.random() < 0.2, is_headless=False, is_token_based=True,
                is_chargeable=kind == "Usage-based", requests_costs_micros=rng.randint(0, 9),
                input_tokens=rng.randint(1, 500), output_tokens=rng.randint(1, 90),
                cache_write_tokens=0, cache_read_tokens=rng.randint(0, 50),
                total_ucents=cents + 7, charged_ucents=cents, token_fee_ucents=cents // 10,
                fingerprint=f"{seed}-{ts}", raw="{}",
            ))  # fmt: skip
        day += timedelta(days=1)
    return events


def _write(engine: sa.Engine, iid: int, first: date, last: date, *, seed: int) -> None:
    with WindowWriter(engine, integration_id=iid, start_ms=_ms(first),
                      end_ms=_ms(last + timedelta(days=1)) - 1,
                      dimensions=Dimensions(iid)) as writer:  # fmt: skip
        writer.add(_events(first, last, seed=seed))
        writer.commit()


@pytest.fixture
def store(engine: sa.Engine) -> Iterator[tuple[sa.Connection, int]]:
    with engine.begin() as c:
        iid = create_integration(c, display_name=None, api_key_encrypted=b"x", hint="k",
                                 history_start=None, capabilities={})  # fmt: skip
    # two writes whose windows meet mid-month, as a backfill's windows do
    _write(engine, iid, FIRST, date(2024, 12, 14), seed=1)
    _write(engine, iid, date(2024, 12, 15), LAST, seed=2)
    with engine.connect() as c:
        yield c, iid


# ---- the reference: the daily summaries only, queried plainly ----------------------------


def _daily_sums(
    conn: sa.Connection, table: sa.Table, key: str, start: date, end: date,
    where: list[sa.ColumnElement[bool]] | None = None,
) -> dict[Any, tuple[int, ...]]:  # fmt: skip
    rows = conn.execute(
        sa.select(table.c[key], *(sa.func.sum(table.c[m]) for m in MEASURE_COLUMNS))
        .where(table.c.day >= start, table.c.day <= end, *(where or []))
        .group_by(table.c[key])
    ).all()
    return {r[0]: tuple(int(v) for v in r[1:]) for r in rows}


def _names(conn: sa.Connection, table: sa.Table, column: str = "name") -> dict[int, str]:
    return {int(r[0]): str(r[1]) for r in conn.execute(sa.select(table.c.id, table.c[column]))}


def _as_tuple(row: Usage) -> tuple[int, ...]:
    """A report row's measures in MEASURE_COLUMNS order (money back in micro-units)."""
    micros = {
        "total_ucents": row.total_cents, "charged_ucents": row.charged_cents,
        "token_fee_ucents": row.cursor_token_fee_cents,
        "requests_costs_micros": row.requests_costs, "chargeable_ucents": row.on_demand_cents,
        **{m: getattr(row, m.replace("_ucents", "_cents"))
           for m in MEASURE_COLUMNS if m.startswith("origin_") and m.endswith("_ucents")},
    }  # fmt: skip
    values = []
    for name in MEASURE_COLUMNS:
        value = micros.get(name)
        values.append(int(value * 10**6) if value is not None else int(getattr(row, name)))
    return tuple(values)


def _strip(sums: tuple[int, ...]) -> tuple[int, ...]:
    return sums


@pytest.mark.parametrize("period", PERIODS, ids=[f"{a}..{b}" for a, b in PERIODS])
def test_reports_equal_the_daily_reference(
    store: tuple[sa.Connection, int], period: tuple[date, date]
) -> None:
    conn, iid = store
    start, end = period
    model_names, kind_names = _names(conn, models), _names(conn, kinds)
    emails = _names(conn, people, "email")
    for scope in ({}, {"integration_id": iid}):
        # totals
        totals = _daily_sums(conn, usage_daily_model, "integration_id", start, end)
        expected_totals = _strip(totals.get(iid, (0,) * len(MEASURE_COLUMNS)))
        flt = ReportFilter("custom", start, end, scope.get("integration_id"))
        got = usage_total(conn, flt.scope())
        assert _as_tuple(got) == expected_totals
        # people
        users = _daily_sums(conn, usage_daily_user, "person_id", start, end)
        report = [r for r in build_people(conn, flt).rows if r.events]
        assert {r.email: _as_tuple(r) for r in report} == {
            emails[p]: _strip(v) for p, v in users.items()
        }
        assert [r.charged_cents for r in report] == sorted(
            (r.charged_cents for r in report), reverse=True
        )
        detail = conn.execute(
            sa.select(usage_daily_detail.c.person_id, usage_daily_detail.c.model_id,
                      sa.func.sum(usage_daily_detail.c.charged_ucents),
                      sa.func.sum(usage_daily_detail.c.events))
            .where(usage_daily_detail.c.day >= start, usage_daily_detail.c.day <= end)
            .group_by(usage_daily_detail.c.person_id, usage_daily_detail.c.model_id)
        ).all()  # fmt: skip
        best: dict[str, tuple[int, int, str]] = {}
        for pid, mid, charged, events in detail:
            rank = (-int(charged), -int(events), model_names[int(mid)])
            email = emails[int(pid)]
            best[email] = min(best.get(email, rank), rank)
        assert {r.email: r.top_model for r in report} == {e: r[2] for e, r in best.items()}
        # models, kinds
        by_model = _daily_sums(conn, usage_daily_model, "model_id", start, end)
        assert {r.model: _as_tuple(r) for r in build_models(conn, flt).rows} == {
            model_names[m]: _strip(v) for m, v in by_model.items()}  # fmt: skip
        by_kind = _daily_sums(conn, usage_daily_kind, "kind_id", start, end)
        assert {r.kind: _as_tuple(r) for r in build_kinds(conn, flt).rows} == {
            kind_names[k]: _strip(v) for k, v in by_kind.items()}  # fmt: skip
        # one person's models and kinds (the detail grain)
        ada = next(p for p, e in emails.items() if e == "ada@x.io")
        ada_models = _daily_sums(conn, usage_daily_detail, "model_id", start, end,
                                 [usage_daily_detail.c.person_id == ada])  # fmt: skip
        assert {r.model: _as_tuple(r) for r in build_models(
            conn, flt.for_person("ADA@x.io")).rows} == {
            model_names[m]: _strip(v) for m, v in ada_models.items()}  # fmt: skip
        ada_kinds = _daily_sums(conn, usage_daily_detail, "kind_id", start, end,
                                [usage_daily_detail.c.person_id == ada])  # fmt: skip
        assert {r.kind: _as_tuple(r) for r in build_kinds(
            conn, flt.for_person("ada@x.io")).rows} == {
            kind_names[k]: _strip(v) for k, v in ada_kinds.items()}  # fmt: skip
        # distinct people per model
        pairs = {(int(p), int(m)) for p, m, _, _ in detail}
        per_model: dict[str, int] = defaultdict(int)
        for _, m in pairs:
            per_model[model_names[m]] += 1
        assert {r.model: r.users for r in build_models(conn, flt).rows} == per_model
        # the per-person daily chart: the top 2 spenders' days
        top = sorted(users, key=lambda p: (-users[p][MEASURE_COLUMNS.index("charged_ucents")],
                                           emails[p]))[:2]  # fmt: skip
        series = conn.execute(
            sa.select(usage_daily_user.c.day, usage_daily_user.c.person_id,
                      usage_daily_user.c.events, usage_daily_user.c.charged_ucents)
            .where(usage_daily_user.c.day >= start, usage_daily_user.c.day <= end,
                   usage_daily_user.c.person_id.in_(top))
        ).all()  # fmt: skip
        chart = daily_series(conn, flt.scope(), by="person", top=2)
        assert sorted((v.day, emails[v.key or 0], v.usage.events, v.usage.charged_cents)
                      for v in chart) == sorted(
            (as_date(d), emails[int(p)], int(n), from_micros(int(c)))
            for d, p, n, c in series
        )


def _monthly_equal_days(conn: sa.Connection) -> None:
    for monthly, daily, keys in MONTHLY_SOURCES:
        expected: dict[tuple[Any, ...], list[int]] = {}
        for row in conn.execute(sa.select(daily)).mappings():
            day = as_date(row["day"])
            key = (int(row["integration_id"]), day.replace(day=1), *(row[k] for k in keys))
            sums = expected.setdefault(key, [0] * len(MEASURE_COLUMNS))
            for i, m in enumerate(MEASURE_COLUMNS):
                sums[i] += int(row[m])
        stored = {
            (int(r["integration_id"]), as_date(r["month"]), *(r[k] for k in keys)):
            [int(r[m]) for m in MEASURE_COLUMNS]
            for r in conn.execute(sa.select(monthly)).mappings()
        }  # fmt: skip
        assert stored == expected, monthly.name
        assert stored


def test_monthly_rows_equal_their_days_after_a_resync(
    engine: sa.Engine, store: tuple[sa.Connection, int]
) -> None:
    conn, iid = store
    _monthly_equal_days(conn)
    before = usage_total(conn, UsageScope(start=FIRST, end=LAST))
    conn.rollback()  # end the read transaction so the writer sees and replaces the rows
    # a re-sync replaces a window across the year boundary with different events
    _write(engine, iid, date(2024, 12, 20), date(2025, 1, 10), seed=3)
    _monthly_equal_days(conn)
    after = usage_total(conn, UsageScope(start=FIRST, end=LAST))
    assert after != before
    whole_months = usage_total(conn, UsageScope(start=date(2024, 12, 1),
                                                 end=date(2025, 1, 31)))
    days = conn.execute(
        sa.select(sa.func.sum(usage_daily_model.c.events)).where(
            usage_daily_model.c.day >= date(2024, 12, 1),
            usage_daily_model.c.day <= date(2025, 1, 31),
        )
    ).scalar_one()
    assert whole_months.events == int(days)
