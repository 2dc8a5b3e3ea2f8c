"""Per-endpoint sliding-window rate limits, like Cursor's "N requests per minute per team".

The window ("minute") has a configurable length so tests and benchmarks can run on
a compressed clock; the clock itself is injectable so tests need not sleep.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Mapping

DEFAULT_LIMITS: Mapping[str, int] = {"filtered-usage-events": 60}
DEFAULT_LIMIT = 20


class SlidingWindowLimiter:
    """Allows at most ``limit`` requests per endpoint in any window of ``window_seconds``."""

    def __init__(
        self,
        *,
        limits: Mapping[str, int] | None,
        window_seconds: float,
        clock: Callable[[], float],
    ) -> None:
        self._limits = {**DEFAULT_LIMITS, **(limits or {})}
        self._window = window_seconds
        self._clock = clock
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def limit_for(self, endpoint: str) -> int:
        """Requests per window allowed on that endpoint."""
        return self._limits.get(endpoint, DEFAULT_LIMIT)

    def acquire(self, endpoint: str) -> float | None:
        """Record a request, or refuse it: the seconds until one would be allowed."""
        with self._lock:
            now = self._clock()
            seen = self._seen.setdefault(endpoint, deque())
            while seen and seen[0] <= now - self._window:
                seen.popleft()
            if len(seen) >= self.limit_for(endpoint):
                return max(seen[0] + self._window - now, 0.001)
            seen.append(now)
            return None
