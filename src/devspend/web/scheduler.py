"""The scheduler ``devspend serve`` runs beside the web app: sync every team on a timer.

Every replica runs one, and they share one schedule (:mod:`devspend.store.schedule`):
each pass claims the integrations whose scheduled sync is due in the database and syncs
only those it won, so however many replicas run, each integration gets one scheduled
sync per ``settings.sync_interval_minutes`` (not one per replica, which would multiply
the calls against Cursor's per-minute limits). Replicas poll more often than the
interval (:func:`poll_seconds`) so a due sync starts soon whichever replica sees it.
Stopped integrations (revoked key, no Enterprise) wait for a new key.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import datetime, timedelta

from sqlalchemy import Engine

from devspend.alerts.check import check_quietly
from devspend.store.integrations import STOPPED_STATUSES
from devspend.store.schedule import claim_due
from devspend.sync.service import list_integrations
from devspend.web.clock import WallClock, utc_now
from devspend.web.sync_jobs import SyncJobs

log = logging.getLogger(__name__)


def due_integrations(engine: Engine) -> list[int]:
    """Integrations a scheduled sync should visit (stopped ones wait for a new key)."""
    with engine.connect() as conn:
        return [i.id for i in list_integrations(conn) if i.status not in STOPPED_STATUSES]


def replica_name() -> str:
    """Who claimed a scheduled sync (host and process), as the schedule row records it."""
    return f"{socket.gethostname()}:{os.getpid()}"


def poll_seconds(interval_seconds: float) -> float:
    """How often a replica looks for due syncs: a tenth of the interval, 1–30 s."""
    return min(30.0, max(1.0, interval_seconds / 10))


def sync_due(
    engine: Engine, jobs: SyncJobs, *, interval: timedelta, now: datetime, owner: str
) -> int:
    """One pass: claim each integration whose scheduled sync is due and sync it here.

    Returns how many this replica claimed (and so synced, or tried to: a sync another
    process holds the lock of is skipped and reported in its job state).
    """
    claimed = 0
    for integration_id in due_integrations(engine):
        won = claim_due(
            engine, integration_id=integration_id, now=now, interval=interval, owner=owner
        )
        if not won:
            continue
        claimed += 1
        jobs.run_now(integration_id, trigger="schedule")
    if claimed:
        check_quietly(engine, jobs.settings)  # alerts after every scheduled sync (h9)
    return claimed


class Scheduler:
    """A daemon thread running :func:`sync_due` every :func:`poll_seconds` until stopped."""

    def __init__(
        self,
        engine: Engine,
        jobs: SyncJobs,
        *,
        interval_seconds: float,
        clock: WallClock = utc_now,
    ) -> None:
        self._engine = engine
        self._jobs = jobs
        self._interval = timedelta(seconds=interval_seconds)
        self._poll = poll_seconds(interval_seconds)
        self._clock = clock
        self._owner = replica_name()
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
                sync_due(self._engine, self._jobs, interval=self._interval,
                         now=self._clock(), owner=self._owner)  # fmt: skip
            except Exception:
                log.exception("scheduled sync pass failed")
            self._stop.wait(self._poll)
