"""A team synced from the fake → FOCUS export → conformance → import: the totals survive.

The truth is the fake's own ``expected_totals``, so this proves the whole chain
(sync, summaries, exporter, importer) against the generator, not against itself.
"""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from devspend.cursor.fake import Totals
from devspend.focus.conformance import check_file
from devspend.focus.exporter import export_focus
from devspend.focus.importer import import_focus
from devspend.money import from_micros, join_money
from devspend.settings import Settings
from devspend.store.cloud_tables import cloud_costs
from devspend.store.tables import usage_daily_user
from devspend.sync.service import connect_cursor, run_sync
from sync_helpers import END_MS, VALID_KEY, fake_for, small_team

EVERY_DAY = {"first_day": date(2000, 1, 1), "last_day": date(2100, 1, 1)}


def _sync_demo_team(engine: sa.Engine, settings: Settings) -> Totals:
    team = small_team(members=4, days=12, history_days=12)
    fake = fake_for(team)
    connected = connect_cursor(engine, settings, api_key=VALID_KEY, team_name="Demo",
                               transport=fake.transport(), now_ms=END_MS)  # fmt: skip
    synced = run_sync(engine, settings, integration_id=connected.integration_id,
                      transport=fake.transport(), now_ms=END_MS)  # fmt: skip
    assert synced.ok, synced.message
    truth = team.expected_totals(start_ms=0, end_ms=END_MS)
    assert synced.events == truth.events
    return truth


def _export(engine: sa.Engine, settings: Settings, path: Path) -> int:
    fmt = "parquet" if path.suffix == ".parquet" else "csv"
    return export_focus(engine, settings=settings, fmt=fmt, out=path, **EVERY_DAY)


def _column_sum(rows: list[dict[str, str]], column: str) -> Decimal:
    return sum((Decimal(r[column]) for r in rows), Decimal(0))


def test_synced_team_exports_conformant_focus_with_the_generators_totals(
    engine: sa.Engine, settings: Settings, tmp_path: Path
) -> None:
    truth = _sync_demo_team(engine, settings)
    csv_path, parquet_path = tmp_path / "cursor.csv", tmp_path / "cursor.parquet"
    written = _export(engine, settings, csv_path)
    assert _export(engine, settings, parquet_path) == written > 0
    assert check_file(csv_path) == []
    assert check_file(parquet_path) == []

    with csv_path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == written
    assert _column_sum(rows, "x_Events") == truth.events
    assert _column_sum(rows, "ListCost") == truth.total_cents / 100
    assert _column_sum(rows, "ContractedCost") == truth.total_cents / 100
    assert _column_sum(rows, "EffectiveCost") == _column_sum(rows, "BilledCost")
    for column, expected in (
        ("x_InputTokens", truth.input_tokens),
        ("x_OutputTokens", truth.output_tokens),
        ("x_CacheWriteTokens", truth.cache_write_tokens),
        ("x_CacheReadTokens", truth.cache_read_tokens),
        ("x_CursorTokenFeeCents", truth.cursor_token_fee),
    ):
        assert _column_sum(rows, column) == expected, column
    assert {r["x_UserEmail"] for r in rows} == {e.lower() for e in truth.by_user}

    import_focus(engine, [parquet_path], settings=settings)
    c = cloud_costs.c
    money = ("billed_cost", "effective_cost", "list_cost", "contracted_cost")
    parts = [c[f"{m}_{unit}"] for m in money for unit in ("nanos", "picos")]
    with engine.connect() as conn:
        sums = conn.execute(sa.select(*(sa.func.sum(part) for part in parts))).one()
        imported_rows = conn.execute(sa.select(sa.func.count()).select_from(cloud_costs)).scalar()
    billed, effective, listed, contracted = (join_money(sums[i], sums[i + 1]) for i in (0, 2, 4, 6))
    assert imported_rows == written
    assert billed == effective == _column_sum(rows, "BilledCost")
    assert listed == contracted == truth.total_cents / 100


def test_summaries_hold_the_chargeable_spend_cursor_invoices(
    engine: sa.Engine, settings: Settings
) -> None:
    truth = _sync_demo_team(engine, settings)
    u = usage_daily_user.c
    with engine.connect() as conn:
        chargeable, charged = conn.execute(
            sa.select(sa.func.sum(u.chargeable_ucents), sa.func.sum(u.charged_ucents))
        ).one()
    assert from_micros(chargeable) == truth.chargeable_cents
    assert from_micros(charged) == truth.charged_cents
    assert truth.chargeable_cents < truth.charged_cents  # included events carry cents too


def test_billed_cost_is_the_chargeable_spend(
    engine: sa.Engine, settings: Settings, tmp_path: Path
) -> None:
    truth = _sync_demo_team(engine, settings)
    path = tmp_path / "cursor.csv"
    _export(engine, settings, path)
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert _column_sum(rows, "BilledCost") == truth.chargeable_cents / 100
