"""Read-side queries over summaries: filters, top-N series, categories, ranges and coverage."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from devspend.reports.filters import ReportFilter
from devspend.reports.kinds import build_daily, build_kinds
from devspend.reports.models import build_models
from devspend.reports.people import build_people
from devspend.store import coverage, names
from devspend.store.checkpoints import PARTIAL, set_coverage
from devspend.store.cloud_tables import allocations
from devspend.store.dimensions import Dimensions
from devspend.store.events import StoredEvent, WindowWriter
from devspend.store.integrations import create_integration
from devspend.store.series import daily_series
from devspend.store.usage import usage_total

DAY_MS = 86_400_000
T0 = 20_000 * DAY_MS
D0, D1 = date(2024, 10, 4), date(2024, 10, 5)
NOW = datetime(2024, 10, 6, tzinfo=UTC)


def ev(ts_ms: int, email: str, model: str, kind: str, cents: int) -> StoredEvent:
    return StoredEvent(
        ts_ms=ts_ms, email=email, model=model, kind=kind, max_mode=False, is_headless=False,
        is_token_based=True, is_chargeable=kind == "Usage-based", requests_costs_micros=0,
        input_tokens=1, output_tokens=1, cache_write_tokens=0, cache_read_tokens=0,
        total_ucents=cents * 10**6, charged_ucents=cents * 10**6, token_fee_ucents=0,
        fingerprint=f"{ts_ms % 10**9}{email[:3]}{model[:3]}", raw="{}",
    )  # fmt: skip


@pytest.fixture
def conn(engine: sa.Engine) -> Iterator[sa.Connection]:
    with engine.begin() as c:
        iid = create_integration(c, display_name=None, api_key_encrypted=b"x", hint="k",
                                 history_start=None, capabilities={})  # fmt: skip
        set_coverage(c, integration_id=iid, days=[D1], status=PARTIAL)
    events = [
        ev(T0 + 1, "ada@x.io", "opus", "Usage-based", 10),
        ev(T0 + 2, "ada@x.io", "sonnet", "Included in Business", 3),
        ev(T0 + 3, "ada@x.io", "sonnet", "Included in Business", 3),
        ev(T0 + DAY_MS + 1, "bo@x.io", "sonnet", "Errored, Not Charged", 0),
        ev(T0 + DAY_MS + 2, "bo@x.io", "gpt-5", "Something New", 5),
    ]
    with WindowWriter(engine, integration_id=iid, start_ms=T0, end_ms=T0 + 2 * DAY_MS - 1,
                      dimensions=Dimensions(iid)) as writer:  # fmt: skip
        writer.add(events)
        writer.commit()
    with engine.connect() as c:
        yield c


def _flt(start: date = D0, end: date = D1, **narrow: str) -> ReportFilter:
    return ReportFilter("custom", start, end, **narrow)  # type: ignore[arg-type]


def test_people_models_kinds_daily(conn: sa.Connection) -> None:
    [ada, bo] = build_people(conn, _flt()).rows
    assert (ada.email, ada.events, ada.charged_cents, ada.top_model) == (
        "ada@x.io", 3, Decimal(16), "opus"
    )
    assert (ada.on_demand_cents, ada.included_cents) == (Decimal(10), Decimal(6))
    assert bo.top_model == "gpt-5"
    kinds = {k.kind: k.category for k in build_kinds(conn, _flt()).rows}
    assert kinds == {"Included in Business": "included", "Usage-based": "usage_based",
                     "Errored, Not Charged": "errored", "Something New": "other"}  # fmt: skip
    models = build_models(conn, _flt(person="ada@x.io")).rows
    assert sorted((m.model, m.events) for m in models) == [("opus", 1), ("sonnet", 2)]
    days = build_daily(conn, _flt()).rows
    assert [(d.day, d.events) for d in days] == [(D0, 3), (D1, 2)]
    assert build_daily(conn, _flt(D1, D1, person="ada@x.io")).rows == []
    assert usage_total(conn, _flt().scope()).usage_based_events == 1


def test_series_top_n_range_and_coverage(conn: sa.Connection) -> None:
    opus = {i for i, n in names.model_names(conn).items() if n == "opus"}
    assert {v.key for v in daily_series(conn, _flt().scope(), by="model", top=1)} == opus
    emails = {i: p.email for i, p in names.person_names(conn, range(1, 10)).items()}
    by_person = daily_series(conn, _flt().scope(), by="person")
    assert {(v.day, emails[v.key or 0], v.usage.events) for v in by_person} == {
        (D0, "ada@x.io", 3), (D1, "bo@x.io", 2)}  # fmt: skip
    assert len(daily_series(conn, _flt().scope(), by="kind")) == 4
    assert coverage.data_range(conn) == (D0, D1)
    assert [(c.day, c.status) for c in coverage.coverage(conn, start=D0, end=D1)] == [
        (D1, "partial")
    ]


def test_team_and_cost_center_narrow_every_figure(conn: sa.Connection) -> None:
    conn.execute(allocations.insert(), [
        {"email": "ada@x.io", "team": "Platform", "cost_center": "cc-1", "source": "manual",
         "updated_at": NOW},
        {"email": "bo@x.io", "team": "Web", "cost_center": "cc-1", "source": "manual",
         "updated_at": NOW},
    ])  # fmt: skip
    platform = _flt(team="platform")
    assert [r.email for r in build_people(conn, platform).rows] == ["ada@x.io"]
    assert usage_total(conn, platform.scope()).events == 3
    assert sorted(m.model for m in build_models(conn, platform).rows) == ["opus", "sonnet"]
    assert {k.kind for k in build_kinds(conn, _flt(team="Web")).rows} == {
        "Errored, Not Charged", "Something New"}  # fmt: skip
    assert usage_total(conn, _flt(cost_center="cc-1").scope()).events == 5
    limited = ReportFilter("custom", D0, D1, visible_teams=frozenset({"Web"}))
    assert [r.email for r in build_people(conn, limited).rows] == ["bo@x.io"]
    assert usage_total(conn, limited.scope()).events == 2
    assert build_people(conn, _flt(team="Nobody")).rows == []
    assert usage_total(conn, _flt(model="opus").scope()).events == 1
