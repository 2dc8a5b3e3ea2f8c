"""Cold and warm latency of every report page and its JSON twin on a large store.

Builds the (daily and monthly) summary tables a real import of N events over 2,000
people × 365 days × 40 models would leave (pages read summaries only, never raw
events), allocates the people to 20 teams, then times ``/``, ``/people``, ``/models``,
``/teams``, ``/spend``, one ``/people/{email}`` and their ``/api/v1`` twins through the
real app with a signed-in session — each without and with a team filter, for the
presets and a custom range that starts and ends mid-month — and prints one table of
p50/p95 per route, cold and warm:

- cold: the view cache is emptied before every request, and a custom range is shifted
  by one day per request, so every timed request asks for a period nobody asked before;
- warm: the same request again with data unchanged (a view cache hit).

    .venv/bin/python bench/bench_web.py                       # SQLite, 1 M events (~2 min)
    .venv/bin/python bench/bench_web.py --events 1000000 --events 10000000   # both sizes
    .venv/bin/python bench/bench_web.py --full                # 10 M events
    .venv/bin/python bench/bench_web.py --postgres-url postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/bench_web.py --keep-sqlite-dir /tmp/bw --ranges 30d,365d,custom

With two sizes the table gains the 10 M / 1 M ratio of cold p95 (the aim: within 1.3×,
a page's cost growing with people × days, not with events).
"""

from __future__ import annotations

import argparse
import math
import random
import re
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
from devspend.store.cloud_tables import allocations
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
TEAMS = 20
BENCH_TEAM = "team-03"
# person 3 is in team-03, so the person page answers with and without the team filter
BENCH_PERSON = "person0003@example.com"
PAGES = [("/", "/api/v1/overview"), ("/people", "/api/v1/people"), ("/models", "/api/v1/models"),
         ("/teams", "/api/v1/teams"), ("/spend", "/api/v1/spend"),
         (f"/people/{BENCH_PERSON}", f"/api/v1/people/{BENCH_PERSON}")]  # fmt: skip
ROUTES = [r for pair in PAGES for r in pair]
# a custom range starting and ending mid-month: daily rows at both edges, monthly between
CUSTOM = (date(2026, 1, 17), date(2026, 10, 9))
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
        "token_based_events": count, "chargeable_ucents": charged,
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
        _insert(conn, allocations, [
            {"email": f"person{i:04d}@example.com", "team": f"team-{i % TEAMS:02d}",
             "cost_center": f"cc-{i % 5}", "source": "manual", "updated_at": now}
            for i in range(1, people_n + 1)])  # fmt: skip
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


def range_params(period: str, shift: int = 0) -> str:
    """Query parameters of a preset, or of the custom range moved ``shift`` days back."""
    if period != "custom":
        return f"range={period}"
    first, last = (d - timedelta(days=shift) for d in CUSTOM)
    return f"range=custom&start={first.isoformat()}&end={last.isoformat()}"


def measure(
    client: TestClient, *, ranges: list[str], filters: list[str], repeats: int,
    cold_repeats: int,
) -> Iterator[dict[str, Any]]:  # fmt: skip
    """Cold and warm timings of every route × filter × range."""
    cache = client.app.state.view_cache  # type: ignore[attr-defined]
    shift = 0
    for period in ranges:
        for flt in filters:
            extra = f"&team={flt}" if flt else ""
            for route in ROUTES:
                cold, cpu = [], []
                for _ in range(cold_repeats):
                    shift += 1
                    url = f"{route}?{range_params(period, shift)}{extra}"
                    cache.clear()
                    started, used = time.perf_counter(), time.process_time()
                    response = client.get(url)
                    cold.append((time.perf_counter() - started) * 1000)
                    cpu.append((time.process_time() - used) * 1000)
                    assert response.status_code == 200, (url, response.status_code)
                url = f"{route}?{range_params(period)}{extra}"
                response = client.get(url)
                assert response.status_code == 200, url
                warm = []
                for _ in range(repeats):
                    started = time.perf_counter()
                    response = client.get(url)
                    warm.append((time.perf_counter() - started) * 1000)
                yield {"route": route, "range": period, "filter": flt or "-",
                       "cold_p50": statistics.median(cold), "cold_p95": percentile(cold, 95),
                       "cold_cpu": statistics.median(cpu),
                       "warm_p50": statistics.median(warm), "warm_p95": percentile(warm, 95),
                       "bytes": len(response.content)}  # fmt: skip


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


def run(kind: str, events: int, args: argparse.Namespace) -> list[dict[str, Any]]:
    keep = Path(args.keep_sqlite_dir) if kind == "sqlite" and args.keep_sqlite_dir else None
    schema = (f"{args.keep_postgres_schema}_{events}"
              if kind == "postgresql" and args.keep_postgres_schema else None)  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        folder = keep / str(events) if keep else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        with database(kind, args.postgres_url, folder, schema) as engine:
            if (keep is not None or schema is not None) and _has_data(engine):
                print(f"[{kind} {events:,}] reusing the kept store", file=sys.stderr, flush=True)
            else:
                started = time.perf_counter()
                rows = build_store(engine, events=events, people_n=args.people,
                                   models_n=args.models, days=365)  # fmt: skip
                print(f"[{kind} {events:,}] {rows:,} detail rows, built in "
                      f"{time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
            return list(_timed(kind, events, engine, Path(tmp), args))


def _timed(
    kind: str, events: int, engine: sa.Engine, tmp: Path, args: argparse.Namespace
) -> Iterator[dict[str, Any]]:
    settings = load_settings(data_dir=tmp / "data", secret_key="x" * 32)
    app = create_app(settings, engine=engine,
                     clock=lambda: datetime(2026, 11, 20, 12, tzinfo=UTC))  # fmt: skip
    email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
    identity.add_user(engine, email=email, password=PASSWORD, role="viewer",
                      now=datetime.now(UTC))  # fmt: skip
    with TestClient(app, base_url="http://localhost", client=("127.0.0.1", 50000)) as client:
        login = client.get("/login")
        found = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
        assert found, (login.status_code, login.text[:300])
        token = found.group(1)
        signed = client.post("/login", data={"email": email,
                                             "password": PASSWORD, "csrf_token": token},
                             follow_redirects=False)  # fmt: skip
        assert signed.status_code == 303
        filters = ["", BENCH_TEAM] if not args.no_team else [""]
        for row in measure(client, ranges=args.ranges.split(","), filters=filters,
                           repeats=args.repeats, cold_repeats=args.cold_repeats):  # fmt: skip
            row.update(engine=kind, events=events)
            print(f"  {kind} {events:>10,} {row['route']:45} {row['filter']:8} {row['range']:7} "
                  f"cold {row['cold_p95']:7.1f}  warm {row['warm_p95']:6.1f}",
                  file=sys.stderr, flush=True)  # fmt: skip
            yield row


def print_table(rows: list[dict[str, Any]], *, aim_ms: float) -> None:
    """One table: per engine, route, filter and range the cold and warm p50/p95 of every
    size, and (two sizes or more) the largest/smallest ratio of cold p95."""
    sizes = sorted({r["events"] for r in rows})
    by = {(r["engine"], r["route"], r["filter"], r["range"], r["events"]): r for r in rows}
    keys = sorted({(r["engine"], r["route"], r["filter"], r["range"]) for r in rows},
                  key=lambda k: (k[0], ROUTES.index(k[1]), k[2], k[3]))  # fmt: skip
    head = f"{'engine':10} {'route':42} {'team':8} {'range':7}"
    for size in sizes:
        label = f"{size / 1e6:g}M"
        head += f" | {label + ' cold p50':>13} {'p95':>6} {'cpu':>5} {'warm p50':>8} {'p95':>5}"
    if len(sizes) > 1:
        head += f" | {'ratio':>5}"
    print(head)
    print("-" * len(head))
    misses = 0
    for key in keys:
        line = f"{key[0]:10} {key[1]:42} {key[2]:8} {key[3]:7}"
        for size in sizes:
            r = by.get((*key, size))
            if r is None:
                line += f" | {'':>13} {'':>6} {'':>5} {'':>8} {'':>5}"
                continue
            flag = "*" if r["cold_p95"] >= aim_ms else " "
            misses += r["cold_p95"] >= aim_ms
            line += (f" | {r['cold_p50']:13.0f} {r['cold_p95']:5.0f}{flag} {r['cold_cpu']:5.0f} "
                     f"{r['warm_p50']:8.1f} {r['warm_p95']:5.1f}")  # fmt: skip
        if len(sizes) > 1:
            low, high = by.get((*key, sizes[0])), by.get((*key, sizes[-1]))
            if low and high:
                line += f" | {high['cold_p95'] / low['cold_p95']:5.2f}"
        print(line)
    print(f"ms; cpu: median CPU time of this process per cold request (SQLite runs in it, so "
          f"this is less sensitive to other load than wall time; PostgreSQL's own work is not "
          f"in it); * cold p95 at or above the {aim_ms:g} ms aim ({misses} of {len(rows)}); "
          f"on a shared machine rerun and compare medians")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="10 M events (default 1 M)")
    parser.add_argument("--events", type=int, action="append",
                        help="store size in events (repeat for several; default 1 M)")
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--models", type=int, default=40)
    parser.add_argument("--ranges", default="30d,365d,custom",
                        help="comma-separated presets (7d,30d,90d,this_month,last_month,365d) "
                        "and/or custom (mid-month start and end)")
    parser.add_argument("--no-team", action="store_true", help="skip the team-filtered runs")
    parser.add_argument("--repeats", type=int, default=10, help="timed warm requests per route")
    parser.add_argument("--cold-repeats", type=int, default=5,
                        help="timed uncached requests per route (slow at 10 M)")
    parser.add_argument("--aim-ms", type=float, default=150.0, help="cold p95 aim to flag")
    parser.add_argument("--keep-sqlite-dir", default=None,
                        help="build the SQLite stores here and reuse them on later runs")
    parser.add_argument("--keep-postgres-schema", default=None,
                        help="build the PostgreSQL stores in schemas with this prefix and keep "
                        "them for reruns")
    parser.add_argument("--postgres-url", default=None, help="also measure on PostgreSQL")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    sizes = args.events or [10_000_000 if args.full else 1_000_000]
    rows: list[dict[str, Any]] = []
    for events in sizes:
        if not args.skip_sqlite:
            rows += run("sqlite", events, args)
        if args.postgres_url:
            rows += run("postgresql", events, args)
    print_table(rows, aim_ms=args.aim_ms)


if __name__ == "__main__":
    main()
