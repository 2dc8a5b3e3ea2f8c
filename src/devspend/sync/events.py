"""The events lane of a sync: planned windows newest first, each written atomically.

The lane's thread fetches and parses a window's pages and hands them to the writer
(see :mod:`devspend.sync.lanes`), which streams them into a
:class:`~devspend.store.events.WindowWriter`; after the window's last page the
writer replaces the window's stored events, recomputes the touched days' summaries
and — in the same transaction — checkpoints the window, records the days' coverage
and the integration's progress. A crash anywhere loses at most the windows still
in the queue. The planner sizes each window from the events fetched so far, so the
lane plans ahead of the writer without waiting for it.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.engine import Connection, Engine

from devspend.cursor.client import EVENTS_PATH
from devspend.cursor.event_page import iter_event_texts
from devspend.errors import CursorProtocolError
from devspend.store.checkpoints import COMPLETE, PARTIAL, record_window, set_coverage
from devspend.store.dimensions import Dimensions
from devspend.store.events import StoredEvent, WindowStats, WindowWriter
from devspend.store.integrations import update_integration
from devspend.store.team_snapshots import refresh_activity_days
from devspend.sync.convert import stored_event_text
from devspend.sync.lanes import LaneContext
from devspend.sync.plan import Window, WindowPlanner, coverage_status_partial
from devspend.sync.progress import SyncProgress

RESULT = "events"  # the key of this lane's EventsOutcome in LaneContext.results


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


class _EventsWriter:
    """The writer-thread half of the lane: one open window at a time, committed in order."""

    def __init__(self, ctx: LaneContext, *, days_total: int) -> None:
        self._ctx = ctx
        self._dims = Dimensions(ctx.integration_id)
        self._writer: WindowWriter | None = None
        self._days_total = days_total
        self._started = time.monotonic()
        self.windows = 0
        self.events = 0
        self.days_done = 0
        self._in_flight = 0

    def start(self, engine: Engine) -> None:
        self.report(None)

    def open(self, engine: Engine, *, window: Window) -> None:
        self._writer = WindowWriter(
            engine, integration_id=self._ctx.integration_id, start_ms=window.start_ms,
            end_ms=window.end_ms, dimensions=self._dims, keep_if_empty=window.keep_if_empty,
        )  # fmt: skip
        self._in_flight = 0

    def add(self, engine: Engine, *, window: Window, rows: list[StoredEvent]) -> None:
        assert self._writer is not None
        try:
            self._writer.add(rows)
        except ValueError as exc:  # an event outside the range we asked for
            raise CursorProtocolError(f"Cursor sent {exc}", endpoint=EVENTS_PATH) from exc
        self._in_flight += len(rows)
        self.report(window)

    def commit(self, engine: Engine, *, window: Window, days_done: int) -> None:
        assert self._writer is not None
        ctx = self._ctx

        def checkpoint(conn: Connection, stats: WindowStats) -> None:
            _checkpoint(conn, stats, integration_id=ctx.integration_id, window=window,
                        lookback_start_ms=ctx.lookback_start_ms, days_done=days_done)  # fmt: skip

        stats = self._writer.commit(checkpoint)
        self._writer = None
        self._in_flight = 0
        self.windows += 1
        self.events += stats.events
        self.days_done = days_done
        self.report(window)

    def finish(self, engine: Engine) -> None:
        with engine.begin() as conn:
            refresh_activity_days(conn, integration_id=self._ctx.integration_id)
        self._ctx.results[RESULT] = EventsOutcome(
            windows=self.windows, events=self.events, days=self.days_done
        )

    def abort(self, engine: Engine) -> None:
        """Roll back a window left open (the sync stopped mid-window)."""
        if self._writer is not None:
            self._writer.abort()
            self._writer = None

    def report(self, window: Window | None) -> None:
        progress = self._ctx.progress
        if progress is None:
            return
        done = self.days_done
        elapsed = time.monotonic() - self._started
        eta = None
        if done and self._days_total > done:
            eta = elapsed / done * (self._days_total - done)
        progress(SyncProgress(
            integration_id=self._ctx.integration_id, phase="events", days_done=done,
            days_total=self._days_total, events=self.events + self._in_flight,
            windows=self.windows,
            window_start_ms=None if window is None else window.start_ms,
            window_end_ms=None if window is None else window.end_ms, eta_seconds=eta,
        ))  # fmt: skip


PageSource = Callable[[Window], Iterable[list[StoredEvent]]]


def _cursor_pages(ctx: LaneContext) -> PageSource:
    def pages(window: Window) -> Iterator[list[StoredEvent]]:
        for items in iter_event_texts(ctx.client, start_ms=window.start_ms,
                                      end_ms=window.end_ms):  # fmt: skip
            yield [stored_event_text(obj, text) for obj, text in items]

    return pages


def fetch_events(ctx: LaneContext) -> None:
    """The events lane: every planned window, newest first, its pages handed to the writer."""
    fetch_event_windows(ctx, pages=_cursor_pages(ctx))


def fetch_event_windows(ctx: LaneContext, *, pages: PageSource) -> None:
    """The lane's loop over the planned windows with any source of pages (benchmarks feed
    generated pages through exactly this path)."""
    planner = WindowPlanner(ctx.days, now_ms=ctx.now_ms, lookback_start_ms=ctx.lookback_start_ms)
    writer = _EventsWriter(ctx, days_total=planner.days_total)
    ctx.on_close(writer.abort)
    ctx.write(writer.start)
    while (window := planner.next_window()) is not None:
        ctx.write(functools.partial(writer.open, window=window))
        fetched = 0
        for rows in pages(window):
            fetched += len(rows)
            ctx.write(functools.partial(writer.add, window=window, rows=rows))
        days_done = planner.days_done + window.days
        planner.observe(window, fetched)
        ctx.write(functools.partial(writer.commit, window=window, days_done=days_done))
    ctx.write(writer.finish)
