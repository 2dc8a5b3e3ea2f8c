"""Lanes: Cursor's separately limited endpoints fetched side by side, written by one writer.

Cursor limits each endpoint on its own (60/min usage events, 20/min the rest), so a
sync that fetched them one after another waited on each limit in turn. Each
:class:`Lane` fetches from one endpoint on its own thread, paced by that endpoint's
own :class:`~devspend.cursor.pacing.Pacer`; a 429 or a slow answer there holds up only
that lane. Lanes never touch the database: they hand *write jobs* to one bounded
queue, and the sync's own thread is the only writer, running the jobs in order. So
fetching and parsing overlap the database writes, SQLite sees one writer, and every
transaction, checkpoint and crash guarantee of a write is exactly what it was when
the phases ran in sequence. The required lane's writes (usage events) go before the
side lanes' when both wait, so side lanes never hold up the headline data.

:data:`devspend.sync.registry.LANES` is the registry. A lane that must see another's
writes first names it in ``after`` (the spend snapshot is fetched right after the
usage-event windows of the same sync, so the two reconcile). Adding an endpoint is
one line there plus its fetch function (and one line in
:data:`devspend.cursor.client.ENDPOINTS`).

Errors: a ``required`` lane's error stops the sync; another lane's CursorError is
noted (``"<lane> skipped: …"``) and the sync goes on, except a bad key (401), which
stops everything. Stopping cancels the other lanes at their next wait.
"""

from __future__ import annotations

import functools
import itertools
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.engine import Engine

from devspend.cursor.client import CursorClient
from devspend.cursor.clock import Clock, SystemClock
from devspend.errors import CursorAuthError, CursorError
from devspend.sync.progress import ProgressCallback

log = logging.getLogger(__name__)

WriteJob = Callable[[Engine], None]
QUEUE_SIZE = 8  # pages of up to 1,000 events: bounds the memory between fetch and write
JOIN_SECONDS = 5.0


class LaneCancelled(Exception):
    """Raised inside a lane's thread when the sync stopped: the lane just ends."""


class CancellableClock:
    """The client's clock, but every wait ends early (raising) once the sync is stopped."""

    def __init__(self, inner: Clock, cancelled: threading.Event) -> None:
        self._inner = inner
        self._cancelled = cancelled

    def monotonic(self) -> float:
        return self._inner.monotonic()

    def sleep(self, seconds: float) -> None:
        if self._cancelled.is_set():
            raise LaneCancelled
        if type(self._inner) is SystemClock:
            if self._cancelled.wait(max(seconds, 0.0)):
                raise LaneCancelled
            return
        self._inner.sleep(seconds)
        if self._cancelled.is_set():
            raise LaneCancelled


@dataclass(slots=True)
class LaneContext:
    """What a lane's fetch function gets: the client, the plan, and where writes go."""

    client: CursorClient
    integration_id: int
    now_ms: int  # the sync's "now": what the events are fetched up to
    wall_ms: Callable[[], int]  # the clock on the wall (the same as now_ms in tests)
    days: list[date]  # the planned days, newest first
    lookback_start_ms: int
    progress: ProgressCallback | None
    write: Callable[[WriteJob], None]
    on_close: Callable[[WriteJob], None]  # run by the writer when the lanes are over
    results: dict[str, Any] = field(default_factory=dict)  # filled by write jobs


@dataclass(frozen=True, slots=True)
class Lane:
    """One endpoint's fetching: ``fetch`` runs on its own thread and only calls ``ctx.write``."""

    name: str  # also its progress phase and the label of its notes
    endpoint: str  # the path whose rate limit paces it
    fetch: Callable[[LaneContext], None]
    required: bool = False
    after: str | None = None  # start once this lane has finished and its writes are in


@dataclass(frozen=True, slots=True)
class _Finished:
    lane: str
    error: BaseException | None


@dataclass(slots=True)
class _Runner:
    engine: Engine
    lanes: Sequence[Lane]
    make_context: Callable[[Callable[[WriteJob], None], Callable[[WriteJob], None]], LaneContext]
    cancelled: threading.Event
    on_start: Callable[[Lane, bool], None]
    notes: list[str] = field(default_factory=list)
    _queue: queue.PriorityQueue[tuple[int, int, WriteJob | _Finished]] = field(
        default_factory=lambda: queue.PriorityQueue(maxsize=QUEUE_SIZE)
    )
    _order: Iterator[int] = field(default_factory=itertools.count)
    _closers: list[WriteJob] = field(default_factory=list)
    _threads: list[threading.Thread] = field(default_factory=list)
    _succeeded: set[str] = field(default_factory=set)
    _started: set[str] = field(default_factory=set)
    _running: set[str] = field(default_factory=set)

    def put(self, lane: Lane, item: WriteJob | _Finished) -> None:
        """Queue an item, blocking while the writer is behind; gives up once cancelled.

        A required lane's items go first (the usage events are what every page shows;
        side lanes fill the writer's idle time), each lane's in the order sent.
        """
        entry = (0 if lane.required else 1, next(self._order), item)
        while True:
            if self.cancelled.is_set():
                raise LaneCancelled
            try:
                self._queue.put(entry, timeout=0.1)
                return
            except queue.Full:
                continue

    def _thread_main(self, lane: Lane, ctx: LaneContext) -> None:
        error: BaseException | None = None
        try:
            lane.fetch(ctx)
        except LaneCancelled:
            return
        except BaseException as exc:  # handed to the writer thread, which decides
            error = exc
        try:
            self.put(lane, _Finished(lane.name, error))
        except LaneCancelled:
            return

    def _start_ready(self) -> None:
        for lane in self.lanes:
            if lane.name in self._started:
                continue
            if lane.after is not None and lane.after not in self._succeeded:
                continue
            self._started.add(lane.name)
            self._running.add(lane.name)
            self.on_start(lane, any(ln.required for ln in self.lanes if ln.name in self._running
                                    and ln is not lane))  # fmt: skip
            ctx = self.make_context(functools.partial(self.put, lane), self._closers.append)
            thread = threading.Thread(target=self._thread_main, args=(lane, ctx),
                                      name=f"devspend-lane-{lane.name}", daemon=True)  # fmt: skip
            self._threads.append(thread)
            thread.start()

    def _finished(self, item: _Finished) -> None:
        self._running.discard(item.lane)
        lane = next(ln for ln in self.lanes if ln.name == item.lane)
        error = item.error
        if error is None:
            self._succeeded.add(lane.name)
            return
        if lane.required or isinstance(error, CursorAuthError | LaneCancelled):
            raise error
        if not isinstance(error, CursorError):
            raise error  # a bug, not Cursor: never swallow it
        note = f"{lane.name} skipped: {error}"
        log.info(note)
        self.notes.append(note)

    def run(self) -> None:
        try:
            self._start_ready()
            while self._running:
                _, _, item = self._queue.get()
                if isinstance(item, _Finished):
                    self._finished(item)
                    self._start_ready()
                else:
                    item(self.engine)
            for lane in self.lanes:
                if lane.name not in self._started:
                    self.notes.append(f"{lane.name} skipped: {lane.after} did not finish")
        except BaseException:
            self.cancelled.set()  # the sync stops: the other lanes end at their next wait
            raise
        finally:
            for closer in self._closers:
                closer(self.engine)
            deadline = time.monotonic() + JOIN_SECONDS  # for all of them: Ctrl-C stays quick
            for thread in self._threads:
                thread.join(timeout=max(0.0, deadline - time.monotonic()))


def run_lanes(
    engine: Engine,
    lanes: Sequence[Lane],
    *,
    make_context: Callable[
        [Callable[[WriteJob], None], Callable[[WriteJob], None]], LaneContext
    ],
    cancelled: threading.Event,
    on_start: Callable[[Lane, bool], None] | None = None,
) -> list[str]:
    """Run ``lanes`` to the end (writing on this thread); returns the notes of skipped ones.

    ``make_context(write, on_close)`` builds each lane's context. ``on_start(lane,
    beside_required)`` is told when a lane starts and whether a required lane is still
    running beside it (progress shows the main phase, not every side lane). Raises the
    error that stopped the sync, after cancelling the other lanes.
    """
    runner = _Runner(engine=engine, lanes=lanes, make_context=make_context, cancelled=cancelled,
                     on_start=on_start or (lambda lane, beside: None))  # fmt: skip
    runner.run()
    return runner.notes
