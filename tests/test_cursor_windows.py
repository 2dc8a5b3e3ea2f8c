"""split_windows: ≤30-day inclusive windows that neither overlap nor leave a gap."""

from __future__ import annotations

import itertools

import pytest

from devspend.cursor.windows import DAY_MS, split_windows

START = 1_735_689_600_000  # 2025-01-01T00:00:00Z


def test_a_year_becomes_thirteen_windows_that_tile_the_range_exactly() -> None:
    end = START + 365 * DAY_MS - 1
    windows = split_windows(start_ms=START, end_ms=end)
    assert len(windows) == 13
    assert windows[0][0] == START
    assert windows[-1][1] == end
    for (_, prev_end), (next_start, _) in itertools.pairwise(windows):
        assert next_start == prev_end + 1  # no overlap by even one ms, no gap
    for lo, hi in windows:
        assert hi - lo + 1 <= 30 * DAY_MS


def test_every_millisecond_lands_in_exactly_one_window() -> None:
    windows = split_windows(start_ms=0, end_ms=99, max_days=1)
    assert windows == [(0, 99)]
    span = 2 * DAY_MS + 5
    windows = split_windows(start_ms=10, end_ms=10 + span, max_days=1)
    for probe in (10, 10 + DAY_MS - 1, 10 + DAY_MS, 10 + 2 * DAY_MS, 10 + span):
        assert sum(lo <= probe <= hi for lo, hi in windows) == 1


def test_a_single_millisecond_is_one_window() -> None:
    assert split_windows(start_ms=START, end_ms=START) == [(START, START)]


def test_exactly_thirty_days_is_one_window_and_one_more_ms_is_two() -> None:
    end = START + 30 * DAY_MS - 1
    assert split_windows(start_ms=START, end_ms=end) == [(START, end)]
    assert split_windows(start_ms=START, end_ms=end + 1) == [(START, end), (end + 1, end + 1)]


def test_a_backwards_range_is_refused() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        split_windows(start_ms=START, end_ms=START - 1)
