"""Planning: newest days first, the look-back always, completed days skipped, windows adapt."""

from __future__ import annotations

from datetime import date, timedelta

from devspend.store.checkpoints import day_start_ms
from devspend.sync.plan import WindowPlanner, days_to_fetch

TODAY = date(2026, 11, 20)
NOW_MS = day_start_ms(TODAY) + 12 * 3_600_000


def test_days_newest_first_lookback_always_completed_skipped() -> None:
    completed = {TODAY - timedelta(days=i) for i in range(0, 5)}  # the last five days are done
    days = days_to_fetch(
        today=TODAY, first_day=TODAY - timedelta(days=9),
        recent_first_day=TODAY - timedelta(days=2), completed=completed,
    )  # fmt: skip
    assert days == [TODAY - timedelta(days=i) for i in (0, 1, 2, 5, 6, 7, 8, 9)]


def test_windows_start_with_today_then_grow_with_density() -> None:
    days = [TODAY - timedelta(days=i) for i in range(100)]
    planner = WindowPlanner(days, now_ms=NOW_MS, lookback_start_ms=NOW_MS - 48 * 3_600_000,
                            target_events=1000)  # fmt: skip
    first = planner.next_window()
    assert first is not None
    assert (first.first_day, first.last_day, first.end_ms) == (TODAY, TODAY, NOW_MS)
    assert not first.keep_if_empty
    planner.observe(first, 100)  # 100 events a day → 10-day windows
    second = planner.next_window()
    assert second is not None
    assert second.days == 10
    assert second.last_day == TODAY - timedelta(days=1)
    assert second.end_ms == day_start_ms(second.last_day) + 86_400_000 - 1
    planner.observe(second, 0)  # an idle stretch → the maximum, 30 days
    third = planner.next_window()
    assert third is not None
    assert third.days == 30
    assert third.keep_if_empty  # entirely older than the look-back


def test_windows_never_bridge_a_gap() -> None:
    days = [TODAY, TODAY - timedelta(days=1), TODAY - timedelta(days=5)]
    planner = WindowPlanner(days, now_ms=NOW_MS, lookback_start_ms=NOW_MS, target_events=10**9)
    windows = []
    while (w := planner.next_window()) is not None:
        planner.observe(w, 0)
        windows.append((w.first_day, w.last_day))
    assert windows == [(TODAY, TODAY), (TODAY - timedelta(days=1), TODAY - timedelta(days=1)),
                       (TODAY - timedelta(days=5), TODAY - timedelta(days=5))]  # fmt: skip
