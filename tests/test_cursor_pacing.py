"""Pacer: even spacing at the per-endpoint limit, measured on a clock that never sleeps."""

from __future__ import annotations

import itertools
import random

import pytest

from devspend.cursor.clock import FakeClock
from devspend.cursor.pacing import Pacer


def starts_of(pacer: Pacer, clock: FakeClock, durations: list[float]) -> list[float]:
    """Call start times when each call takes the given time after its wait."""
    starts = []
    for duration in durations:
        pacer.wait()
        starts.append(clock.monotonic())
        clock.now += duration
    return starts


def test_calls_are_spaced_evenly_at_the_limit() -> None:
    clock = FakeClock()
    starts = starts_of(Pacer(rpm=60.0, clock=clock), clock, [0.0] * 120)
    assert starts[0] == 0.0
    assert [b - a for a, b in itertools.pairwise(starts)] == [1.0] * 119
    # 60 calls in every 60-second (half-open) window: exactly at the limit, never over.
    assert sum(0 <= s < 60 for s in starts) == 60


def test_time_spent_in_the_call_counts_towards_the_gap() -> None:
    clock = FakeClock()
    pacer = Pacer(rpm=20.0, clock=clock)
    pacer.wait()
    clock.now += 2.0  # the call itself took 2 s
    assert pacer.wait() == pytest.approx(1.0)


def test_after_a_slow_call_the_schedule_is_caught_up_at_twice_the_rate() -> None:
    clock = FakeClock()
    starts = starts_of(Pacer(rpm=60.0, clock=clock), clock, [3.0] + [0.0] * 6)
    assert starts == pytest.approx([0.0, 3.0, 3.5, 4.0, 4.5, 5.0, 6.0])


def test_never_more_than_rpm_starts_in_any_window_even_when_catching_up() -> None:
    clock = FakeClock()
    rng = random.Random(4)
    durations = [rng.choice([0.0, 0.1, 0.5, 4.0, 9.0]) for _ in range(500)]
    starts = starts_of(Pacer(rpm=10.0, clock=clock), clock, durations)
    assert all(starts[i + 10] - starts[i] >= 60.0 - 1e-9 for i in range(len(starts) - 10))
    achieved = (len(starts) - 1) / (starts[-1] - starts[0]) * 60
    assert achieved > 9.0  # slow calls did not drag the rate far below the limit


def test_an_idle_pause_earns_at_most_a_quarter_window_of_catch_up() -> None:
    clock = FakeClock()
    pacer = Pacer(rpm=60.0, clock=clock)
    starts_of(pacer, clock, [0.0] * 3)
    clock.now += 1000.0
    after = starts_of(pacer, clock, [0.0] * 100)
    gaps = [b - a for a, b in itertools.pairwise(after)]
    assert min(gaps) == pytest.approx(0.5)
    assert sum(g == pytest.approx(0.5) for g in gaps) <= 30  # 15 s of lag made up, no more
    assert gaps[-1] == pytest.approx(1.0)


def test_after_forget_lag_there_is_no_catch_up() -> None:
    clock = FakeClock()
    pacer = Pacer(rpm=60.0, clock=clock)
    starts_of(pacer, clock, [5.0])
    pacer.forget_lag()
    after = starts_of(pacer, clock, [0.0] * 4)
    assert [b - a for a, b in itertools.pairwise(after)] == pytest.approx([1.0] * 3)


def test_headroom_spaces_calls_slightly_below_the_limit() -> None:
    clock = FakeClock()
    pacer = Pacer(rpm=60.0, clock=clock, headroom=0.02)
    pacer.wait()
    assert pacer.wait() == pytest.approx(1.02)


def test_rpm_must_be_positive() -> None:
    with pytest.raises(ValueError, match="must be positive"):
        Pacer(rpm=0, clock=FakeClock())
