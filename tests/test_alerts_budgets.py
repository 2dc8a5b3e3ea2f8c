"""Budgets read the money vocabulary: cost = seats + on-demand, on-demand, usage value."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import sqlalchemy as sa

from devspend.alerts.evaluate import evaluate
from devspend.focus.allocations import set_allocation
from devspend.money import from_micros
from devspend.reports.seats import seat_summary
from devspend.settings import Settings
from devspend.store import alert_reads
from devspend.store import alerts as store
from devspend.sync.service import set_seat_price
from sync_helpers import END_MS, connect_and_sync, fake_for, small_team

NOW = datetime.fromtimestamp(END_MS / 1000, tz=UTC)


def _add(engine: sa.Engine, name: str, figure: str, kind: str = "all",
         value: str | None = None) -> None:  # fmt: skip
    with engine.begin() as conn:
        store.create_budget(conn, name=name, amount_ucents=10**12, period="month",
                            scope_kind=kind, scope_value=value, figure=figure,
                            thresholds=(50, 80, 100), forecast_alert=True, now=NOW)  # fmt: skip


def test_figures_and_scopes(engine: sa.Engine, settings: Settings) -> None:
    result = connect_and_sync(engine, settings, fake_for(small_team()), days=40)
    iid = result.integration_id
    with engine.connect() as conn:
        rows = alert_reads.person_days(conn, start=NOW.date().replace(day=1), end=NOW.date())
    some = sorted({r.email for r in rows})[:2]
    for email in some:
        set_allocation(engine, email=email, team="Platform", cost_center="R&D")
    _add(engine, "usage", "usage_value")
    _add(engine, "on-demand", "on_demand")
    _add(engine, "team", "on_demand", "team", "platform")
    _add(engine, "person", "usage_value", "person", some[0].upper())
    set_seat_price(engine, integration_id=iid, dollars=40)
    _add(engine, "cost", "cost", "integration", str(iid))
    with engine.connect() as conn:
        by_name = {s.budget.name: s for s in evaluate(conn, settings, as_of=NOW).budgets}
        seats = seat_summary(conn, start=by_name["cost"].start, end=NOW.date(),
                             integration_id=iid)  # fmt: skip
    month = rows
    usage = from_micros(sum(r.charged_ucents for r in month))
    on_demand = from_micros(sum(r.chargeable_ucents for r in month))
    assert by_name["usage"].spent_cents == usage
    assert by_name["on-demand"].spent_cents == on_demand
    assert usage > on_demand > 0
    assert seats.seat_cents is not None
    assert seats.seat_cents > 0
    assert by_name["cost"].spent_cents == on_demand + seats.seat_cents
    assert by_name["cost"].note is None
    assert by_name["cost"].forecast_cents > by_name["cost"].spent_cents
    with engine.connect() as conn:
        platform = {e for e, (t, _c) in alert_reads.allocation_map(conn).items()
                    if (t or "").casefold() == "platform"}  # fmt: skip
    assert set(some) <= platform
    team = from_micros(sum(r.chargeable_ucents for r in month if r.email in platform))
    assert by_name["team"].spent_cents == team
    person = from_micros(sum(r.charged_ucents for r in month if r.email == some[0]))
    assert by_name["person"].spent_cents == person
    assert by_name["usage"].percent == (usage * 100 / Decimal(10**6)).quantize(Decimal("0.1"))
