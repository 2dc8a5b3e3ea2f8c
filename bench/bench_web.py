"""Page and API latency of the dashboard on a large store (default 1 M events; --full: 10 M).

Builds the (daily and monthly) summary tables a real import of N events over 2,000 people × 365 days
× 40 models would leave (pages read summaries only, never raw events), then times
the overview, people and models pages and their /api/v1 twins through the real app
with a signed-in session, and prints p50/p95 per route.

    .venv/bin/python bench/bench_web.py                       # SQLite, 1 M events
    .venv/bin/python bench/bench_web.py --full                # 10 M events
    .venv/bin/python bench/bench_web.py --postgres-url postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from devspend.settings import load_settings
from devspend.store.engine import make_engine, normalise_url
from devspend.store.integrations import create_integration
from devspend.store.migrate import upgrade
from devspend.store.summaries import recompute_monthly
from devspend.store.tables import (
    MEASURE_COLUMNS,
    kinds,
    models,
    people,
    usage_coverage,
    usage_daily_detail,
    usage_daily_kind,
    usage_daily_model,
    usage_daily_user,
)
from devspend.web import identity
from devspend.web.app import create_app

END_DAY = date(2026, 11, 20)
KINDS = [("Included in Business", "included"), ("Usage-based", "usage_based"),
         ("Errored, Not Charged", "errored"), ("Free Credit (Promotional)", "other"),
         ("User API Key", "other")]  # fmt: skip
KIND_WEIGHTS = [0.62, 0.3, 0.04, 0.02, 0.02]
ROUTES = ["/", "/people", "/models", "/api/v1/overview", "/api/v1/people", "/api/v1/models"]
PASSWORD = "benchmark password"


def detail_rows(*, events: int, people_n: int, models_n: int, days: int,
                seed: int = 1) -> Iterator[dict[str, Any]]:  # fmt: skip
    """Detail-summary rows (day × person × model × kind × max) adding up to ~``events``."""
    rng = random.Random(seed)
    weights = [rng.lognormvariate(0, 1.2) for _ in range(people_n)]
    scale = sum(weights)
    mean_per_day = events / days
    favourites = [rng.sample(range(1, models_n + 1), 3) for _ in range(people_n)]
    for d in range(days):
        day = END_DAY - timedelta(days=days - 1 - d)
        season = 0.3 if day.weekday() >= 5 else 1.15
        for p in range(people_n):
            expected = mean_per_day * season * weights[p] / scale
            n = int(expected * rng.uniform(0.5, 1.5) + rng.random())
            if n <= 0:
                continue
            combos: dict[tuple[int, int, bool], int] = {}
            for _ in range(min(n, 3)):
                model = rng.choice(favourites[p]) if rng.random() < 0.85 else rng.randint(
                    1, models_n)
                kind = rng.choices(range(1, len(KINDS) + 1), KIND_WEIGHTS)[0]
                key = (model, kind, rng.random() < 0.1)
                combos[key] = combos.get(key, 0) + 1
            shares = list(combos.items())
            left = n
            for i, ((model, kind, max_mode), parts) in enumerate(shares):
                count = left if i == len(shares) - 1 else max(1, n * parts // 3)
                count = min(count, left)
                left -= count
                if count <= 0:
                    continue
                yield _measures(rng, day=day, person=p + 1, model=model, kind=kind,
                                max_mode=max_mode, count=count)  # fmt: skip


def _measures(rng: random.Random, *, day: date, person: int, model: int, kind: int,
              max_mode: bool, count: int) -> dict[str, Any]:  # fmt: skip
    total = int(count * rng.uniform(1, 9) * 1_000_000)
    category = KINDS[kind - 1][1]
    charged = total if category == "usage_based" else 0
    return {
        "integration_id": 1, "day": day, "person_id": person, "model_id": model,
        "kind_id": kind, "max_mode": max_mode, "events": count,
        "input_tokens": count * rng.randint(500, 5000), "output_tokens": count * rng.randint(
            100, 2000), "cache_write_tokens": count * rng.randint(0, 8000),
        "cache_read_tokens": count * rng.randint(0, 40000), "total_ucents": total,
        "charged_ucents": charged, "token_fee_ucents": charged // 12,
        "requests_costs_micros": count * 1_000_000, "usage_based_events":
        count if category == "usage_based" else 0, "included_events":
        count if category == "included" else 0, "errored_events":
        count if category == "errored" else 0, "other_kind_events":
        count if category == "other" else 0, "chargeable_events": count if charged else 0,
        "max_mode_events": count if max_mode else 0, "headless_events": 0,
        "token_based_events": count,
    }  # fmt: skip


def _insert(conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(table.insert(), rows)


def build_store(engine: sa.Engine, *, events: int, people_n: int, models_n: int,
                days: int) -> int:  # fmt: skip
    """Fill a migrated database with dimensions and summaries; returns detail row count."""
    now = datetime.now(UTC)
    with engine.begin() as conn:
        create_integration(conn, display_name="Bench", api_key_encrypted=b"-", hint="key_…0000",
                           history_start=END_DAY - timedelta(days=days), capabilities={})
        _insert(conn, models, [{"id": i, "name": f"model-{i:02d}"}
                               for i in range(1, models_n + 1)])  # fmt: skip
        _insert(conn, kinds, [{"id": i + 1, "name": n, "category": c}
                              for i, (n, c) in enumerate(KINDS)])  # fmt: skip
        _insert(conn, people, [
            {"id": i, "integration_id": 1, "email": f"person{i:04d}@example.com",
             "name": f"Person {i:04d}", "last_active_day": END_DAY}
            for i in range(1, people_n + 1)])  # fmt: skip
        _insert(conn, usage_coverage, [
            {"integration_id": 1, "day": END_DAY - timedelta(days=d),
             "status": "partial" if d < 2 else "complete", "updated_at": now}
            for d in range(days)])  # fmt: skip
    count, batch = 0, []
    for row in detail_rows(events=events, people_n=people_n, models_n=models_n, days=days):
        batch.append(row)
        if len(batch) >= 50_000:
            with engine.begin() as conn:
                _insert(conn, usage_daily_detail, batch)
            count += len(batch)
            batch = []
            print(f"\r  detail rows: {count:,}", end="", file=sys.stderr, flush=True)
    with engine.begin() as conn:
        _insert(conn, usage_daily_detail, batch)
    count += len(batch)
    print(file=sys.stderr)
    d = usage_daily_detail
    sums = [sa.func.sum(d.c[m]) for m in MEASURE_COLUMNS]
    with engine.begin() as conn:
        for table, key in ((usage_daily_user, "person_id"), (usage_daily_model, "model_id"),
                           (usage_daily_kind, "kind_id")):  # fmt: skip
            select = sa.select(d.c.integration_id, d.c.day, d.c[key], *sums).group_by(
                d.c.integration_id, d.c.day, d.c[key])
            conn.execute(table.insert().from_select(
                ["integration_id", "day", key, *MEASURE_COLUMNS], select))  # fmt: skip
        # the monthly summaries, by the same code a sync runs after writing its days
        recompute_monthly(conn, integration_id=1, first=END_DAY - timedelta(days=days - 1),
                          last=END_DAY)  # fmt: skip
        conn.exec_driver_sql("ANALYZE")
    return count


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(pct / 100 * len(ordered)) - 1)]


def measure(client: TestClient, *, repeats: int, cold: bool) -> list[tuple[str, float, float, int]]:
    """Latency per route; ``cold`` empties the view cache before every request."""
    cache = client.app.state.view_cache  # type: ignore[attr-defined]
    results = []
    for period in ("30d", "365d"):
        for route in ROUTES:
            url = f"{route}?range={period}"
            for _ in range(1 if cold else 2):
                assert client.get(url).status_code == 200, url
            timings = []
            size = 0
            for _ in range(repeats):
                if cold:
                    cache.clear()
                start = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - start) * 1000)
                size = len(response.content)
            results.append((url, statistics.median(timings), percentile(timings, 95), size))
    return results


@contextmanager
def database(
    kind: str, postgres_url: str | None, folder: Path, keep_schema: str | None = None
) -> Iterator[sa.Engine]:
    if kind == "sqlite":
        engine = make_engine(f"sqlite:///{folder / 'bench.db'}")
        upgrade(engine)
        yield engine
        engine.dispose()
        return
    assert postgres_url
    schema = keep_schema or f"bench_{uuid.uuid4().hex[:12]}"
    admin = make_engine(postgres_url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    url = sa.engine.make_url(normalise_url(postgres_url)).update_query_dict(
        {"options": f"-csearch_path={schema}"})
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        if keep_schema is None:
            with admin.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def _has_data(engine: sa.Engine) -> bool:
    with engine.connect() as conn:
        return bool(conn.execute(sa.select(sa.func.count()).select_from(people)).scalar_one())


def run(kind: str, args: argparse.Namespace) -> None:
    events = 10_000_000 if args.full else args.events
    keep = Path(args.keep_sqlite_dir) if kind == "sqlite" and args.keep_sqlite_dir else None
    schema = args.keep_postgres_schema if kind == "postgresql" else None
    with tempfile.TemporaryDirectory() as tmp, database(
        kind, args.postgres_url, keep or Path(tmp), schema
    ) as engine:
        if (keep is not None or schema is not None) and _has_data(engine):
            print(f"[{kind}] reusing the kept store", flush=True)
        else:
            started = time.perf_counter()
            rows = build_store(engine, events=events, people_n=args.people,
                               models_n=args.models, days=365)  # fmt: skip
            print(f"[{kind}] store of ~{events:,} events: {rows:,} detail rows, built in "
                  f"{time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip
        settings = load_settings(data_dir=Path(tmp) / "data", secret_key="x" * 32)
        app = create_app(settings, engine=engine,
                         clock=lambda: datetime(2026, 11, 20, 12, tzinfo=UTC))  # fmt: skip
        email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
        identity.add_user(engine, email=email, password=PASSWORD, role="viewer",
                          now=datetime.now(UTC))  # fmt: skip
        with TestClient(app, client=("127.0.0.1", 1)) as client:
            token = client.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
            signed = client.post("/login", data={"email": email,
                                                 "password": PASSWORD, "csrf_token": token},
                                 follow_redirects=False)  # fmt: skip
            assert signed.status_code == 303
            for cold in (True, False):
                label = "cold: view cache emptied before each request" if cold else (
                    "warm: data unchanged since the last request (view cache hit)")
                print(f"[{kind}] {label}", flush=True)
                print(f"{'route':38} {'p50 ms':>8} {'p95 ms':>8} {'bytes':>9}", flush=True)
                repeats = args.cold_repeats if cold else args.repeats
                for url, p50, p95, size in measure(client, repeats=repeats, cold=cold):
                    print(f"{url:38} {p50:8.1f} {p95:8.1f} {size:9,}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="10 M events (default 1 M)")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--models", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=20, help="timed requests per route")
    parser.add_argument("--cold-repeats", type=int, default=5,
                        help="timed uncached requests per route (slow at 10 M)")
    parser.add_argument("--keep-sqlite-dir", default=None,
                        help="build the SQLite store here and reuse it on later runs")
    parser.add_argument("--keep-postgres-schema", default=None,
                        help="build the PostgreSQL store in this schema and keep it for reruns")
    parser.add_argument("--postgres-url", default=None, help="also measure on PostgreSQL")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    if not args.skip_sqlite:
        run("sqlite", args)
    if args.postgres_url:
        run("postgresql", args)


if __name__ == "__main__":
    main()
