"""A small per-process cache of built page views, keyed by the filter and the data version.

Report views over a year of 2,000 people cost hundreds of milliseconds to sum, yet
the data only changes when a sync writes. Every sync write also touches its
integration row (``updated_at``), so "count and newest ``updated_at`` of the
integrations" is a data version that changes whenever any figure could: a view
is reused only while that version is unchanged and for at most ``ttl_seconds``.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class ViewCache:
    """Least-recently-used views, valid for one data version and a bounded time."""

    def __init__(
        self,
        *,
        max_entries: int = 64,
        ttl_seconds: float = 300.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._max = max_entries
        self._ttl = ttl_seconds
        self._now = monotonic
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, tuple[float, Hashable, Any]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get_or_build(self, key: Hashable, *, version: Hashable, build: Callable[[], T]) -> T:
        """The cached view for ``key`` at ``version``, else ``build()`` (and remember it)."""
        now = self._now()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[1] == version and now - entry[0] < self._ttl:
                self._entries.move_to_end(key)
                self.hits += 1
                value: T = entry[2]
                return value
            self.misses += 1
        value = build()
        with self._lock:
            self._entries[key] = (now, version, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
