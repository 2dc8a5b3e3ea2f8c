"""How far back Cursor still has usage events for this team, found in a handful of calls.

Integrators disagree on history depth (a year? weeks?), so devspend measures it.
Rather than paging through a year, :func:`find_history_start` splits the lookback
into ≤30-day windows and bisects them with ``pageSize=1`` calls, which return the
window's event count for the price of one event. In the oldest non-empty window the
last page of size 1 is its oldest event (events come newest first; the first page
is checked too in case the order is ever reversed). About log2(13) + 2 ≈ 6 calls.

Assumption: windows older than the history start are empty and the ones after it
are not (a team idle for 30+ days in the middle of its history could hide older
events from the bisection; the answer is then still a day that has events).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from devspend.cursor.client import EVENTS_PATH, CursorClient
from devspend.cursor.endpoints import events_total, fetch_events_page
from devspend.cursor.schemas import parse_usage_event
from devspend.cursor.windows import DAY_MS, split_windows
from devspend.errors import CursorProtocolError


def _timestamps(body: Mapping[str, Any]) -> list[int]:
    return [parse_usage_event(e).timestamp_ms for e in body.get("usageEvents") or ()]


def find_history_start(
    client: CursorClient, *, now_ms: int, lookback_days: int = 365
) -> date | None:
    """The oldest UTC day with usage events within ``lookback_days``; ``None`` if none at all."""
    windows = split_windows(start_ms=now_ms - lookback_days * DAY_MS + 1, end_ms=now_ms)
    lo, hi = 0, len(windows) - 1
    oldest: tuple[int, Mapping[str, Any]] | None = None
    while lo <= hi:
        mid = (lo + hi) // 2
        first_page = fetch_events_page(client, window=windows[mid], page=1, page_size=1)
        if events_total(first_page) > 0:
            oldest = (mid, first_page)
            hi = mid - 1
        else:
            lo = mid + 1
    if oldest is None:
        return None
    index, first_page = oldest
    stamps = _timestamps(first_page)
    total = events_total(first_page)
    if total > 1:  # with pageSize 1, page ``total`` is the window's last event
        last_page = fetch_events_page(client, window=windows[index], page=total, page_size=1)
        stamps += _timestamps(last_page)
    if not stamps:
        raise CursorProtocolError(
            "usage events probe: Cursor counted events but sent none", endpoint=EVENTS_PATH
        )
    return datetime.fromtimestamp(min(stamps) / 1000, tz=UTC).date()
