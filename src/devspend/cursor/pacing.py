"""Client-side pacing: run *at* Cursor's per-endpoint rate limit instead of bumping into it.

Cursor limits each endpoint per team per minute (20/min, 60/min for usage events).
:class:`Pacer` keeps an even schedule, one slot every ``60 / rpm`` seconds, so a
long backfill runs at the limit without bursts. Three refinements:

* **headroom** widens the spacing a little (the client uses 2 %): the server sees
  arrival times, which wobble with network latency, and a sliding-window limiter
  refuses the call that arrives a millisecond early;
* **catch-up**: a slow response puts the caller behind schedule; the next calls
  may then go closer together (never closer than half a slot) until back on
  schedule, so slow pages do not cost throughput. At most a quarter of a window
  of lag is ever made up (an idle hour earns no burst), and none after a 429:
  the client calls :meth:`Pacer.forget_lag`, since Cursor just said "slower";
* **the window rule**, which makes catch-up safe: never more than ``rpm`` call
  starts in any window of 60 s (plus headroom), the very rule a sliding-window
  limiter enforces.

``minute_seconds`` shortens the "minute" for tests and benchmarks that run against
the fake on a compressed clock (its own ``minute_seconds``); production keeps 60.
"""

from __future__ import annotations

import math
from collections import deque

from devspend.cursor.clock import Clock

MIN_GAP_FRACTION = 0.5
MAX_LAG_FRACTION = 0.25


class Pacer:
    """Calls to one endpoint at ``rpm`` per minute: evenly, catching up safely when late."""

    def __init__(
        self, *, rpm: float, clock: Clock, headroom: float = 0.0, minute_seconds: float = 60.0
    ) -> None:
        if rpm <= 0 or minute_seconds <= 0:
            raise ValueError("rpm and minute_seconds must be positive")
        if headroom < 0:
            raise ValueError("headroom cannot be negative")
        self.interval = minute_seconds / rpm * (1.0 + headroom)
        self.per_window = max(1, math.floor(rpm))
        self.window = self.per_window * self.interval
        self._min_gap = self.interval * MIN_GAP_FRACTION
        self._max_lag = self.window * MAX_LAG_FRACTION
        self._clock = clock
        self._slot: float | None = None
        # The last ``per_window`` call starts, for the window rule. An rpm so high that
        # it would need more than a million (tests that switch pacing off) just never
        # fills the deque, which turns the window rule off too.
        self._starts: deque[float] = deque(maxlen=min(self.per_window, 1_000_000))
        self._forget_lag = False

    def forget_lag(self) -> None:
        """Restart the schedule from the next call (after a 429: do not catch up)."""
        self._forget_lag = True

    def _earliest(self, now: float) -> tuple[float, bool]:
        """When the next call may start, and whether the window rule is what holds it back."""
        if self._slot is None:
            return now, False
        scheduled = max(self._slot, self._starts[-1] + self._min_gap)
        if len(self._starts) == self.per_window:
            by_window = self._starts[0] + self.window
            if by_window > scheduled:
                return by_window, True
        return scheduled, False

    def wait(self) -> float:
        """Block until this endpoint's next call may start; returns the seconds waited."""
        now = self._clock.monotonic()
        due, window_bound = self._earliest(now)
        if window_bound:
            self._forget_lag = True  # waiting for the window is not lag worth making up
        waited = 0.0
        if due > now:
            waited = due - now
            self._clock.sleep(waited)
            now = max(due, self._clock.monotonic())
        self._starts.append(now)
        if self._slot is None or self._forget_lag:
            slot = now
        else:
            slot = max(self._slot, now - self._max_lag)
        self._forget_lag = False
        self._slot = slot + self.interval
        return waited
