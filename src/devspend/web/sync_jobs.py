"""Background syncs started from the web app (connect, "Sync now", the scheduler).

One thread per running sync, at most one per integration in this process; across
processes and replicas the sync lock (:func:`devspend.store.locks.sync_lock`) keeps
it to one, and a locked integration is simply skipped. The latest progress report
of each sync is kept in memory for the status endpoint; the integration row holds
the durable backfill progress every replica can read.

Every sync ends in one log line (integration, trigger, status, events, windows, 429s,
seconds; never the key) and adds to this process's :class:`SyncCounters`, which
``/metrics`` exports.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import httpx
from sqlalchemy import Engine

from devspend.errors import DevspendError, SyncLockedError
from devspend.settings import Settings
from devspend.sync.progress import SyncProgress
from devspend.sync.service import SyncResult, run_sync

log = logging.getLogger(__name__)
Trigger = Literal["manual", "schedule"]


class CountingTransport(httpx.BaseTransport):
    """Counts the 429s one sync receives; closing it leaves the inner transport open."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self._inner = inner
        self.rate_limited = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._inner.handle_request(request)
        if response.status_code == 429:
            self.rate_limited += 1
        return response

    def close(self) -> None:
        """Nothing: the inner transport belongs to whoever made it."""


@dataclass
class SyncCounters:
    """What this process's syncs did, per integration (counters only ever grow)."""

    syncs: Counter[tuple[int, str]] = field(default_factory=Counter)  # (id, outcome)
    events: Counter[int] = field(default_factory=Counter)
    windows: Counter[int] = field(default_factory=Counter)
    rate_limited: Counter[int] = field(default_factory=Counter)
    errors: Counter[int] = field(default_factory=Counter)

    def record(self, integration_id: int, *, outcome: str, events: int, windows: int,
               rate_limited: int) -> None:  # fmt: skip
        self.syncs[(integration_id, outcome)] += 1
        self.events[integration_id] += events
        self.windows[integration_id] += windows
        self.rate_limited[integration_id] += rate_limited
        if outcome != "ok":
            self.errors[integration_id] += 1


@dataclass(slots=True)
class JobState:
    running: bool = True
    progress: SyncProgress | None = None
    result: SyncResult | None = None
    error: str | None = None
    thread: threading.Thread | None = field(default=None, repr=False)


class SyncJobs:
    """Starts syncs in background threads and remembers how each one is doing."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._engine = engine
        self._settings = settings
        self._transport = transport
        self._lock = threading.Lock()
        self._jobs: dict[int, JobState] = {}
        self.on_finished: Callable[[], None] | None = None
        self.counters = SyncCounters()

    @property
    def settings(self) -> Settings:
        return self._settings

    def start(
        self, integration_id: int, *, days: int | None = None, trigger: Trigger = "manual"
    ) -> bool:
        """Start a sync unless one is already running here; ``True`` if one was started."""
        with self._lock:
            current = self._jobs.get(integration_id)
            if current is not None and current.running:
                return False
            state = JobState()
            self._jobs[integration_id] = state
            state.thread = threading.Thread(
                target=self._run, args=(integration_id, state, days, trigger),
                name=f"devspend-sync-{integration_id}", daemon=True,
            )  # fmt: skip
        state.thread.start()
        return True

    def run_now(
        self, integration_id: int, *, days: int | None = None, trigger: Trigger = "manual"
    ) -> JobState:
        """Run a sync in the calling thread (the scheduler and tests use this)."""
        state = JobState()
        with self._lock:
            current = self._jobs.get(integration_id)
            if current is not None and current.running:
                return current
            self._jobs[integration_id] = state
        self._run(integration_id, state, days, trigger)
        return state

    def _run(self, integration_id: int, state: JobState, days: int | None,
             trigger: Trigger) -> None:  # fmt: skip
        def report(progress: SyncProgress) -> None:
            state.progress = progress

        started = time.monotonic()
        inner, own = self._transport, None
        if inner is None:  # what the Cursor client would make, but counted
            inner = own = httpx.HTTPTransport()
        counting = CountingTransport(inner)
        outcome = "error"
        try:
            state.result = run_sync(
                self._engine, self._settings, integration_id=integration_id, days=days,
                progress=report, transport=counting,
            )  # fmt: skip
            outcome = state.result.status
        except SyncLockedError:
            state.error = "Another process is syncing this team right now."
            outcome = "locked"
        except DevspendError as exc:
            state.error = str(exc)
        except Exception:
            log.exception("sync of integration %s failed", integration_id)
            state.error = "The sync failed unexpectedly; the server log has details."
        finally:
            if own is not None:
                own.close()
            self._finish(integration_id, state, trigger=trigger, outcome=outcome,
                         rate_limited=counting.rate_limited,
                         seconds=time.monotonic() - started)  # fmt: skip

    def _finish(self, integration_id: int, state: JobState, *, trigger: Trigger, outcome: str,
                rate_limited: int, seconds: float) -> None:  # fmt: skip
        state.running = False
        result = state.result
        events = result.events if result is not None else 0
        windows = result.windows if result is not None else 0
        self.counters.record(integration_id, outcome=outcome, events=events, windows=windows,
                             rate_limited=rate_limited)  # fmt: skip
        message = state.error or (result.message if result is not None else None)
        level = logging.INFO if outcome in ("ok", "locked") else logging.WARNING
        log.log(
            level,
            "sync integration=%s trigger=%s status=%s events=%s windows=%s rate_limited=%s "
            "seconds=%.1f%s", integration_id, trigger, outcome, events, windows, rate_limited,
            seconds, f" message={message!r}" if message else "",
            extra={"integration_id": integration_id, "trigger": trigger, "status": outcome,
                   "events": events, "windows": windows, "rate_limited": rate_limited,
                   "seconds": round(seconds, 3)},
        )  # fmt: skip
        if self.on_finished is not None:
            self.on_finished()

    def state(self, integration_id: int) -> JobState | None:
        return self._jobs.get(integration_id)

    def is_running(self, integration_id: int) -> bool:
        state = self._jobs.get(integration_id)
        return state is not None and state.running

    def wait(self, integration_id: int, timeout: float | None = None) -> JobState | None:
        """Block until the integration's background sync ends (tests, the demo)."""
        state = self._jobs.get(integration_id)
        if state is not None and state.thread is not None:
            state.thread.join(timeout)
        return state
