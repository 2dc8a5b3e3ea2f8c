"""Which days a sync fetches, and in which windows.

Days are the unit of planning because checkpoints, coverage and summaries are per
UTC day. A sync fetches, newest first,

* every day of the look-back (events arrive late and get revised there), and
* every day of the backfill range (up to ``days`` back, never before the API's
  history start) that no earlier checkpoint covers completely.

Consecutive days are grouped into windows whose size adapts to the team's density:
the first window is today alone (so recent numbers show up within a minute), later
ones aim at ``target_events`` per window (a few pages: a ``kill -9`` loses seconds of
work, yet a small team spends ~13 requests on a year instead of 365).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

from devspend.store.checkpoints import day_start_ms
from devspend.store.events import MS_PER_DAY

MAX_WINDOW_DAYS = 30  # the API refuses longer ranges
DEFAULT_TARGET_EVENTS = 5_000


@dataclass(frozen=True, slots=True)
class Window:
    """An inclusive millisecond range covering ``first_day``..``last_day``."""

    start_ms: int
    end_ms: int
    first_day: date
    last_day: date
    keep_if_empty: bool

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1


def days_to_fetch(
    *,
    today: date,
    first_day: date,
    recent_first_day: date,
    completed: Collection[date],
) -> list[date]:
    """Days to fetch, newest first: the look-back always, older days only if incomplete."""
    days: list[date] = []
    day = today
    oldest = min(first_day, recent_first_day)
    while day >= oldest:
        if day >= recent_first_day or (day >= first_day and day not in completed):
            days.append(day)
        day -= timedelta(days=1)
    return days


class WindowPlanner:
    """Hands out windows over ``days`` (newest first), sized from the density seen so far."""

    def __init__(
        self,
        days: list[date],
        *,
        now_ms: int,
        lookback_start_ms: int,
        target_events: int = DEFAULT_TARGET_EVENTS,
        max_days: int = MAX_WINDOW_DAYS,
    ) -> None:
        self._days = days
        self._next = 0
        self._now_ms = now_ms
        self._lookback_start_ms = lookback_start_ms
        self._target = max(1, target_events)
        self._max_days = max_days
        self._events_seen = 0
        self._days_seen = 0

    @property
    def days_total(self) -> int:
        return len(self._days)

    @property
    def days_done(self) -> int:
        return self._days_seen

    def observe(self, window: Window, events: int) -> None:
        """Feed back how many events a window held, to size the next one."""
        self._events_seen += events
        self._days_seen += window.days

    def _size(self) -> int:
        if self._days_seen == 0:
            return 1
        per_day = self._events_seen / self._days_seen
        if per_day <= 0:
            return self._max_days
        return max(1, min(self._max_days, int(self._target / per_day)))

    def next_window(self) -> Window | None:
        """The next window (newest remaining days), or ``None`` when all are handed out."""
        if self._next >= len(self._days):
            return None
        size = self._size()
        last = self._days[self._next]
        first = last
        taken = 1
        while (
            taken < size
            and self._next + taken < len(self._days)
            and self._days[self._next + taken] == first - timedelta(days=1)
        ):
            first = self._days[self._next + taken]
            taken += 1
        self._next += taken
        end_ms = min(day_start_ms(last) + MS_PER_DAY - 1, self._now_ms)
        return Window(
            start_ms=day_start_ms(first),
            end_ms=end_ms,
            first_day=first,
            last_day=last,
            keep_if_empty=end_ms < self._lookback_start_ms,
        )


def coverage_status_partial(day: date, *, lookback_start_ms: int) -> bool:
    """A day is still partial while any of it lies inside the look-back."""
    return day_start_ms(day) + MS_PER_DAY - 1 >= lookback_start_ms

