"""The events phase of a sync: fetch planned windows newest first, each written atomically.

Each window's pages stream into a :class:`~devspend.store.events.WindowWriter`; when
the last page is in, the writer replaces the window's stored events, recomputes
the touched days' summaries and — in the same transaction — checkpoints the window,
records the days' coverage and the integration's progress. A crash anywhere loses
at most the window in flight.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.engine import Connection, Engine

from devspend.cursor.client import EVENTS_PATH, CursorClient
from devspend.cursor.endpoints import iter_usage_event_pages
from devspend.errors import CursorProtocolError
from devspend.store.checkpoints import COMPLETE, PARTIAL, record_window, set_coverage
from devspend.store.dimensions import Dimensions
from devspend.store.events import WindowStats, WindowWriter
from devspend.store.integrations import update_integration
from devspend.sync.convert import stored_event
from devspend.sync.plan import Window, WindowPlanner, coverage_status_partial
from devspend.sync.progress import ProgressCallback, SyncProgress


@dataclass(frozen=True, slots=True)
class EventsOutcome:
    windows: int
    events: int
    days: int


def _checkpoint(
    conn: Connection,
    stats: WindowStats,
    *,
    integration_id: int,
    window: Window,
    lookback_start_ms: int,
    days_done: int,
) -> None:
    record_window(
        conn,
        integration_id=integration_id,
        start_ms=stats.start_ms,
        end_ms=stats.end_ms,
        events=stats.events,
    )
    days = [window.first_day + timedelta(days=i) for i in range(window.days)]
    partial = [d for d in days if coverage_status_partial(d, lookback_start_ms=lookback_start_ms)]
    complete = [d for d in days if d not in set(partial)]
    set_coverage(conn, integration_id=integration_id, days=partial, status=PARTIAL)
    set_coverage(conn, integration_id=integration_id, days=complete, status=COMPLETE)
    update_integration(conn, integration_id, backfill_days_done=days_done)


def sync_event_windows(
    engine: Engine,
    client: CursorClient,
    *,
    integration_id: int,
    planner: WindowPlanner,
    lookback_start_ms: int,
    progress: ProgressCallback | None = None,
) -> EventsOutcome:
    """Fetch and store every window the planner hands out; returns what was written."""
    dims = Dimensions(integration_id)
    started = time.monotonic()
    windows = events = 0

    def report(window: Window | None, in_flight: int) -> None:
        if progress is None:
            return
        done = planner.days_done
        elapsed = time.monotonic() - started
        eta = None
        if done and planner.days_total > done:
            eta = elapsed / done * (planner.days_total - done)
        progress(SyncProgress(
            integration_id=integration_id, phase="events", days_done=done,
            days_total=planner.days_total, events=events + in_flight, windows=windows,
            window_start_ms=None if window is None else window.start_ms,
            window_end_ms=None if window is None else window.end_ms, eta_seconds=eta,
        ))  # fmt: skip

    report(None, 0)
    while (window := planner.next_window()) is not None:
        fetched = 0
        with WindowWriter(
            engine,
            integration_id=integration_id,
            start_ms=window.start_ms,
            end_ms=window.end_ms,
            dimensions=dims,
            keep_if_empty=window.keep_if_empty,
        ) as writer:
            for page in iter_usage_event_pages(
                client, start_ms=window.start_ms, end_ms=window.end_ms
            ):
                try:
                    writer.add(stored_event(e) for e in page.events)
                except ValueError as exc:  # an event outside the range we asked for
                    raise CursorProtocolError(f"Cursor sent {exc}", endpoint=EVENTS_PATH) from exc
                fetched += len(page.events)
                report(window, fetched)
            days_done = planner.days_done + window.days

            def checkpoint(conn: Connection, stats: WindowStats, *, w: Window = window,
                           d: int = days_done) -> None:
                _checkpoint(conn, stats, integration_id=integration_id, window=w,
                            lookback_start_ms=lookback_start_ms, days_done=d)  # fmt: skip

            stats = writer.commit(checkpoint)
        planner.observe(window, stats.events)
        windows += 1
        events += stats.events
        report(window, 0)
    return EventsOutcome(windows=windows, events=events, days=planner.days_done)
