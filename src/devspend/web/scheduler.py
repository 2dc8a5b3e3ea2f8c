"""The scheduler ``devspend serve`` runs beside the web app: sync every team on a timer.

Every ``settings.sync_interval_minutes`` it runs an incremental sync of each
integration that is not stopped. Replicas may all run a scheduler: the sync lock
makes a second one skip an integration another process is syncing.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine

from devspend.alerts.check import check_quietly
from devspend.store.integrations import STOPPED_STATUSES
from devspend.sync.service import list_integrations
from devspend.web.sync_jobs import SyncJobs

log = logging.getLogger(__name__)


def due_integrations(engine: Engine) -> list[int]:
    """Integrations a scheduled sync should visit (stopped ones wait for a new key)."""
    with engine.connect() as conn:
        return [i.id for i in list_integrations(conn) if i.status not in STOPPED_STATUSES]


def sync_due(engine: Engine, jobs: SyncJobs) -> int:
    """One scheduler pass: sync each due integration in turn; returns how many were visited."""
    ids = due_integrations(engine)
    for integration_id in ids:
        state = jobs.run_now(integration_id)
        if state.error:
            log.info("scheduled sync of integration %s: %s", integration_id, state.error)
    check_quietly(engine, jobs.settings)  # alerts after every scheduled sync (h9)
    return len(ids)


class Scheduler:
    """A daemon thread calling :func:`sync_due` every ``interval_seconds`` until stopped."""

    def __init__(self, engine: Engine, jobs: SyncJobs, *, interval_seconds: float) -> None:
        self._engine = engine
        self._jobs = jobs
        self._interval = interval_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="devspend-scheduler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float | None = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                sync_due(self._engine, self._jobs)
            except Exception:
                log.exception("scheduled sync pass failed")
            self._stop.wait(self._interval)
