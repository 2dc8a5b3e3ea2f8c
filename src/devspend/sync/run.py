"""``run_sync``: one complete, locked, resumable sync of one integration.

Order: members, then the lanes of :data:`devspend.sync.registry.LANES` side by side,
each at its own endpoint's rate limit — usage events (newest windows first, then the
spend snapshot), per-day usage rows, billing groups, AI Code Tracking commits and
changes (``sync.ai_code``). Errors from Cursor become the integration's status instead of
tracebacks: 401 marks it ``key_invalid`` and stops it (data kept), 403
``not_enterprise``, exhausted retries ``rate_limited``/``error``. A 429 only slows
that endpoint's lane down. A second sync of the same integration raises
:class:`~devspend.errors.SyncLockedError` at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx
from sqlalchemy.engine import Engine

from devspend.cursor.client import CursorClient
from devspend.cursor.clock import Clock, SystemClock
from devspend.cursor.history import find_history_start
from devspend.errors import (
    CursorAuthError,
    CursorError,
    CursorPlanError,
    CursorUnavailableError,
)
from devspend.settings import Settings
from devspend.store.checkpoints import completed_days, mark_unavailable
from devspend.store.events import MS_PER_DAY, day_of
from devspend.store.integrations import (
    STOPPED_STATUSES,
    Integration,
    Status,
    encrypted_key,
    get_integration,
    set_status,
    update_integration,
    utcnow,
)
from devspend.store.locks import sync_lock
from devspend.store.secrets import secret_box
from devspend.sync.events import RESULT as EVENTS_RESULT
from devspend.sync.events import EventsOutcome
from devspend.sync.lanes import CancellableClock, Lane, LaneContext, WriteJob, run_lanes
from devspend.sync.plan import days_to_fetch
from devspend.sync.progress import ProgressCallback, SyncProgress
from devspend.sync.registry import LANES
from devspend.sync.team import sync_members

log = logging.getLogger(__name__)

KEY_REVOKED_MESSAGE = "the key was revoked or rotated; reconnect with a new key"


@dataclass(slots=True)
class SyncResult:
    """What a sync did and how it ended (``status`` is the integration's new status)."""

    integration_id: int
    status: str
    message: str | None = None
    windows: int = 0
    events: int = 0
    days: int = 0
    members: int = 0
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    requests: dict[str, int] = field(default_factory=dict)  # sent to Cursor, per endpoint
    rate_limited: int = 0  # of them answered 429

    @property
    def ok(self) -> bool:
        return self.status == Status.OK.value


def _now_ms() -> int:
    return int(time.time() * 1000)


def run_sync(
    engine: Engine,
    settings: Settings,
    *,
    integration_id: int,
    days: int | None = None,
    progress: ProgressCallback | None = None,
    transport: httpx.BaseTransport | None = None,
    now_ms: int | None = None,
    clock: Clock | None = None,
) -> SyncResult:
    """Bring one integration up to date; see the module docstring for the rules.

    ``days`` bounds the backfill (default ``settings.backfill_days``); ``now_ms``,
    ``transport`` and ``clock`` let tests and the demo drive a fake Cursor in-process.
    """
    with sync_lock(engine, integration_id):
        with engine.begin() as conn:
            integration = get_integration(conn, integration_id)
            token = encrypted_key(conn, integration_id)
        if integration.status in STOPPED_STATUSES:
            return SyncResult(
                integration_id=integration_id,
                status=integration.status,
                message=integration.status_message
                or f"integration {integration_id} is stopped ({integration.status}); "
                "reconnect it with a new key",
            )
        api_key = secret_box(settings).decrypt(token)
        cancelled = threading.Event()  # set when the sync stops: lanes end at their next wait
        lane_clock = CancellableClock(clock or SystemClock(), cancelled)
        with CursorClient.from_settings(
            settings, api_key=api_key, transport=transport, clock=lane_clock
        ) as client:
            return _guarded(
                engine, settings, client, integration,
                days=days or settings.backfill_days, progress=progress,
                now_ms=now_ms if now_ms is not None else _now_ms(),
                wall_ms=_now_ms if now_ms is None else (lambda: now_ms), cancelled=cancelled,
            )  # fmt: skip


def _guarded(
    engine: Engine,
    settings: Settings,
    client: CursorClient,
    integration: Integration,
    *,
    days: int,
    progress: ProgressCallback | None,
    now_ms: int,
    wall_ms: Callable[[], int],
    cancelled: threading.Event,
) -> SyncResult:
    started = time.monotonic()
    result = SyncResult(integration_id=integration.id, status=Status.OK.value)
    status: Status = Status.OK
    message: str | None = None
    try:
        _sync(engine, settings, client, integration, result, days=days, progress=progress,
              now_ms=now_ms, wall_ms=wall_ms, cancelled=cancelled)  # fmt: skip
    except CursorAuthError:
        status, message = Status.KEY_INVALID, KEY_REVOKED_MESSAGE
    except CursorPlanError as exc:
        status, message = Status.NOT_ENTERPRISE, str(exc)
    except CursorUnavailableError as exc:
        limited = sum(client.stats.rate_limited.values()) > 0
        status, message = (Status.RATE_LIMITED if limited else Status.ERROR), str(exc)
    except CursorError as exc:
        status, message = Status.ERROR, str(exc)
    except BaseException as exc:
        with engine.begin() as conn:
            set_status(conn, integration.id, Status.ERROR, f"sync failed: {exc!r}"[:500])
        raise
    result.status, result.message = status.value, message
    result.seconds = time.monotonic() - started
    result.requests = dict(client.stats.sent)
    result.rate_limited = sum(client.stats.rate_limited.values())
    with engine.begin() as conn:
        if status is Status.OK:
            update_integration(
                conn, integration.id, status=Status.OK.value, status_message=None,
                last_sync_at=utcnow(), watermark_ms=now_ms,
            )  # fmt: skip
        else:
            set_status(conn, integration.id, status, message)
    if progress is not None:
        progress(SyncProgress(integration_id=integration.id, phase="done", days_done=result.days,
                              days_total=result.days, events=result.events,
                              windows=result.windows))  # fmt: skip
    return result


def _sync(
    engine: Engine,
    settings: Settings,
    client: CursorClient,
    integration: Integration,
    result: SyncResult,
    *,
    days: int,
    progress: ProgressCallback | None,
    now_ms: int,
    wall_ms: Callable[[], int],
    cancelled: threading.Event,
) -> None:
    """``wall_ms`` is "now" when the spend gauge is taken (the injected ``now_ms`` in tests)."""
    iid = integration.id
    with engine.begin() as conn:
        update_integration(conn, iid, last_attempt_at=utcnow())
    if progress is not None:
        progress(SyncProgress(integration_id=iid, phase="members", days_done=0, days_total=0,
                              events=0, windows=0))  # fmt: skip
    today = day_of(now_ms)
    result.members = sync_members(engine, client, integration_id=iid, today=today)

    lookback_start_ms = now_ms - settings.sync_lookback_hours * 3_600_000
    recent_first_day = day_of(max(lookback_start_ms, 0))
    range_first_day = today - timedelta(days=days - 1)
    with engine.connect() as conn:
        done = completed_days(conn, integration_id=iid)
    history_start = integration.history_start
    if history_start is None and any(
        range_first_day + timedelta(days=i) not in done
        for i in range((recent_first_day - range_first_day).days)
    ):
        history_start = find_history_start(client, now_ms=now_ms, lookback_days=days)
        with engine.begin() as conn:
            update_integration(conn, iid, history_start=history_start)
    first_day = max(range_first_day, history_start) if history_start else recent_first_day
    plan = days_to_fetch(
        today=today, first_day=first_day, recent_first_day=recent_first_day, completed=done
    )
    needs_backfill = any(d < recent_first_day for d in plan)
    with engine.begin() as conn:
        mark_unavailable(conn, integration_id=iid, first=range_first_day,
                         last=first_day - timedelta(days=1))  # fmt: skip
        update_integration(
            conn, iid, backfill_days_total=len(plan), backfill_days_done=0,
            backfill_start_ms=(first_day - date(1970, 1, 1)).days * MS_PER_DAY,
        )  # fmt: skip
        if needs_backfill:
            set_status(conn, iid, Status.BACKFILLING,
                       f"backfilling {len(plan)} days, newest first")  # fmt: skip

    def context(write: Callable[[WriteJob], None],
                on_close: Callable[[WriteJob], None]) -> LaneContext:  # fmt: skip
        return LaneContext(client=client, integration_id=iid, now_ms=now_ms, wall_ms=wall_ms,
                           days=plan, lookback_start_ms=lookback_start_ms, progress=progress,
                           write=write, on_close=on_close, results=results)  # fmt: skip

    def on_start(lane: Lane, beside_required: bool) -> None:
        if progress is None or lane.required or beside_required:
            return  # while the events run, progress is about them
        done = results.get(EVENTS_RESULT) or EventsOutcome(windows=0, events=0, days=0)
        progress(SyncProgress(integration_id=iid, phase=lane.name, days_done=done.days,
                              days_total=done.days, events=done.events,
                              windows=done.windows))  # fmt: skip

    results: dict[str, Any] = {}
    notes = run_lanes(engine, LANES, make_context=context, cancelled=cancelled,
                      on_start=on_start)  # fmt: skip
    events: EventsOutcome = results[EVENTS_RESULT]
    result.windows, result.events, result.days = events.windows, events.events, events.days
    result.notes.extend(notes)
