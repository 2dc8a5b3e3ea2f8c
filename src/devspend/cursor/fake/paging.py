"""Serves pages of ``filtered-usage-events`` without materialising a whole window.

Clients page through one query sequentially, so the pager remembers the last
query: how many events each day holds (a cheap counting pass, needed anyway for
``totalUsageEventsCount``) and the events of recently used days, within a budget.
A page then costs generating at most the day or two it touches, and each day of a
window is generated about once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, NamedTuple

from devspend.cursor.fake.members import DAY_MS
from devspend.cursor.fake.team import SyntheticTeam

CACHE_BUDGET_EVENTS = 40_000
"""Most events kept in memory between pages (a 200-member window fits whole)."""


class EventQuery(NamedTuple):
    """What identifies a paged sequence: the range, filter and moment of asking."""

    start_ms: int
    end_ms: int
    email: str | None
    as_of_ms: int | None
    """None: the final data (see :meth:`SyntheticTeam.settled_as_of`)."""


class EventPager:
    """Pages of one query at a time, newest first, with a per-day count index."""

    def __init__(self, team: SyntheticTeam, *, budget: int = CACHE_BUDGET_EVENTS) -> None:
        self._team = team
        self._budget = budget
        self._query: EventQuery | None = None
        self._day_counts: list[tuple[int, int]] = []
        self._days: OrderedDict[int, list[dict[str, Any]]] = OrderedDict()
        self._cached = 0
        self._lock = threading.Lock()

    def page(self, query: EventQuery, *, page: int, page_size: int) -> tuple[int, list[Any]]:
        """The total number of events in the query and the events of page ``page`` (1-based)."""
        with self._lock:
            if query != self._query:
                self._index(query)
            total = sum(count for _day, count in self._day_counts)
            first = (page - 1) * page_size
            last = first + page_size
            out: list[Any] = []
            offset = 0
            for day, count in self._day_counts:
                if offset >= last:
                    break
                if offset + count > first and count:
                    events = self._day(query, day)
                    out.extend(events[max(first - offset, 0) : last - offset])
                offset += count
            return total, out

    def _index(self, query: EventQuery) -> None:
        self._query = query
        self._days.clear()
        self._cached = 0
        self._day_counts = list(
            self._team.iter_day_counts(
                start_ms=query.start_ms,
                end_ms=query.end_ms,
                email=query.email,
                as_of_ms=query.as_of_ms,
            )
        )

    def _day(self, query: EventQuery, day: int) -> list[dict[str, Any]]:
        events = self._days.get(day)
        if events is not None:
            self._days.move_to_end(day)
            return events
        start = max(query.start_ms, day * DAY_MS)
        end = min(query.end_ms, day * DAY_MS + DAY_MS - 1)
        events = [
            event
            for _day, day_events in self._team.iter_visible(
                start_ms=start, end_ms=end, email=query.email, as_of_ms=query.as_of_ms
            )
            for event in day_events
        ]
        self._days[day] = events
        self._cached += len(events)
        while self._cached > self._budget and len(self._days) > 1:
            _old, evicted = self._days.popitem(last=False)
            self._cached -= len(evicted)
        return events
