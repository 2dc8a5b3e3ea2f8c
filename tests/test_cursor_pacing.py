"""Pacer: never more than the limit in any trailing minute *as the server sees it*, bursts
allowed, measured on a clock that never sleeps.

The server sees a call at some moment between when the pacer let it go and when its
answer came back. These tests draw that moment at random and replay the arrivals
into the fake's own sliding-window limiter and into fixed-minute counters of every
phase: neither may ever refuse a call.
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass

import pytest

from devspend.cursor.client import EVENTS_PATH, MEMBERS_PATH, CursorClient
from devspend.cursor.clock import FakeClock
from devspend.cursor.fake import FakeCursor, SyntheticTeam
from devspend.cursor.fake.ratelimit import SlidingWindowLimiter
from devspend.cursor.pacing import Pacer

KEY = "key_test_valid_0001"
END_MS = 1_795_000_000_000


@dataclass
class Call:
    started: float
    arrived: float
    ended: float


def run_calls(
    pacer: Pacer,
    clock: FakeClock,
    count: int,
    *,
    send_delay: list[float] | None = None,
    answer_delay: list[float] | None = None,
    idle: list[float] | None = None,
) -> list[Call]:
    """``count`` sequential calls: each reaches the server ``send_delay`` after the pacer let
    it go and is answered ``answer_delay`` later; ``idle`` is the caller's pause after it."""
    calls = []
    for i in range(count):
        if idle:
            clock.now += idle[i]
        call = pacer.wait()
        started = clock.monotonic()
        clock.now += send_delay[i] if send_delay else 0.0
        arrived = clock.monotonic()
        clock.now += answer_delay[i] if answer_delay else 0.0
        pacer.finish(call)
        calls.append(Call(started=started, arrived=arrived, ended=clock.monotonic()))
    return calls


def most_in_any_window(stamps: list[float], window: float) -> int:
    """The largest number of ``stamps`` in any half-open window ``[t, t + window)``."""
    stamps = sorted(stamps)
    best = 0
    j = 0
    for i, t in enumerate(stamps):
        while stamps[j] <= t - window:
            j += 1
        best = max(best, i - j + 1)
    return best


def refusals(arrivals: list[float], *, limit: int, minute: float) -> int:
    """How many of ``arrivals`` the fake's sliding-window limiter refuses."""
    now = {"t": 0.0}
    limiter = SlidingWindowLimiter(limits={"e": limit}, window_seconds=minute,
                                   clock=lambda: now["t"])  # fmt: skip
    refused = 0
    for t in arrivals:
        now["t"] = t
        refused += limiter.acquire("e") is not None
    return refused


def most_in_a_fixed_minute(arrivals: list[float], *, minute: float, phase: float) -> int:
    buckets = [math.floor((t - phase) / minute) for t in arrivals]
    return max(buckets.count(b) for b in set(buckets))


def test_a_burst_goes_at_once_then_each_call_waits_for_its_window() -> None:
    clock = FakeClock()
    pacer = Pacer(rpm=20.0, clock=clock)
    calls = run_calls(pacer, clock, 25, answer_delay=[0.25] * 25)
    assert [c.started for c in calls[:20]] == pytest.approx([0.25 * i for i in range(20)])
    # call 21 waits until call 1 *ended* a minute ago, call 22 for call 2, ...
    assert [c.started for c in calls[20:]] == pytest.approx([c.ended + 60 for c in calls[:5]])


def test_a_long_run_goes_at_the_limit_and_never_over_it() -> None:
    clock = FakeClock()
    calls = run_calls(Pacer(rpm=60.0, clock=clock), clock, 600, answer_delay=[0.01] * 600)
    starts = [c.started for c in calls]
    assert most_in_any_window(starts, 60.0) == 60
    per_minute = len(starts) / (starts[-1] - starts[0] + 60.0) * 60  # n calls span n/60 - 1 min
    assert 0.98 * 60 < per_minute <= 60


@pytest.mark.parametrize("seed", range(12))
def test_no_trailing_or_fixed_minute_ever_sees_more_than_the_limit(seed: int) -> None:
    """Random latencies, slow answers, idle pauses: the server never has a reason to refuse."""
    rng = random.Random(seed)
    limit = rng.choice([1, 5, 20, 60])
    clock = FakeClock(start=rng.uniform(0, 100))
    n = 400
    send = [rng.choice([0.0, 0.001, 0.05, 0.5, 3.0, 20.0]) * rng.random() for _ in range(n)]
    answer = [rng.choice([0.0, 0.01, 0.2, 1.0, 9.0, 45.0]) * rng.random() for _ in range(n)]
    idle = [rng.choice([0.0] * 8 + [1.0, 30.0, 200.0]) * rng.random() for _ in range(n)]
    pacer = Pacer(rpm=limit, clock=clock)
    if seed % 3 == 0:
        pacer.slow_down()
    calls = run_calls(pacer, clock, n, send_delay=send, answer_delay=answer, idle=idle)
    arrivals = [c.arrived for c in calls]
    assert most_in_any_window(arrivals, 60.0) <= limit
    assert refusals(arrivals, limit=limit, minute=60.0) == 0
    for phase in (rng.uniform(0, 60) for _ in range(20)):
        assert most_in_a_fixed_minute(arrivals, minute=60.0, phase=phase) <= limit


def test_a_request_that_leaves_late_does_not_share_a_minute_with_a_later_one() -> None:
    """The flaky resilience test's case: 60/min on a 0.5 s minute, 2 % headroom (10 ms),
    one request in 61 reaching the server 20 ms after the pacer let it go. Counting
    from call starts, the fake refused 9 calls of 600; counting from ends, none."""
    clock = FakeClock()
    pacer = Pacer(rpm=60.0, clock=clock, headroom=0.02, minute_seconds=0.5)
    send = [0.02 if i % 61 == 0 else 0.0 for i in range(600)]
    calls = run_calls(pacer, clock, 600, send_delay=send, answer_delay=[0.001] * 600)
    assert refusals([c.arrived for c in calls], limit=60, minute=0.5) == 0


def test_after_slow_down_the_next_window_of_calls_is_evenly_spaced() -> None:
    clock = FakeClock()
    pacer = Pacer(rpm=10.0, clock=clock)
    run_calls(pacer, clock, 3)
    clock.now += 600.0  # long idle: a full burst would be allowed
    pacer.slow_down()
    calls = run_calls(pacer, clock, 10)
    gaps = [b.started - a.started for a, b in itertools.pairwise(calls)]
    assert gaps == pytest.approx([6.0] * 9)  # one per 60 s / 10 after the 429
    clock.now += 60.0
    calls = run_calls(pacer, clock, 10)
    assert calls[-1].started == calls[0].started  # a window later, bursts are back


def test_calls_in_flight_at_once_still_count_until_a_window_after_they_end() -> None:
    clock = FakeClock()
    pacer = Pacer(rpm=2.0, clock=clock)
    first, second = pacer.wait(), pacer.wait()  # two overlapping calls: both go at once
    clock.now = 1.0
    pacer.finish(second)
    clock.now = 5.0
    pacer.finish(first)
    pacer.wait()
    assert clock.now >= 5.0 + 60.0  # both may have reached the server as late as they ended


def test_a_fresh_pacer_leaves_its_reserve_to_the_client_before_it() -> None:
    clock = FakeClock(start=5.0)
    pacer = Pacer(rpm=60.0, clock=clock, reserve=15)
    calls = run_calls(pacer, clock, 120)
    assert [c.started for c in calls[:45]] == [5.0] * 45  # the burst, less the reserve
    assert calls[45].started == pytest.approx(65.0)  # a window after the pacer was made
    # in its first window it left 15 calls to whoever made them just before it
    assert most_in_any_window([c.started for c in calls if c.started < 65.0], 60.0) == 45
    assert most_in_any_window([c.started for c in calls], 60.0) == 60


def test_connect_then_a_sync_in_a_new_client_provoke_no_429() -> None:
    """``connect`` probes (events 1 + history ~6, members twice), then a sync starts at once
    with a fresh client: together they stay within the fake's sliding minute."""
    clock = FakeClock(start=1000.0)
    team = SyntheticTeam(seed=1, members=2, end_ms=END_MS, days=5)
    fake = FakeCursor(team=team, valid_keys={KEY}, rate_clock=clock.monotonic)
    body = {"startDate": END_MS - 10, "endDate": END_MS, "page": 1, "pageSize": 1}
    with CursorClient(api_key=KEY, base_url="http://fake", transport=fake.transport(),
                      clock=clock) as connect:  # fmt: skip
        for _ in range(7):
            connect.post(EVENTS_PATH, body=body)
        connect.get(MEMBERS_PATH)
        connect.get(MEMBERS_PATH)
    with CursorClient(api_key=KEY, base_url="http://fake", transport=fake.transport(),
                      clock=clock) as sync:  # fmt: skip
        for _ in range(150):
            sync.post(EVENTS_PATH, body=body)
        for _ in range(30):
            sync.get(MEMBERS_PATH)
    assert [status for _, _, status in fake.request_log].count(429) == 0
    assert len(fake.request_log) == 7 + 2 + 150 + 30


def test_headroom_widens_the_window() -> None:
    clock = FakeClock()
    pacer = Pacer(rpm=1.0, clock=clock, headroom=0.02)
    run_calls(pacer, clock, 2)
    assert clock.now == pytest.approx(61.2)


def test_a_fractional_rpm_keeps_its_rate() -> None:
    clock = FakeClock()
    calls = run_calls(Pacer(rpm=0.5, clock=clock), clock, 3)
    assert [c.started for c in calls] == pytest.approx([0.0, 120.0, 240.0])


def test_a_huge_rpm_switches_pacing_off() -> None:
    clock = FakeClock()
    run_calls(Pacer(rpm=1e9, clock=clock), clock, 5000)
    assert clock.slept == 0


def test_slot_yields_the_wait_and_finishes_the_call() -> None:
    clock = FakeClock()
    pacer = Pacer(rpm=1.0, clock=clock)
    with pacer.slot() as waited:
        assert waited == 0.0
        clock.now += 2.0
    with pacer.slot() as waited:
        assert waited == pytest.approx(60.0)


def test_rpm_must_be_positive() -> None:
    with pytest.raises(ValueError, match="must be positive"):
        Pacer(rpm=0, clock=FakeClock())
