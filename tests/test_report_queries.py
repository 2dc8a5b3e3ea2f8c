"""Read-side queries over summaries: filters, top-N series, categories, ranges and coverage."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from devspend.store import queries
from devspend.store.checkpoints import PARTIAL, set_coverage
from devspend.store.dimensions import Dimensions
from devspend.store.events import StoredEvent, WindowWriter
from devspend.store.integrations import create_integration

DAY_MS = 86_400_000
T0 = 20_000 * DAY_MS
D0, D1 = date(2024, 10, 4), date(2024, 10, 5)


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


def test_users_models_kinds_daily(conn: sa.Connection) -> None:
    period = {"start": D0, "end": D1}
    [ada, bo] = queries.users_report(conn, **period)
    assert (ada.email, ada.events, ada.charged_cents, ada.top_model) == (
        "ada@x.io", 3, Decimal(16), "opus"
    )
    assert bo.top_model == "gpt-5"
    kinds = {k.kind: k.category for k in queries.kinds_report(conn, **period)}
    assert kinds == {"Included in Business": "included", "Usage-based": "usage_based",
                     "Errored, Not Charged": "errored", "Something New": "other"}  # fmt: skip
    models = queries.models_report(conn, **period, user_email="ADA@x.io")
    assert [(m.model, m.events) for m in models] == [("opus", 1), ("sonnet", 2)]
    days = queries.daily_report(conn, **period)
    assert [(d.day, d.events) for d in days] == [(D0, 3), (D1, 2)]
    assert queries.daily_report(conn, start=D1, end=D1, user_email="ada@x.io") == []
    assert queries.period_totals(conn, **period).usage_based_events == 1


def test_series_top_n_range_and_coverage(conn: sa.Connection) -> None:
    series = queries.daily_by_model(conn, start=D0, end=D1, top=1)
    assert {v.key for v in series} == {"opus"}  # opus: 10 cents charged beats sonnet's 6
    by_user = queries.daily_by_user(conn, start=D0, end=D1)
    assert {(v.day, v.key, v.events) for v in by_user} == {(D0, "ada@x.io", 3),
                                                           (D1, "bo@x.io", 2)}  # fmt: skip
    assert len(queries.daily_by_kind(conn, start=D0, end=D1)) == 4
    assert queries.data_range(conn) == (D0, D1)
    assert [(c.day, c.status) for c in queries.coverage(conn, start=D0, end=D1)] == [
        (D1, "partial")
    ]
