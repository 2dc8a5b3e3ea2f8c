"""Ingest throughput and memory of the sync write path (parse + store + summarise).

Feeds the real write path — ``decode_json`` → ``parse_usage_event`` → ``stored_event``
→ ``WindowWriter`` (bulk insert, summaries, checkpoint in one transaction per
window) — with pages of 1,000 events from the fake's generator, in-process and
without rate limits, planned exactly like a backfill (newest windows first, sizes
adapting to density). Generating and JSON-encoding the pages (the network's job)
is excluded from the timed figure; peak RSS covers the whole process. On a shared
machine the wall-clock rate suffers from other load; the CPU-time rate shows what
this process needs per event.

    .venv/bin/python bench/bench_ingest.py                      # 200k events, SQLite + PG
    .venv/bin/python bench/bench_ingest.py --events 2000000     # the full-size run
    .venv/bin/python bench/bench_ingest.py --engine sqlite

PostgreSQL comes from ``--pg-url`` or ``DEVSPEND_TEST_POSTGRES_URL`` (a throwaway
schema is created and dropped).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from devspend.cursor.fake import SyntheticTeam
from devspend.cursor.schemas import decode_json, parse_usage_event
from devspend.store.checkpoints import record_window
from devspend.store.dimensions import Dimensions
from devspend.store.engine import make_engine, normalise_url
from devspend.store.events import WindowStats, WindowWriter, day_of
from devspend.store.integrations import create_integration
from devspend.store.migrate import upgrade
from devspend.store.usage import UsageScope, usage_total
from devspend.sync.convert import stored_event
from devspend.sync.plan import WindowPlanner, days_to_fetch

PAGE = 1000
EVENTS_PER_MEMBER_DAY = 3.0
DAYS = 365


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pages(team: SyntheticTeam, start_ms: int, end_ms: int) -> Iterator[bytes]:
    """The window's events as API response bodies of 1,000 events (newest first)."""
    batch: list[dict[str, object]] = []
    for event in team.iter_events(start_ms=start_ms, end_ms=end_ms):
        batch.append(event)
        if len(batch) == PAGE:
            yield json.dumps({"usageEvents": batch}).encode()
            batch = []
    if batch:
        yield json.dumps({"usageEvents": batch}).encode()


def run(url: str, *, events: int, label: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    members = max(1, round(events / (DAYS * EVENTS_PER_MEMBER_DAY)))
    end_ms = int(datetime(2026, 11, 20, 12, tzinfo=UTC).timestamp() * 1000)
    team = SyntheticTeam(seed=3, members=members, end_ms=end_ms, days=DAYS,
                         events_per_member_day=EVENTS_PER_MEMBER_DAY, history_days=DAYS,
                         duplicate_rate=0.01)  # fmt: skip
    with engine.begin() as conn:
        iid = create_integration(
            conn, display_name="bench", api_key_encrypted=b"-", hint="key_…bench",
            history_start=None, capabilities={},
        )  # fmt: skip
    today = day_of(end_ms)
    first = day_of(team.history_start_ms)
    plan = days_to_fetch(today=today, first_day=first, recent_first_day=today, completed=set())
    planner = WindowPlanner(plan, now_ms=end_ms, lookback_start_ms=end_ms)
    dims = Dimensions(iid)
    split = dict.fromkeys(("parse", "convert", "write", "commit"), 0.0)
    cpu = 0.0  # this process's CPU time in the timed parts: what an idle core would take
    stored = 0
    windows = 0
    started = time.perf_counter()
    checkpoints = {25: False, 50: False, 75: False}
    print(f"[{label}] {members} members, ~{events:,} events over {len(plan)} days")
    while (window := planner.next_window()) is not None:
        with WindowWriter(engine, integration_id=iid, start_ms=window.start_ms,
                          end_ms=window.end_ms, dimensions=dims) as writer:  # fmt: skip
            for body in pages(team, window.start_ms, window.end_ms):
                c0 = time.process_time()
                t0 = time.perf_counter()
                parsed = [parse_usage_event(e) for e in decode_json(body)["usageEvents"]]
                t1 = time.perf_counter()
                rows = [stored_event(e) for e in parsed]
                t2 = time.perf_counter()
                writer.add(rows)
                t3 = time.perf_counter()
                split["parse"] += t1 - t0
                split["convert"] += t2 - t1
                split["write"] += t3 - t2
                cpu += time.process_time() - c0
            c0 = time.process_time()
            t0 = time.perf_counter()

            def checkpoint(conn: sa.Connection, stats: WindowStats) -> None:
                record_window(conn, integration_id=iid, start_ms=stats.start_ms,
                              end_ms=stats.end_ms, events=stats.events)  # fmt: skip

            stats = writer.commit(checkpoint)
            split["commit"] += time.perf_counter() - t0
            cpu += time.process_time() - c0
        planner.observe(window, stats.events)
        stored += stats.events
        windows += 1
        done = 100 * planner.days_done // max(1, planner.days_total)
        for mark in checkpoints:
            if done >= mark and not checkpoints[mark]:
                checkpoints[mark] = True
                print(f"[{label}]   {mark}% of days: {stored:,} events, peak RSS {rss_mb():.0f} MB")
    wall = time.perf_counter() - started
    timed = sum(split.values())
    with engine.connect() as conn:
        total = usage_total(conn, UsageScope(start=first, end=today, integration_id=iid))
    assert total.events == stored, (total.events, stored)
    print(f"[{label}] stored {stored:,} events in {windows} windows")
    print(f"[{label}] ingest (parse + store + summarise): {stored / timed:,.0f} events/s "
          f"({timed:.1f} s)")  # fmt: skip
    print(f"[{label}]   per CPU-second of this process (excludes the PostgreSQL server): "
          f"{stored / cpu:,.0f} events/s")  # fmt: skip
    print(f"[{label}]   split: " + ", ".join(f"{k} {v:.1f} s" for k, v in split.items()))
    print(f"[{label}] wall incl. generating pages: {wall:.1f} s; peak RSS {rss_mb():.0f} MB")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=200_000,
                        help="approximate events to ingest (full size: 2000000)")  # fmt: skip
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg-url", default=os.environ.get("DEVSPEND_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    if args.engine in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            run(f"sqlite:///{Path(tmp) / 'bench.db'}", events=args.events, label="sqlite")
    if args.engine in ("postgresql", "both"):
        if not args.pg_url:
            print("[postgresql] skipped: pass --pg-url or set DEVSPEND_TEST_POSTGRES_URL")
            return
        schema = f"bench_{uuid.uuid4().hex[:12]}"
        admin = make_engine(args.pg_url)
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        url = sa.engine.make_url(normalise_url(args.pg_url)).update_query_dict(
            {"options": f"-csearch_path={schema}"}
        )
        try:
            run(url.render_as_string(hide_password=False), events=args.events, label="postgresql")
        finally:
            with admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


if __name__ == "__main__":
    main()
