"""Benchmark: a year of usage events for a 200-member team, pulled from the fake over loopback.

Reports
  * the request rate achieved on the events endpoint as a fraction of its limit
    (the fake enforces Cursor's documented 60/min, 20/min for the rest, on a
    compressed "minute"; the client paces to the same limits on the same minute),
    with the number of 429s and failed calls and a check that no record was lost;
  * parse throughput (events/s): decode + parse of captured response bodies, timed
    apart from the network.

    .venv/bin/python bench/bench_cursor_fetch.py            # 200 members, 365 days
    .venv/bin/python bench/bench_cursor_fetch.py --quick    # 50 members, 90 days
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime

import httpx

from devspend.cursor.client import EVENTS_PATH, CursorClient
from devspend.cursor.endpoints import iter_usage_event_pages
from devspend.cursor.fake import FakeCursor, SyntheticTeam, serve_fake_cursor
from devspend.cursor.schemas import decode_json, parse_usage_event
from devspend.cursor.windows import DAY_MS

KEY = "key_test_valid_0001"
EVENTS_LIMIT_PER_MINUTE = 60


def measure_rate(team: SyntheticTeam, *, start_ms: int, end_ms: int, minute: float) -> None:
    fake = FakeCursor(team=team, valid_keys={KEY}, minute_seconds=minute)
    with (
        serve_fake_cursor(fake) as url,
        CursorClient(
            api_key=KEY,
            base_url=url,
            events_rpm=EVENTS_LIMIT_PER_MINUTE,
            rpm=20,
            minute_seconds=minute,  # the client's minute is the fake's compressed minute
        ) as client,
    ):
        began = time.perf_counter()
        events = 0
        for page in iter_usage_event_pages(client, start_ms=start_ms, end_ms=end_ms):
            events += len(page.events)
        elapsed = time.perf_counter() - began
        stats = client.stats
    expected = team.expected_totals(start_ms=start_ms, end_ms=end_ms).events
    calls = stats.sent[EVENTS_PATH]
    limit_per_second = EVENTS_LIMIT_PER_MINUTE / minute
    # n calls paced at the limit need (n - 1) intervals: that is the fair yardstick.
    fraction = (calls - 1) / elapsed / limit_per_second
    statuses = [s for _, p, s in fake.request_log if p == EVENTS_PATH]
    print(
        f"events fetched          {events:,} (ground truth {expected:,}, lost {expected - events})"
    )
    print(f"event calls             {calls} in {elapsed:.2f} s "
          f"(limit {EVENTS_LIMIT_PER_MINUTE}/min on a {minute:g} s minute)")  # fmt: skip
    print(f"request rate / limit    {fraction:.3f}")
    print(f"429 responses           {statuses.count(429)}")
    print(f"failed calls            {sum(stats.failed.values())}")
    print(f"time paced / backoff    {stats.paced_seconds:.2f} s / {stats.backoff_seconds:.2f} s")


def measure_parse(team: SyntheticTeam, *, start_ms: int, end_ms: int, pages: int) -> None:
    roomy = {"filtered-usage-events": 10**9}
    fake = FakeCursor(team=team, valid_keys={KEY}, rate_limits=roomy)
    bodies: list[bytes] = []
    window = (max(start_ms, end_ms - 30 * DAY_MS + 1), end_ms)
    with serve_fake_cursor(fake) as url, httpx.Client(base_url=url, auth=(KEY, "")) as http:
        for page in range(1, pages + 1):
            body = {"startDate": window[0], "endDate": window[1], "page": page, "pageSize": 1000}
            response = http.post(EVENTS_PATH, json=body)
            response.raise_for_status()
            bodies.append(response.content)
            if not decode_json(response.content)["pagination"]["hasNextPage"]:
                break
    megabytes = sum(map(len, bodies)) / 1e6
    began = time.perf_counter()
    parsed = 0
    for raw in bodies:
        for obj in decode_json(raw)["usageEvents"]:
            parse_usage_event(obj)
            parsed += 1
    elapsed = time.perf_counter() - began
    rate = parsed / elapsed
    print(f"parse throughput        {rate:,.0f} events/s ({parsed:,} events, "
          f"{len(bodies)} pages, {megabytes:.1f} MB, {elapsed:.2f} s)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50 members, 90 days")
    parser.add_argument("--members", type=int, default=None)
    parser.add_argument("--days", type=int, default=None)
    parser.add_argument("--minute", type=float, default=3.0, help="length of the fake's minute (s)")
    parser.add_argument("--parse-pages", type=int, default=50)
    args = parser.parse_args()
    members = args.members or (50 if args.quick else 200)
    days = args.days or (90 if args.quick else 365)
    end_ms = int(datetime(2026, 11, 25, tzinfo=UTC).timestamp() * 1000) - 1
    start_ms = end_ms - days * DAY_MS + 1
    team = SyntheticTeam(seed=7, members=members, end_ms=end_ms, days=days)
    print(f"team: {members} members, {days} days")
    measure_rate(team, start_ms=start_ms, end_ms=end_ms, minute=args.minute)
    measure_parse(team, start_ms=start_ms, end_ms=end_ms, pages=args.parse_pages)


if __name__ == "__main__":
    main()
