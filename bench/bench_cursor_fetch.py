"""Benchmark: a team's whole first sync (and its connect) against the fake at Cursor's limits.

The fake runs in its own process (``devspend fake-cursor``) with Cursor's documented
limits — 60/min usage events, 20/min every other endpoint — on a compressed
"minute"; devspend runs ``connect`` and then ``sync`` in this process, with its own
clock compressed the same way (its pacer's minute is the fake's minute). Reports

  * the whole sync's wall time ÷ its bound: the bound is the largest, over the
    endpoints, of requests sent ÷ that endpoint's limit (minutes, times the
    compressed minute), i.e. how long the sync must take at the limits even if
    every endpoint ran side by side;
  * the same for ``connect`` (which probes every endpoint and finds the history
    start), plus its wall time;
  * requests per endpoint, 429s, events stored versus the fake's ground truth.

    .venv/bin/python bench/bench_cursor_fetch.py                # 200 members, 365 days, 6 s minute
    .venv/bin/python bench/bench_cursor_fetch.py --quick        # 50 members, 90 days
    .venv/bin/python bench/bench_cursor_fetch.py --minute 12    # less compressed

Pick a minute long enough that the machine is not the bottleneck: the bound assumes
parsing and storing keep up with the limits (on a loaded 2-core machine a 200-member
year needs ~10 s of CPU for ingest alone).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import sqlalchemy as sa

from devspend.cursor.check import check_key
from devspend.cursor.client import ENDPOINTS, EVENTS_PATH, CursorClient
from devspend.cursor.clock import SystemClock
from devspend.cursor.endpoints import list_members
from devspend.settings import load_settings
from devspend.store.engine import make_engine
from devspend.store.migrate import upgrade
from devspend.store.tables import usage_events
from devspend.sync.progress import SyncProgress
from devspend.sync.service import connect_cursor, run_sync

KEY = "key_fake_bench_0001"
DOCUMENTED = {e.path: 60 if e.events_limit else 20 for e in ENDPOINTS}


class CompressedClock(SystemClock):
    """The client's clock running ``60 / minute`` times faster than the wall's."""

    def __init__(self, minute: float) -> None:
        self._scale = 60.0 / minute

    def monotonic(self) -> float:
        return time.monotonic() * self._scale

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds / self._scale)


def start_fake(members: int, days: int, minute: float) -> tuple[subprocess.Popen[str], str]:
    devspend = str(Path(sys.executable).parent / "devspend")
    process = subprocess.Popen(
        [devspend, "fake-cursor", "--port", "0", "--seed", "7", "--members", str(members),
         "--days", str(days), "--key", KEY, "--minute-seconds", str(minute)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    for line in process.stdout:
        match = re.search(r"http://127\.0\.0\.1:\d+", line)
        if match:
            return process, match.group(0)
    raise SystemExit("the fake did not start")


def bound_seconds(sent: Counter[str], minute: float) -> tuple[float, str]:
    """The largest requests ÷ limit over the endpoints, in (compressed) seconds."""
    path, worst = max(((p, n / DOCUMENTED[p]) for p, n in sent.items()),
                      key=lambda item: item[1], default=("-", 0.0))  # fmt: skip
    return worst * minute, path


def report(label: str, wall: float, sent: Counter[str], limited: int, minute: float) -> None:
    bound, path = bound_seconds(sent, minute)
    per_endpoint = ", ".join(f"{p.rsplit('/', 1)[-1]} {n}" for p, n in sorted(sent.items()))
    print(f"{label:8s} wall {wall:7.2f} s   bound {bound:7.2f} s ({path})   "
          f"wall/bound {wall / bound if bound else float('nan'):.3f}")  # fmt: skip
    print(f"{'':8s} requests: {per_endpoint}; 429s {limited}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50 members, 90 days")
    parser.add_argument("--members", type=int, default=None)
    parser.add_argument("--days", type=int, default=None)
    parser.add_argument("--minute", type=float, default=6.0, help="the compressed minute (s)")
    args = parser.parse_args()
    members = args.members or (50 if args.quick else 200)
    days = args.days or (90 if args.quick else 365)
    process, url = start_fake(members, days, args.minute)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            settings = load_settings(
                data_dir=Path(tmp), database_url=f"sqlite:///{Path(tmp) / 'bench.db'}",
                secret_key="bench", cursor_base_url=url, backfill_days=min(days, 365),
            )  # fmt: skip
            engine = make_engine(settings.effective_database_url)
            upgrade(engine)
            print(f"team: {members} members, {days} days; minute {args.minute:g} s; "
                  f"limits 60/min usage events, 20/min the rest; pid {os.getpid()}")  # fmt: skip
            # connect's calls (validate_key: members, then check_key), counted, on the
            # real 60 s minute: they must fit in one burst either way
            now_ms = int(time.time() * 1000)
            with CursorClient.from_settings(settings, api_key=KEY) as client:
                began = time.monotonic()
                list_members(client)
                check_key(client, now_ms=now_ms, lookback_days=settings.backfill_days)
                wall = time.monotonic() - began
                report("connect", wall, client.stats.sent,
                       sum(client.stats.rate_limited.values()), 60.0)  # fmt: skip
            time.sleep(args.minute)  # a fresh minute on the fake for the real connect + sync
            began = time.monotonic()
            connected = connect_cursor(engine, settings, api_key=KEY, team_name="bench")
            print(f"{'':8s} connect_cursor itself: {time.monotonic() - began:.2f} s; "
                  f"history from {connected.check.history_start}")  # fmt: skip
            time.sleep(args.minute)
            began = time.monotonic()
            phases: dict[str, float] = {}

            def progress(update: SyncProgress) -> None:
                phases.setdefault(update.phase, time.monotonic() - began)
                if os.environ.get("BENCH_TRACE"):  # one line per progress update
                    print(f"  {time.monotonic() - began:6.2f} s {update.phase} "
                          f"{update.events} events, {update.windows} windows")

            result = run_sync(engine, settings, integration_id=connected.integration_id,
                              clock=CompressedClock(args.minute), progress=progress)  # fmt: skip
            wall = time.monotonic() - began
            assert result.ok, result.message
            with engine.connect() as conn:
                stored = conn.execute(sa.select(sa.func.count()).select_from(usage_events))
                count = stored.scalar_one()
            sent = Counter(result.requests)
            report("sync", wall, sent, result.rate_limited, args.minute)
            print(f"{'':8s} events stored {count:,} in {result.windows} windows "
                  f"({count / wall:,.0f} events/s of wall time); notes {result.notes or 'none'}")
            print(f"{'':8s} phases began at: "
                  + ", ".join(f"{name} {at:.2f} s" for name, at in phases.items()))
            sent_events = sent[EVENTS_PATH]
            print(f"{'':8s} usage events: {sent_events} requests = "
                  f"{sent_events / 60:.2f} minutes at 60/min")
            engine.dispose()
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()
