"""Cursor usage exported as FOCUS: hand-checked values, conformance, and a round trip."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from devspend.focus.allocations import set_allocation
from devspend.focus.conformance import check_file
from devspend.focus.exporter import EXPORT_COLUMNS, export_focus
from devspend.focus.importer import import_focus
from devspend.money import join_money
from devspend.settings import Settings
from devspend.store.cloud_tables import cloud_costs
from devspend.sync.service import connect_cursor, run_sync
from focus_usage import insert_usage
from sync_helpers import END_MS, VALID_KEY, fake_for, small_team

JAN_31, FEB_1 = date(2025, 1, 31), date(2025, 2, 1)


def _export_csv(engine: sa.Engine, settings: Settings, first: date, last: date) -> list[dict]:
    out = io.StringIO()
    export_focus(engine, settings=settings, first_day=first, last_day=last, fmt="csv", out=out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def test_rows_follow_the_mapping(engine: sa.Engine, settings: Settings) -> None:
    team_id = insert_usage(engine)
    set_allocation(engine, email="alice@example.com", team="platform", cost_center="cc-1")
    rows = _export_csv(engine, settings, JAN_31, FEB_1)
    assert len(rows) == 3
    first = rows[0]
    assert first["ChargePeriodStart"] == "2025-01-31T00:00:00Z"
    assert first["ChargePeriodEnd"] == "2025-02-01T00:00:00Z"
    assert first["BillingPeriodStart"] == "2025-01-01T00:00:00Z"
    assert first["BillingPeriodEnd"] == "2025-02-01T00:00:00Z"
    assert first["BilledCost"] == first["EffectiveCost"] == "0.12345678"
    assert first["ListCost"] == first["ContractedCost"] == "0.12345678"
    assert (first["ConsumedQuantity"], first["ConsumedUnit"]) == ("6200", "Tokens")
    assert first["ChargeClass"] == ""
    assert first["BillingAccountId"] == str(team_id)
    assert first["BillingAccountName"] == "Acme AI"
    assert first["InvoiceIssuerName"] == "Anysphere, Inc."
    assert first["SkuPriceId"] == "claude-4-sonnet:Usage-based:std"
    assert first["Tags"] == '{"cost_center": "cc-1", "team": "platform"}'
    assert first["x_UserEmail"] == "Alice@Example.com"
    assert first["x_CursorTokenFeeCents"] == "0.100000"
    assert first["x_RequestsCosts"] == "2.000000"
    assert {first[c] for c in ("ProviderName", "PublisherName", "ServiceProviderName",
                               "HostProviderName", "ServiceName")} == {"Cursor"}  # fmt: skip
    included, requests = rows[1], rows[2]
    assert included["BilledCost"] == included["EffectiveCost"] == "0.00000000"  # 4.2¢ charged
    assert included["ListCost"] == "0.50000000"
    assert included["x_MaxMode"] == "true"
    assert included["SkuPriceId"] == "gpt-5:Included in Business:max"
    assert (requests["ConsumedQuantity"], requests["ConsumedUnit"]) == ("1.500000", "Requests")
    assert requests["Tags"] == "{}"


def test_day_range_is_inclusive_and_columns_are_ordered(
    engine: sa.Engine, settings: Settings
) -> None:
    insert_usage(engine)
    rows = _export_csv(engine, settings, FEB_1, FEB_1)
    assert len(rows) == 2
    assert list(rows[0]) == list(EXPORT_COLUMNS)
    assert _export_csv(engine, settings, date(2025, 3, 1), date(2025, 3, 31)) == []


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export_conforms_and_round_trips_with_identical_totals(
    engine: sa.Engine, settings: Settings, tmp_path: Path, fmt: str
) -> None:
    insert_usage(engine)
    set_allocation(engine, email="bob@example.com", team="web", cost_center=None)
    path = tmp_path / f"cursor.{fmt}"
    written = export_focus(
        engine, settings=settings, first_day=JAN_31, last_day=FEB_1,
        fmt="csv" if fmt == "csv" else "parquet", out=path,
    )  # fmt: skip
    assert written == 3
    assert check_file(path) == []
    if fmt == "parquet":
        schema = pq.read_schema(path)
        assert str(schema.field("BilledCost").type).startswith("decimal")
        assert str(schema.field("ChargePeriodStart").type).endswith("tz=UTC]")
    import_focus(engine, [path], settings=settings)
    c = cloud_costs.c
    sums = [
        sa.func.sum(getattr(c, f"{name}_{unit}"))
        for name in ("billed_cost", "effective_cost", "list_cost", "contracted_cost")
        for unit in ("nanos", "picos")
    ]
    with engine.connect() as conn:
        values = conn.execute(sa.select(*sums)).one()
        owners = conn.execute(sa.select(c.service_name, c.provider).distinct()).all()
    billed, effective, listed, contracted = (
        join_money(values[i], values[i + 1]) for i in range(0, 8, 2)
    )
    assert billed == effective == Decimal("0.16345678")
    assert listed == contracted == Decimal("0.66345678")
    assert owners == [("Cursor", "Cursor")]


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_synced_fake_team_exports_conformant_focus_that_round_trips(
    engine: sa.Engine, settings: Settings, tmp_path: Path, fmt: str
) -> None:
    team = small_team(members=4, days=10, history_days=10)
    fake = fake_for(team, clock_ms=lambda: END_MS)
    connected = connect_cursor(engine, settings, api_key=VALID_KEY, team_name=None,
                               transport=fake.transport(), now_ms=END_MS)  # fmt: skip
    synced = run_sync(engine, settings, integration_id=connected.integration_id,
                      transport=fake.transport(), now_ms=END_MS)  # fmt: skip
    assert synced.ok, synced.message
    truth = team.expected_totals(start_ms=0, end_ms=END_MS, as_of_ms=END_MS)
    path = tmp_path / f"cursor.{fmt}"
    written = export_focus(
        engine, settings=settings, first_day=date(2000, 1, 1), last_day=date(2100, 1, 1),
        fmt="csv" if fmt == "csv" else "parquet", out=path,
    )  # fmt: skip
    assert written > 0
    assert check_file(path) == []
    import_focus(engine, [path], settings=settings)
    c = cloud_costs.c
    with engine.connect() as conn:
        n1, p1, n2, p2 = conn.execute(
            sa.select(sa.func.sum(c.billed_cost_nanos), sa.func.sum(c.billed_cost_picos),
                      sa.func.sum(c.list_cost_nanos), sa.func.sum(c.list_cost_picos))
        ).one()  # fmt: skip
    # BilledCost: chargeable events only; the team's included events carry chargedCents too
    assert join_money(n1, p1) == Decimal(truth.chargeable_cents) / 100
    assert truth.chargeable_cents < truth.charged_cents
    assert join_money(n2, p2) == Decimal(truth.total_cents) / 100
