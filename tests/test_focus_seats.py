"""The FOCUS export carries seats as Purchase rows of each billing cycle, so Σ BilledCost
of an export is cost (seats + on-demand); it stays conformant and round-trips."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from devspend.focus.conformance import check_file
from devspend.focus.exporter import export_focus
from devspend.focus.importer import import_focus
from devspend.money import join_money
from devspend.reports.seats import seat_charges, seat_summary
from devspend.settings import Settings
from devspend.store.cloud_tables import cloud_costs
from devspend.store.integrations import set_seat_price
from sync_helpers import connect_and_sync, fake_for, small_team

FIRST, LAST = date(2026, 10, 15), date(2026, 11, 20)


def _sum(rows: list[dict[str, str]], column: str) -> Decimal:
    return sum((Decimal(r[column]) for r in rows), Decimal(0))


def test_seats_are_purchase_rows_and_billed_cost_is_cost(
    engine: sa.Engine, settings: Settings, tmp_path: Path
) -> None:
    truth_team = small_team(members=6)
    connect_and_sync(engine, settings, fake_for(truth_team), days=60)
    with engine.begin() as conn:
        set_seat_price(conn, 1, dollars=40)
        seats = seat_charges(conn, start=FIRST, end=LAST)
        summary = seat_summary(conn, start=FIRST, end=LAST)
    assert summary.seat_cents is not None
    assert sum((s.seat_cents for s in seats), Decimal(0)) == summary.seat_cents
    assert {(s.cycle_start, s.cycle_end) for s in seats} == {
        (date(2026, 10, 1), date(2026, 11, 1)), (date(2026, 11, 1), date(2026, 12, 1))}
    csv_path, parquet_path = tmp_path / "cost.csv", tmp_path / "cost.parquet"
    written = export_focus(engine, settings=settings, first_day=FIRST, last_day=LAST, fmt="csv",
                           out=csv_path, seats=seats)  # fmt: skip
    assert export_focus(engine, settings=settings, first_day=FIRST, last_day=LAST,
                        fmt="parquet", out=parquet_path, seats=seats) == written  # fmt: skip
    assert check_file(csv_path) == []
    assert check_file(parquet_path) == []
    with csv_path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    purchases = [r for r in rows if r["ChargeCategory"] == "Purchase"]
    usage = [r for r in rows if r["ChargeCategory"] == "Usage"]
    assert len(purchases) == len(seats)
    assert {r["ChargeFrequency"] for r in purchases} == {"Recurring"}
    assert _sum(purchases, "BilledCost") == summary.seat_cents / 100
    truth = truth_team.expected_totals(start_ms=0, end_ms=truth_team.end_ms)
    on_demand_rows = _sum(usage, "BilledCost")
    assert on_demand_rows <= truth.chargeable_cents / 100
    assert _sum(rows, "BilledCost") == summary.seat_cents / 100 + on_demand_rows
    assert _sum(rows, "EffectiveCost") == _sum(rows, "BilledCost")
    import_focus(engine, [parquet_path], settings=settings)
    c = cloud_costs.c
    with engine.connect() as conn:
        nanos, picos = conn.execute(
            sa.select(sa.func.sum(c.billed_cost_nanos), sa.func.sum(c.billed_cost_picos))
        ).one()
        categories = set(conn.execute(sa.select(c.charge_category).distinct()).scalars())
    assert join_money(nanos, picos) == _sum(rows, "BilledCost")
    assert categories == {"Usage", "Purchase"}
