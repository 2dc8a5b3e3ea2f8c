"""FOCUS import throughput and peak memory on a generated FOCUS 1.0 CSV.

    .venv/bin/python bench/bench_focus_import.py                 # 1,000,000 rows
    .venv/bin/python bench/bench_focus_import.py --rows 100000   # quick run

The CSV is streamed to a temporary file (never held in memory), then imported in a
child process per database so each peak RSS (``ru_maxrss``) belongs to one import.
SQLite always; PostgreSQL too when ``DEVSPEND_TEST_POSTGRES_URL`` is set (a
throw-away schema is created and dropped). Prints rows/s, peak RSS and whether the
stored Σ BilledCost equals the generated one exactly. Also prints the importing
process's CPU seconds and rows per CPU second: on a shared, loaded machine wall time
swings by 2-3x between runs, CPU time much less (PostgreSQL's own work is not in it).
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing
import os
import random
import resource
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from devspend.focus.importer import import_focus
from devspend.money import join_money
from devspend.settings import load_settings
from devspend.store.cloud_tables import cloud_costs
from devspend.store.engine import make_engine, normalise_url, open_database

COLUMNS = (
    "BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency",
    "BillingPeriodEnd", "BillingPeriodStart", "ChargeCategory", "ChargeClass",
    "ChargeDescription", "ChargeFrequency", "ChargePeriodEnd", "ChargePeriodStart",
    "ConsumedQuantity", "ConsumedUnit", "ContractedCost", "EffectiveCost", "InvoiceIssuerName",
    "ListCost", "PricingQuantity", "PricingUnit", "ProviderName", "PublisherName", "RegionId",
    "ResourceId", "ServiceCategory", "ServiceName", "SkuId", "SubAccountId", "Tags",
)  # fmt: skip
SERVICES = (
    ("Amazon Elastic Compute Cloud", "Compute"), ("Amazon Simple Storage Service", "Storage"),
    ("Amazon Relational Database Service", "Databases"), ("AWS Lambda", "Compute"),
    ("Amazon CloudFront", "Networking"), ("Amazon Bedrock", "AI and Machine Learning"),
)  # fmt: skip
OWNERS = ("alice@example.com", "bob@example.com", "platform", "web", None)


def generate(path: Path, rows: int, seed: int = 7) -> Decimal:
    """Write ``rows`` FOCUS rows for one account-month; return Σ BilledCost exactly."""
    rng = random.Random(seed)
    total = Decimal(0)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for i in range(rows):
            hour = i % (30 * 24)
            day, hh = divmod(hour, 24)
            start = f"2025-06-{day + 1:02d} {hh:02d}:00:00"
            end = f"2025-06-{day + 1:02d} {hh:02d}:59:59" if hh == 23 else (
                f"2025-06-{day + 1:02d} {hh + 1:02d}:00:00"
            )
            service, category = SERVICES[i % len(SERVICES)]
            cost = Decimal(rng.randrange(0, 10**9)).scaleb(-11)
            total += cost
            owner = OWNERS[i % len(OWNERS)]
            tags = f'{{"owner": "{owner}", "env": "prod"}}' if owner else "NULL"
            writer.writerow((
                cost, "123456789012", "Bench", "USD", "2025-07-01 00:00:00",
                "2025-06-01 00:00:00", "Usage", "NULL", f"{service} usage", "Usage-Based", end,
                start, "1.5", "Hours", cost, cost, "Amazon Web Services, Inc.", cost, "1.5",
                "Hours", "AWS", "Amazon Web Services, Inc.", "us-east-1",
                f"arn:aws:ec2:us-east-1:123456789012:instance/i-{i:017x}", category, service,
                f"SKU{i % 97}", f"{100000000000 + i % 13}", tags,
            ))  # fmt: skip
    return total


def _import(url: str, path: Path, chunk_rows: int, queue: multiprocessing.Queue[object]) -> None:
    settings = load_settings(database_url=url, data_dir=path.parent, secret_key="x" * 32)
    engine = open_database(url)
    started, cpu_started = time.perf_counter(), time.process_time()
    report = import_focus(engine, [path], settings=settings, chunk_rows=chunk_rows)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    c = cloud_costs.c
    with engine.connect() as conn:
        nanos, picos = conn.execute(
            sa.select(sa.func.sum(c.billed_cost_nanos), sa.func.sum(c.billed_cost_picos))
        ).one()
    engine.dispose()
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queue.put((report.rows, elapsed, cpu, peak_kib, str(join_money(nanos, picos))))


def run(name: str, url: str, path: Path, chunk_rows: int, expected: Decimal) -> None:
    context = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue[object] = context.Queue()
    child = context.Process(target=_import, args=(url, path, chunk_rows, queue))
    child.start()
    child.join()
    if child.exitcode != 0:
        raise SystemExit(f"{name}: the import failed (exit code {child.exitcode})")
    rows, elapsed, cpu, peak_kib, total = queue.get()  # type: ignore[misc]
    exact = "exact" if Decimal(total) == expected else f"MISMATCH {total} != {expected}"
    print(
        f"{name:10s} {rows:>10,} rows  {elapsed:7.1f} s  {rows / elapsed:>9,.0f} rows/s  "
        f"(CPU {cpu:6.1f} s, {rows / cpu:>9,.0f} rows/CPU-s)  "
        f"peak RSS {peak_kib / 1024:6.0f} MiB  ΣBilledCost {exact}"
    )


def _postgres_schema_url(base: str) -> tuple[str, str]:
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    url = sa.engine.make_url(normalise_url(base)).update_query_dict(
        {"options": f"-csearch_path={schema}"}
    )
    return url.render_as_string(hide_password=False), schema


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--chunk-rows", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "focus-bench.csv"
        started = time.perf_counter()
        expected = generate(path, args.rows)
        print(
            f"generated {args.rows:,} rows, {path.stat().st_size / 2**20:,.0f} MiB "
            f"in {time.perf_counter() - started:.1f} s (chunk {args.chunk_rows:,} rows)"
        )
        run("sqlite", f"sqlite:///{folder / 'bench.db'}", path, args.chunk_rows, expected)
        base = os.environ.get("DEVSPEND_TEST_POSTGRES_URL")
        if base:
            url, schema = _postgres_schema_url(base)
            try:
                run("postgresql", url, path, args.chunk_rows, expected)
            finally:
                admin = make_engine(base)
                with admin.begin() as conn:
                    conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()


if __name__ == "__main__":
    main()
