"""Client-side pacing: run *at* Cursor's per-endpoint rate limit, never over it, bursts allowed.

Cursor limits each endpoint per team per minute (20/min, 60/min for usage events)
and does not say whether its limiter counts a fixed or a sliding minute. A
:class:`Pacer` is a sliding-window *log* of the calls to one endpoint, with one rule:

    a call may start only when fewer than ``per_window`` calls ended within the
    last ``window`` seconds (``window`` = the minute plus ``headroom``).

A call is counted from when it **ended** (its response, error or timeout arrived),
not from when it was let go: the server saw it at some moment in between, so
whatever the latency, the call ``per_window`` places later reaches the server more
than a minute after this one did. The server therefore never sees more than the
limit in any trailing minute — which also bounds every fixed minute — so neither
kind of limiter refuses us. (The previous even pacer counted call *starts*; a
request that left the process late by more than the headroom then shared the
server's minute with the one ``per_window`` calls after it and provoked a 429.)

Within that rule calls go at once: ``connect``'s probe and a small incremental sync
spend their few requests in a burst instead of a second or three apiece, and a
long backfill still runs at exactly the limit (``per_window`` calls per window).
After a 429 the endpoint is paced evenly (one call per ``window / per_window``) for
the next window's worth of calls, in case Cursor's limiter dislikes bursts after all
(a token bucket smaller than the minute's limit) or someone else shares the team's
budget; :meth:`Pacer.slow_down` is what the client calls.

A new pacer knows nothing of the calls another client made a moment ago — ``connect``
probing the key, then a sync in a new process. ``reserve`` calls are therefore
counted as made just now: a fresh client's first minute leaves that many of the
limit to whoever came before it (devspend's client reserves a quarter, more than
``connect`` uses), and from its second minute on it runs at the full limit.

``minute_seconds`` shortens the "minute" for tests and benchmarks that run against
the fake on a compressed clock (its own ``minute_seconds``); production keeps 60.
A pacer is thread-safe; devspend gives each endpoint one, used by one lane at a time.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

from devspend.cursor.clock import Clock

UNBOUNDED = 1_000_000  # an rpm needing a longer log than this switches pacing off


class _Call:
    __slots__ = ("ended", "started")

    def __init__(self, started: float) -> None:
        self.started = started
        self.ended: float | None = None


class Pacer:
    """Calls to one endpoint: at most ``rpm`` per trailing minute, counted from their ends."""

    def __init__(
        self,
        *,
        rpm: float,
        clock: Clock,
        headroom: float = 0.0,
        minute_seconds: float = 60.0,
        reserve: int = 0,
    ) -> None:
        if rpm <= 0 or minute_seconds <= 0:
            raise ValueError("rpm and minute_seconds must be positive")
        if headroom < 0:
            raise ValueError("headroom cannot be negative")
        self.per_window = max(1, math.floor(rpm))
        # A fractional rpm (0.5/min) keeps its rate: one call per two minutes.
        self.window = self.per_window / rpm * minute_seconds * (1.0 + headroom)
        self.interval = self.window / self.per_window
        self._clock = clock
        self._off = self.per_window > UNBOUNDED
        self._calls: deque[_Call] = deque()  # oldest first, by start
        # calls counted as ended at construction (see the module docstring), until a window on
        self._reserve = 0 if self._off else max(0, min(reserve, self.per_window - 1))
        self._reserve_end = clock.monotonic() + self.window
        self._even_calls = 0  # calls still to be paced evenly after a 429
        self._lock = threading.Condition()

    def slow_down(self) -> None:
        """After a 429: space the next window's worth of calls evenly (no bursts)."""
        with self._lock:
            self._even_calls = self.per_window

    def _due(self, now: float) -> float | None:
        """When the next call may start; ``None`` while that depends on a call in flight.

        A call can share a server window with the next one unless it ended a whole
        window ago; those are dropped, the rest (in flight or recent) are counted.
        """
        calls = self._calls
        reserved = self._reserve if now < self._reserve_end else 0
        if self._off or not (calls or reserved):
            return now
        if reserved and len(calls) + reserved >= self.per_window:
            return self._reserve_end  # the reserve ages out first: it is the oldest
        horizon = now - self.window
        while calls and calls[0].ended is not None and calls[0].ended <= horizon:
            calls.popleft()
        due = now
        if self._even_calls and calls:
            due = max(due, calls[-1].started + self.interval)
        surplus = len(calls) - self.per_window + 1  # how many must age out first
        if surplus > 0:
            ends = [call.ended for call in itertools.islice(calls, surplus)]
            if any(end is None for end in ends):
                return None
            due = max(due, max(e for e in ends if e is not None) + self.window)
        return due

    def wait(self) -> _Call:
        """Block until a call may start and record it as started; returns the call.

        The caller must :meth:`finish` it when the response (or error) arrives;
        :meth:`slot` does both.
        """
        with self._lock:
            while True:
                now = self._clock.monotonic()
                due = self._due(now)
                if due is None:  # only with several threads on one endpoint
                    self._lock.wait(timeout=0.05)
                    continue
                if due <= now:
                    break
                self._lock.release()
                try:
                    self._clock.sleep(due - now)
                finally:
                    self._lock.acquire()
            call = _Call(now)
            if not self._off:
                self._calls.append(call)
            if self._even_calls:
                self._even_calls -= 1
            return call

    def finish(self, call: _Call) -> None:
        """The call ended (answer, error or timeout): from now on it counts for a window."""
        ended = self._clock.monotonic()
        with self._lock:
            call.ended = max(ended, call.started)
            self._lock.notify_all()

    @contextmanager
    def slot(self) -> Iterator[float]:
        """``with pacer.slot() as waited:`` around one request; yields the seconds waited."""
        before = self._clock.monotonic()
        call = self.wait()
        try:
            yield call.started - before
        finally:
            self.finish(call)
