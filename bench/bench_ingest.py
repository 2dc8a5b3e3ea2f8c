"""Ingest throughput and memory of the sync's events path, unthrottled, SQLite and PostgreSQL.

Runs the real events lane (``sync.events.fetch_event_windows`` under
``sync.lanes.run_lanes``): a fetching thread decodes each page in one pass
(``cursor.event_page``), builds the rows and hands them over a bounded queue to the
writer (this thread), which inserts, recomputes summaries and checkpoints each
window in one transaction — planned exactly like a backfill (newest windows first,
sizes adapting to density). Instead of the network, pages are cut from event texts
generated beforehand into per-day files, so the figure is devspend's own work and
not the generator's. Peak RSS is sampled as the backfill grows (it should stay
flat). On a shared machine the wall-clock rate suffers from other load; the CPU
figure shows what this process needs per event (both threads).

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
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from devspend.cursor.client import EVENTS_PATH
from devspend.cursor.event_page import decode_events_page
from devspend.cursor.fake import SyntheticTeam
from devspend.store.engine import make_engine, normalise_url
from devspend.store.events import MS_PER_DAY, StoredEvent, day_of
from devspend.store.integrations import create_integration
from devspend.store.migrate import upgrade
from devspend.store.tables import usage_daily_detail, usage_events
from devspend.sync.convert import stored_event_text
from devspend.sync.events import RESULT, EventsOutcome, fetch_event_windows
from devspend.sync.lanes import Lane, LaneContext, WriteJob, run_lanes
from devspend.sync.plan import Window, days_to_fetch
from devspend.sync.progress import SyncProgress

PAGE = 1000
EVENTS_PER_MEMBER_DAY = 3.0
DAYS = 365


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(team: SyntheticTeam, folder: Path, *, first_day: int, last_day: int) -> int:
    """Every day's events as compact JSON lines (newest first), one file per day."""
    count = 0
    for day in range(first_day, last_day + 1):
        lo, hi = day * MS_PER_DAY, day * MS_PER_DAY + MS_PER_DAY - 1
        events = sorted(team.iter_events(start_ms=lo, end_ms=min(hi, team.end_ms)),
                        key=lambda e: -int(str(e["timestamp"])))  # fmt: skip
        lines = [json.dumps(e, separators=(",", ":"), ensure_ascii=False) for e in events]
        (folder / f"{day}.jsonl").write_text("\n".join(lines))
        count += len(lines)
    return count


def page_source(folder: Path) -> Callable[[Window], Iterator[list[StoredEvent]]]:
    """Pages of a window as Cursor would send them (1,000 events, newest first), parsed
    exactly as the events lane parses Cursor's."""

    def pages(window: Window) -> Iterator[list[StoredEvent]]:
        lines: list[str] = []
        for day in range(window.end_ms // MS_PER_DAY, window.start_ms // MS_PER_DAY - 1, -1):
            text = (folder / f"{day}.jsonl").read_text()
            lines.extend(line for line in text.split("\n") if line)
        for at in range(0, len(lines), PAGE):
            body = ('{"usageEvents":[' + ",".join(lines[at : at + PAGE]) + "]}").encode()
            yield [stored_event_text(obj, text) for obj, text in
                   decode_events_page(body)["usageEvents"]]  # fmt: skip

    return pages


def run_inline(engine: sa.Engine, ctx_for: Callable[..., LaneContext],
               source: Callable[[Window], Iterator[list[StoredEvent]]]) -> None:
    """The same lane with every write run at once on this thread: no overlap, no queue."""
    closers: list[WriteJob] = []
    ctx = ctx_for(lambda job: job(engine), closers.append)
    try:
        fetch_event_windows(ctx, pages=source)
    finally:
        for closer in closers:
            closer(engine)


def run(url: str, *, team: SyntheticTeam, folder: Path, label: str, inline: bool) -> None:
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as conn:
        iid = create_integration(
            conn, display_name="bench", api_key_encrypted=b"-", hint="key_…bench",
            history_start=None, capabilities={},
        )  # fmt: skip
    end_ms = team.end_ms
    today = day_of(end_ms)
    plan = days_to_fetch(today=today, first_day=day_of(team.history_start_ms),
                         recent_first_day=today, completed=set())  # fmt: skip
    marks = {25: "", 50: "", 75: "", 100: ""}

    def progress(update: SyncProgress) -> None:
        done = 100 * update.days_done // max(1, update.days_total)
        for mark in marks:
            if done >= mark and not marks[mark]:
                marks[mark] = f"{mark}% {update.events:,} events, peak RSS {rss_mb():.0f} MB"

    results: dict[str, object] = {}

    def context(write: Callable[[WriteJob], None],
                on_close: Callable[[WriteJob], None]) -> LaneContext:  # fmt: skip
        return LaneContext(client=None, integration_id=iid, now_ms=end_ms,  # type: ignore[arg-type]
                           wall_ms=lambda: end_ms, days=plan, lookback_start_ms=end_ms,
                           progress=progress, write=write, on_close=on_close,
                           results=results)  # fmt: skip

    source = page_source(folder)
    lane = Lane("events", EVENTS_PATH, lambda ctx: fetch_event_windows(ctx, pages=source),
                required=True)  # fmt: skip
    cpu0, wall0 = time.process_time(), time.perf_counter()
    if inline:
        run_inline(engine, context, source)
    else:
        run_lanes(engine, [lane], make_context=context, cancelled=threading.Event())
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    outcome = results[RESULT]
    assert isinstance(outcome, EventsOutcome)
    with engine.connect() as conn:
        stored = conn.execute(sa.select(sa.func.count()).select_from(usage_events)).scalar_one()
        summed = conn.execute(sa.select(sa.func.sum(usage_daily_detail.c.events))).scalar_one()
    assert stored == summed == outcome.events, (stored, summed, outcome.events)
    print(f"[{label}] stored {stored:,} events in {outcome.windows} windows")
    print(f"[{label}] ingest (decode + parse + store + summarise): {stored / wall:,.0f} events/s "
          f"({wall:.1f} s wall; {stored / cpu:,.0f} events per CPU-second of this process, "
          f"both threads, PostgreSQL server excluded)")  # fmt: skip
    print(f"[{label}] peak RSS: " + "; ".join(marks.values()))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=200_000,
                        help="approximate events to ingest (full size: 2000000)")  # fmt: skip
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg-url", default=os.environ.get("DEVSPEND_TEST_POSTGRES_URL"))
    parser.add_argument("--inline", action="store_true",
                        help="write on the fetching thread (no overlap), to compare")  # fmt: skip
    args = parser.parse_args()
    members = max(1, round(args.events / (DAYS * EVENTS_PER_MEMBER_DAY)))
    end_ms = int(datetime(2026, 11, 20, 12, tzinfo=UTC).timestamp() * 1000)
    team = SyntheticTeam(seed=3, members=members, end_ms=end_ms, days=DAYS,
                         events_per_member_day=EVENTS_PER_MEMBER_DAY, history_days=DAYS,
                         duplicate_rate=0.01)  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "pages"
        folder.mkdir()
        began = time.perf_counter()
        count = generate(team, folder, first_day=team.history_start_ms // MS_PER_DAY,
                         last_day=end_ms // MS_PER_DAY)  # fmt: skip
        print(f"{members} members, {count:,} events over {DAYS} days "
              f"(generated in {time.perf_counter() - began:.0f} s, not timed); "
              f"RSS before ingest {rss_mb():.0f} MB")  # fmt: skip
        if args.engine in ("sqlite", "both"):
            run(f"sqlite:///{Path(tmp) / 'bench.db'}", team=team, folder=folder, label="sqlite",
                inline=args.inline)  # fmt: skip
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
                run(url.render_as_string(hide_password=False), team=team, folder=folder,
                    label="postgresql", inline=args.inline)  # fmt: skip
            finally:
                with admin.begin() as conn:
                    conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()


if __name__ == "__main__":
    main()
