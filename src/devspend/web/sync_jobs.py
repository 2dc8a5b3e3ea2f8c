"""Background syncs started from the web app (connect, "Sync now", the scheduler).

One thread per running sync, at most one per integration in this process; across
processes and replicas the sync lock (:func:`devspend.store.locks.sync_lock`) keeps
it to one, and a locked integration is simply skipped. The latest progress report
of each sync is kept in memory for the status endpoint; the integration row holds
the durable backfill progress every replica can read.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
from sqlalchemy import Engine

from devspend.errors import DevspendError, SyncLockedError
from devspend.settings import Settings
from devspend.sync.progress import SyncProgress
from devspend.sync.service import SyncResult, run_sync

log = logging.getLogger(__name__)


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


    @property
    def settings(self) -> Settings:
        return self._settings
    def start(self, integration_id: int, *, days: int | None = None) -> bool:
        """Start a sync unless one is already running here; ``True`` if one was started."""
        with self._lock:
            current = self._jobs.get(integration_id)
            if current is not None and current.running:
                return False
            state = JobState()
            self._jobs[integration_id] = state
            state.thread = threading.Thread(
                target=self._run, args=(integration_id, state, days),
                name=f"devspend-sync-{integration_id}", daemon=True,
            )  # fmt: skip
        state.thread.start()
        return True

    def run_now(self, integration_id: int, *, days: int | None = None) -> JobState:
        """Run a sync in the calling thread (the scheduler and tests use this)."""
        state = JobState()
        with self._lock:
            current = self._jobs.get(integration_id)
            if current is not None and current.running:
                return current
            self._jobs[integration_id] = state
        self._run(integration_id, state, days)
        return state

    def _run(self, integration_id: int, state: JobState, days: int | None) -> None:
        def report(progress: SyncProgress) -> None:
            state.progress = progress

        try:
            state.result = run_sync(
                self._engine, self._settings, integration_id=integration_id, days=days,
                progress=report, transport=self._transport,
            )  # fmt: skip
        except SyncLockedError:
            state.error = "Another process is syncing this team right now."
        except DevspendError as exc:
            state.error = str(exc)
        except Exception:
            log.exception("sync of integration %s failed", integration_id)
            state.error = "The sync failed unexpectedly; the server log has details."
        finally:
            state.running = False
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
