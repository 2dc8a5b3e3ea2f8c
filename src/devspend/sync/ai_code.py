"""The AI Code Tracking lanes of a sync: commits and accepted AI changes, incrementally.

Two lanes (``ai_code_commits``, ``ai_code_changes``; :data:`devspend.sync.registry.LANES`),
each at its endpoint's own 20/min beside the other lanes. Per endpoint, the days to
fetch are those from the sync's first day (the integration's ``backfill_start_ms``) to
today that are not yet ``complete``, plus the look-back (recent days still changing):
the look-back first, as one window of its own, then older runs newest first, in
windows of at most :data:`WINDOW_DAYS` whole UTC days. Every request is conditional
on the ETag stored with its page, so re-reading unchanged days costs 304s, which
Cursor does not count against the limit.

The lanes never touch the database: what they need (coverage, ETags, the first day)
is read by a job on the writer thread, and each page's rows and its ETag are written
by one job, in one transaction; a window's days are marked covered only once all its
pages are in. Rows are upserted on their identity, so a page stored twice — a resumed
crash, a re-sync — leaves exactly the same rows.

A team without access (403, or the 401 some servers send for it: the same key just
read the Admin API) is recorded as ``denied`` with the reason and the lane ends with
a note; nothing else of the sync is affected.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from devspend.cursor.ai_code import AI_CODE_PATHS, COMMITS, Known, iter_ai_code_pages
from devspend.cursor.ai_code_schemas import AiChange, AiCommit
from devspend.errors import CursorAuthError, CursorPlanError
from devspend.store.ai_code import (
    ACCESS_DENIED,
    ACCESS_OK,
    ai_code_coverage_days,
    set_ai_code_access,
    set_ai_code_coverage,
    store_ai_code_page,
    stored_requests,
)
from devspend.store.checkpoints import COMPLETE, PARTIAL
from devspend.store.events import day_of
from devspend.store.tables import integrations
from devspend.sync.lanes import LaneContext
from devspend.sync.progress import SyncProgress

log = logging.getLogger(__name__)

WINDOW_DAYS = 30
NO_ACCESS = (
    "AI Code Tracking is not available to this key ({reason}): it needs an Enterprise team "
    "with access to Cursor's AI Code Tracking API. Usage, spend and adoption are unaffected."
)
REASONS = {
    CursorPlanError: "403 Enterprise access required",
    CursorAuthError: "401 on the AI Code Tracking endpoints, while the Admin API takes the key",
}
RESULT_KEY = "ai_code"


@dataclass(slots=True)
class AiCodeOutcome:
    """What the lanes did: rows stored (as sent, 304s excluded), windows, 304s, access."""

    commits: int = 0
    changes: int = 0
    windows: int = 0
    not_modified: int = 0
    denied: str | None = None


@dataclass(slots=True)
class _State:
    """What a lane needs from the database, read on the writer thread."""

    first: date | None = None
    coverage: dict[date, str] = field(default_factory=dict)
    known: dict[str, Known] = field(default_factory=dict)
    ready: threading.Event = field(default_factory=threading.Event)


def commit_row(c: AiCommit) -> dict[str, Any]:
    """A commit as an ``ai_code_commits`` row (without the integration id)."""
    return {
        "commit_hash": c.commit_hash, "created_at_ms": c.created_at_ms, "day": c.day,
        "commit_ts_ms": c.commit_ts_ms, "email": c.email, "cursor_user_id": c.user_id,
        "repo_name": c.repo_name, "branch_name": c.branch_name,
        "is_primary_branch": c.is_primary_branch, "commit_source": c.commit_source,
        "total_lines_added": c.total_lines_added, "total_lines_deleted": c.total_lines_deleted,
        "tab_lines_added": c.tab_lines_added, "tab_lines_deleted": c.tab_lines_deleted,
        "composer_lines_added": c.composer_lines_added,
        "composer_lines_deleted": c.composer_lines_deleted,
        "non_ai_lines_added": c.non_ai_lines_added,
        "non_ai_lines_deleted": c.non_ai_lines_deleted,
        "non_ai_derived": c.non_ai_derived, "message": c.message, "raw": c.raw_json,
    }  # fmt: skip


def change_row(c: AiChange) -> dict[str, Any]:
    """A change as an ``ai_code_changes`` row (without the integration id)."""
    return {
        "change_id": c.change_id, "created_at_ms": c.created_at_ms, "day": c.day,
        "email": c.email, "cursor_user_id": c.user_id, "source": c.source, "model": c.model,
        "total_lines_added": c.total_lines_added, "total_lines_deleted": c.total_lines_deleted,
        "files": len(c.files), "raw": c.raw_json,
    }  # fmt: skip


def plan_windows(
    *, first: date, today: date, recent_first_day: date, coverage: dict[date, str],
    window_days: int = WINDOW_DAYS,
) -> list[tuple[date, date]]:
    """Windows of days to fetch, newest first: the look-back, then older days not complete.

    The look-back is always one window of its own, so every sync of a day asks the
    very same URLs and their ETags can match (a 304 instead of a page).
    """
    look_back = (max(first, recent_first_day), today)
    windows: list[tuple[date, date]] = [look_back] if look_back[0] <= today else []
    older = [
        first + timedelta(days=i)
        for i in range((min(today + timedelta(days=1), recent_first_day) - first).days)
        if coverage.get(first + timedelta(days=i)) != COMPLETE
    ]
    runs: list[tuple[date, date]] = []
    for day in reversed(older):
        if runs:
            lo, hi = runs[-1]
            if lo - timedelta(days=1) == day and (hi - day).days < window_days:
                runs[-1] = (day, hi)
                continue
        runs.append((day, day))
    return windows + runs


def _days(lo: date, hi: date) -> Iterator[date]:
    return (lo + timedelta(days=i) for i in range((hi - lo).days + 1))


def _read_state(ctx: LaneContext, endpoint: str) -> _State:
    """Ask the writer thread for this endpoint's coverage, ETags and first day; wait."""
    state = _State()

    def read(engine: Engine) -> None:
        with engine.connect() as conn:
            start_ms = conn.execute(sa.select(integrations.c.backfill_start_ms).where(
                integrations.c.id == ctx.integration_id)).scalar()  # fmt: skip
            state.first = None if start_ms is None else day_of(int(start_ms))
            state.coverage = ai_code_coverage_days(conn, integration_id=ctx.integration_id,
                                                   endpoint=endpoint)  # fmt: skip
            state.known = {
                key: Known(etag=r.etag, total_count=r.total_count)
                for key, r in stored_requests(conn, integration_id=ctx.integration_id,
                                              endpoint=endpoint).items()
            }
        state.ready.set()

    ctx.write(read)
    while not state.ready.wait(0.05):
        ctx.client.clock.sleep(0)  # raises once the sync is cancelled
    return state


def _outcome(ctx: LaneContext) -> AiCodeOutcome:
    found = ctx.results.setdefault(RESULT_KEY, AiCodeOutcome())
    assert isinstance(found, AiCodeOutcome)
    return found


def fetch_ai_code(endpoint: str) -> Callable[[LaneContext], None]:
    """The lane of one AI Code Tracking endpoint (see the module docstring)."""

    def fetch(ctx: LaneContext) -> None:
        iid = ctx.integration_id
        state = _read_state(ctx, endpoint)
        today = day_of(ctx.now_ms)
        recent = day_of(max(ctx.lookback_start_ms, 0))
        first = min([state.first or recent, *ctx.days, recent])
        windows = plan_windows(first=first, today=today, recent_first_day=recent,
                               coverage=state.coverage)  # fmt: skip
        try:
            for number, (lo, hi) in enumerate(windows, start=1):
                _fetch_window(ctx, endpoint, state, lo=lo, hi=hi, recent=recent,
                              number=number, of=len(windows))  # fmt: skip
        except (CursorAuthError, CursorPlanError) as exc:
            reason = next((r for kind, r in REASONS.items() if isinstance(exc, kind)), str(exc))
            message = NO_ACCESS.format(reason=reason)

            def denied(engine: Engine) -> None:
                _outcome(ctx).denied = message
                with engine.begin() as conn:
                    set_ai_code_access(conn, integration_id=iid, status=ACCESS_DENIED,
                                       message=message)  # fmt: skip

            ctx.write(denied)
            log.info("integration %s: %s", iid, message)
            raise CursorPlanError(message, endpoint=AI_CODE_PATHS[endpoint]) from None

        def allowed(engine: Engine) -> None:
            with engine.begin() as conn:
                set_ai_code_access(conn, integration_id=iid, status=ACCESS_OK, message=None)

        ctx.write(allowed)

    return fetch


def _fetch_window(
    ctx: LaneContext, endpoint: str, state: _State, *, lo: date, hi: date, recent: date,
    number: int, of: int,
) -> None:  # fmt: skip
    iid = ctx.integration_id
    to_row = commit_row if endpoint == COMMITS else change_row
    for page in iter_ai_code_pages(ctx.client, endpoint, first=lo, last=hi,
                                   known=state.known.get):  # fmt: skip
        if page.not_modified:
            _outcome(ctx).not_modified += 1  # a plain counter: only read after the lanes
            continue
        rows = [to_row(item) for item in page.items]

        def store(engine: Engine, rows: list[dict[str, Any]] = rows, key: str = page.key,
                  etag: str | None = page.etag, total: int = page.total_count) -> None:
            with engine.begin() as conn:
                store_ai_code_page(conn, integration_id=iid, endpoint=endpoint, rows=rows,
                                   request_key=key, etag=etag, total_count=total)  # fmt: skip
            outcome = _outcome(ctx)
            if endpoint == COMMITS:
                outcome.commits += len(rows)
            else:
                outcome.changes += len(rows)

        ctx.write(store)

    def covered(engine: Engine) -> None:
        days = list(_days(lo, hi))
        with engine.begin() as conn:
            set_ai_code_coverage(conn, integration_id=iid, endpoint=endpoint,
                                 days=[d for d in days if d < recent], status=COMPLETE)
            set_ai_code_coverage(conn, integration_id=iid, endpoint=endpoint,
                                 days=[d for d in days if d >= recent], status=PARTIAL)
        outcome = _outcome(ctx)
        outcome.windows += 1
        if ctx.progress is not None:
            ctx.progress(SyncProgress(
                integration_id=iid, phase=f"ai_code_{endpoint}", days_done=number, days_total=of,
                events=outcome.commits + outcome.changes, windows=outcome.windows,
                window_start_ms=(lo - date(1970, 1, 1)).days * 86_400_000,
                window_end_ms=(hi - date(1970, 1, 1)).days * 86_400_000 + 86_399_999,
            ))  # fmt: skip

    ctx.write(covered)
