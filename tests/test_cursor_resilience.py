"""The client rides out what a real API throws at it: 429 storms, 5xx bursts, drops, hangs.

Rate-limit tests use the fake's short "minute" and a real clock (sleeps are tens of
milliseconds); fault tests use a clock that never sleeps. Every run must still end
with exactly the generator's records.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest

from devspend.cursor.client import EVENTS_PATH, CursorClient, RetryPolicy
from devspend.cursor.clock import FakeClock, SystemClock
from devspend.cursor.endpoints import iter_usage_event_pages, iter_usage_events
from devspend.cursor.fake import FakeCursor, FaultConfig, SyntheticTeam, serve_fake_cursor
from devspend.cursor.schemas import UsageEvent, canonical_json
from devspend.cursor.windows import DAY_MS

KEY = "key_test_valid_0001"
END_MS = int(datetime(2026, 11, 25, tzinfo=UTC).timestamp() * 1000) - 1
START_MS = END_MS - 60 * DAY_MS


@pytest.fixture(scope="module")
def team() -> SyntheticTeam:
    return SyntheticTeam(seed=11, members=6, end_ms=END_MS, days=365, events_per_member_day=3.0)


class RecordingClock(SystemClock):
    """The real clock, remembering every wait so tests can see Retry-After being honoured."""

    def __init__(self) -> None:
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        super().sleep(seconds)


@pytest.fixture(params=["in-process", "loopback"])
def transport_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@contextmanager
def client_for(fake: FakeCursor, kind: str, **kwargs: Any) -> Iterator[CursorClient]:
    if kind == "in-process":
        with CursorClient(
            api_key=KEY, base_url="http://fake", transport=fake.transport(), **kwargs
        ) as client:
            yield client
        return
    with (
        serve_fake_cursor(fake, port=0) as url,
        CursorClient(api_key=KEY, base_url=url, **kwargs) as client,
    ):
        yield client


def fetch_all(client: CursorClient, page_size: int = 1000) -> list[UsageEvent]:
    return list(iter_usage_events(client, start_ms=START_MS, end_ms=END_MS, page_size=page_size))


def assert_exactly_the_truth(events: list[UsageEvent], team: SyntheticTeam) -> None:
    """Every generated record came out, each exactly as often: none lost, none twice.

    Comparing whole records (not counts) means a lost event cannot hide behind a
    repeated one; genuinely identical duplicates must come out as often as made.
    """
    truth = Counter(canonical_json(e) for e in team.iter_events(start_ms=START_MS, end_ms=END_MS))
    assert Counter(e.raw_json for e in events) == truth


def statuses(fake: FakeCursor) -> list[int]:
    return [status for _, path, status in fake.request_log if path == EVENTS_PATH]


@pytest.mark.parametrize("send_retry_after", [True, False])
def test_a_429_storm_is_ridden_out_with_zero_lost_records(
    team: SyntheticTeam, transport_kind: str, send_retry_after: bool
) -> None:
    fake = FakeCursor(
        team=team,
        valid_keys={KEY},
        minute_seconds=0.15,
        rate_limits={"filtered-usage-events": 2},
        send_retry_after=send_retry_after,
    )
    clock = RecordingClock()
    policy = RetryPolicy(base_seconds=0.02, cap_seconds=0.1, max_rate_limited_attempts=200)
    with client_for(fake, transport_kind, clock=clock, retry=policy, events_rpm=1e9) as client:
        events = fetch_all(client, page_size=80)
        assert not client.stats.failed
    assert statuses(fake).count(429) >= 3  # it really was a storm
    assert len(events) == team.expected_totals(start_ms=START_MS, end_ms=END_MS).events
    assert len(events) > 600
    assert_exactly_the_truth(events, team)


def test_5xx_bursts_and_dropped_connections_lose_nothing(
    team: SyntheticTeam, transport_kind: str
) -> None:
    faults = FaultConfig(seed=3, error_rate=0.25, drop_rate=0.15, slow_rate=0.0, slow_seconds=0.0)
    fake = FakeCursor(team=team, valid_keys={KEY}, faults=faults, rate_limits={
        "filtered-usage-events": 100_000})  # fmt: skip
    clock = FakeClock()
    policy = RetryPolicy(max_attempts=15)
    with client_for(fake, transport_kind, clock=clock, retry=policy, events_rpm=1e9) as client:
        events = fetch_all(client, page_size=100)
        retried = client.stats.retried[EVENTS_PATH]
    assert any(s >= 500 for s in statuses(fake))
    assert retried > len([s for s in statuses(fake) if s >= 500])  # drops were retried too
    assert len(events) == team.expected_totals(start_ms=START_MS, end_ms=END_MS).events
    assert_exactly_the_truth(events, team)
    assert clock.slept > 0  # it backed off (on the fake clock: no real waiting)


def test_a_connection_dropped_mid_pagination_resumes_at_the_same_page(
    team: SyntheticTeam, transport_kind: str
) -> None:
    # Page 1 answers, page 2 is dropped twice, answers, page 3 gets a 502, then answers.
    faults = FaultConfig(script=(None, "drop", "drop", None, 502, None))
    fake = FakeCursor(team=team, valid_keys={KEY}, faults=faults, rate_limits={
        "filtered-usage-events": 100_000})  # fmt: skip
    with client_for(fake, transport_kind, clock=FakeClock(), events_rpm=1e9) as client:
        pages = list(
            iter_usage_event_pages(client, start_ms=START_MS, end_ms=END_MS, page_size=100)
        )
        assert client.stats.retried[EVENTS_PATH] == 3
    assert statuses(fake)[:6] == [200, 0, 0, 200, 502, 200]
    first_window = [p.page for p in pages if p.window == pages[0].window]
    assert first_window == list(range(1, pages[0].num_pages + 1))  # no page twice or skipped
    assert pages[0].num_pages >= 3
    assert_exactly_the_truth([e for p in pages for e in p.events], team)


def test_slow_responses_time_out_and_are_retried(team: SyntheticTeam) -> None:
    faults = FaultConfig(seed=5, error_rate=0.0, drop_rate=0.0, slow_rate=0.3, slow_seconds=1.0)
    fake = FakeCursor(team=team, valid_keys={KEY}, faults=faults, rate_limits={
        "filtered-usage-events": 100_000})  # fmt: skip
    with client_for(
        fake, "loopback", clock=FakeClock(), retry=RetryPolicy(max_attempts=15), timeout=0.15,
        events_rpm=1e9,
    ) as client:  # fmt: skip
        events = fetch_all(client, page_size=250)
        assert client.stats.retried[EVENTS_PATH] > 0
    assert len(events) == team.expected_totals(start_ms=START_MS, end_ms=END_MS).events
    assert_exactly_the_truth(events, team)


def test_pacing_at_the_limit_provokes_no_429(team: SyntheticTeam) -> None:
    """Real clock and sockets, a 0.5 s "minute": more than a minute's worth of calls, and the
    fake's sliding window never refuses one. Only what the pacer guarantees is asserted
    (never over the limit, whatever the latency: see test_cursor_pacing); how close to
    the limit a loaded machine gets is a benchmark figure (bench/bench_cursor_fetch.py)."""
    minute = 0.5
    fake = FakeCursor(team=team, valid_keys={KEY}, minute_seconds=minute)
    with client_for(
        fake, "loopback", clock=SystemClock(), events_rpm=60, rpm=20, minute_seconds=minute
    ) as client:
        events = fetch_all(client, page_size=10)
        sent = client.stats.sent[EVENTS_PATH]
    assert sent > 60  # more than one fake "minute" worth of calls
    assert 429 not in statuses(fake)
    assert len(events) == team.expected_totals(start_ms=START_MS, end_ms=END_MS).events
    assert_exactly_the_truth(events, team)
