"""How long ``devspend alerts check`` takes on a large store (default 1 M events; --full: 10 M).

Builds the summaries of N events over 2,000 people × 365 days × 40 models (the same store
as ``bench_web.py``), adds what the rules read besides usage — a spend snapshot with
per-user limits for everyone, team and cost-center allocations, five budgets of every
scope — and times ``run_check`` (evaluate every rule, record new alerts; no channel,
so nothing is sent): the first check (records its alerts) and later ones (all known).

    .venv/bin/python bench/bench_alerts_check.py [--full] [--postgres-url URL] [--skip-sqlite]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from bench_web import build_store, database
from devspend.alerts.check import run_check
from devspend.settings import load_settings
from devspend.store import alerts as store
from devspend.store.cloud_tables import allocations
from devspend.store.tables import integrations, member_spend

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def prepare(engine: sa.Engine, people_n: int) -> None:
    cycle = datetime(2026, 11, 1, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(integrations.update().values(watermark_ms=int(NOW.timestamp() * 1000)))
        conn.execute(member_spend.insert(), [
            {"integration_id": 1, "cycle_start": cycle, "email": f"person{i:04d}@example.com",
             "taken_at": NOW, "spend_ucents": i * 37_000_000, "monthly_limit_dollars": 250,
             "effective_per_user_limit_dollars": 250, "raw": "{}"}
            for i in range(1, people_n + 1)])  # fmt: skip
        conn.execute(allocations.delete())  # bench_web allocates too: use these teams
        conn.execute(allocations.insert(), [
            {"email": f"person{i:04d}@example.com", "team": f"team-{i % 20:02d}",
             "cost_center": f"cc-{i % 5}", "source": "manual", "updated_at": NOW}
            for i in range(1, people_n + 1)])  # fmt: skip
        for name, kind, value, figure in (
            ("all", "all", None, "cost"), ("integration", "integration", "1", "on_demand"),
            ("team", "team", "team-03", "on_demand"), ("cc", "cost_center", "cc-2", "usage_value"),
            ("person", "person", "person0042@example.com", "usage_value"),
        ):  # fmt: skip
            store.create_budget(conn, name=name, amount_ucents=10**11, period="cycle",
                                scope_kind=kind, scope_value=value, figure=figure,
                                thresholds=(50, 80, 100), forecast_alert=True, now=NOW)


def run(kind: str, args: argparse.Namespace) -> None:
    events = 10_000_000 if args.full else args.events
    with tempfile.TemporaryDirectory() as tmp, database(kind, args.postgres_url,
                                                        Path(tmp)) as engine:  # fmt: skip
        started = time.perf_counter()
        rows = build_store(engine, events=events, people_n=args.people, models_n=40, days=365)
        prepare(engine, args.people)
        print(f"[{kind}] store of ~{events:,} events ({rows:,} detail rows) built in "
              f"{time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip
        settings = load_settings(data_dir=Path(tmp) / "data", secret_key="x" * 32)
        timings = []
        for i in range(args.repeats + 1):
            t0 = time.perf_counter()
            report = run_check(engine, settings, now=NOW + timedelta(seconds=i))
            timings.append(time.perf_counter() - t0)
            if i == 0:
                print(f"[{kind}] first check: {timings[0]:.2f} s, {len(report.found)} alerts "
                      f"found ({len(report.new)} new)", flush=True)  # fmt: skip
        later = timings[1:]
        print(f"[{kind}] later checks: median {statistics.median(later):.2f} s, "
              f"max {max(later):.2f} s over {len(later)} runs", flush=True)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="10 M events (default 1 M)")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--postgres-url", default=None, help="also measure on PostgreSQL")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    if not args.skip_sqlite:
        run("sqlite", args)
    if args.postgres_url:
        run("postgresql", args)


if __name__ == "__main__":
    main()
