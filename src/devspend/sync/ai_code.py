"""The AI Code Tracking phase of a sync: commits and accepted AI changes, incrementally.

Per endpoint, the days to fetch are those of the range not yet ``complete`` plus
the look-back (recent days still changing), newest run first, in windows of at
most :data:`WINDOW_DAYS` whole UTC days. Every request is conditional on the ETag
stored with its page, so re-reading unchanged days costs 304s, which Cursor does
not count against the 20/min limit.

Crash safety: each page's rows and its ETag are written in one transaction, and a
window's days are marked covered only once all its pages are in. Rows are upserted
on their identity, so a page stored twice — a resumed crash, a re-sync — leaves
exactly the same rows.

A team without access (403, or the 401 some servers send for it: the same key just
read the Admin API) is recorded as ``denied`` with Cursor's reason and skipped;
nothing else of the sync is affected.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.engine import Engine

from devspend.cursor.ai_code import AI_CODE_PATHS, CHANGES, COMMITS, Known, iter_ai_code_pages
from devspend.cursor.ai_code_schemas import AiChange, AiCommit
from devspend.cursor.client import CursorClient
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
from devspend.sync.progress import ProgressCallback, SyncProgress

log = logging.getLogger(__name__)

WINDOW_DAYS = 30
NO_ACCESS = (
    "AI Code Tracking is not available to this key ({reason}): it needs an Enterprise team "
    "with access to Cursor's AI Code Tracking API. Usage, spend and adoption are unaffected."
)


@dataclass(slots=True)
class AiCodeOutcome:
    """What the phase did: rows stored (as sent, 304s excluded), requests, 304s, access."""

    commits: int = 0
    changes: int = 0
    windows: int = 0
    not_modified: int = 0
    denied: str | None = None


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


def sync_ai_code(
    engine: Engine,
    client: CursorClient,
    *,
    integration_id: int,
    first: date,
    today: date,
    recent_first_day: date,
    progress: ProgressCallback | None = None,
) -> AiCodeOutcome:
    """Fetch and store both endpoints for ``first``..``today``; see the module docstring."""
    outcome = AiCodeOutcome()
    try:
        for endpoint in (COMMITS, CHANGES):
            _sync_endpoint(engine, client, outcome, endpoint=endpoint,
                           integration_id=integration_id, first=first, today=today,
                           recent_first_day=recent_first_day, progress=progress)  # fmt: skip
    except (CursorAuthError, CursorPlanError) as exc:
        outcome.denied = NO_ACCESS.format(reason=str(exc).rstrip("."))
        log.info("integration %s: %s", integration_id, outcome.denied)
        with engine.begin() as conn:
            set_ai_code_access(conn, integration_id=integration_id, status=ACCESS_DENIED,
                               message=outcome.denied)  # fmt: skip
        return outcome
    with engine.begin() as conn:
        set_ai_code_access(conn, integration_id=integration_id, status=ACCESS_OK, message=None)
    return outcome


def _sync_endpoint(
    engine: Engine,
    client: CursorClient,
    outcome: AiCodeOutcome,
    *,
    endpoint: str,
    integration_id: int,
    first: date,
    today: date,
    recent_first_day: date,
    progress: ProgressCallback | None,
) -> None:
    with engine.connect() as conn:
        coverage = ai_code_coverage_days(conn, integration_id=integration_id, endpoint=endpoint)
        known = {
            key: Known(etag=r.etag, total_count=r.total_count)
            for key, r in stored_requests(
                conn, integration_id=integration_id, endpoint=endpoint
            ).items()
        }
    to_row = commit_row if endpoint == COMMITS else change_row
    windows = plan_windows(first=first, today=today, recent_first_day=recent_first_day,
                           coverage=coverage)  # fmt: skip
    for done, (lo, hi) in enumerate(windows, start=1):
        for page in iter_ai_code_pages(client, endpoint, first=lo, last=hi, known=known.get):
            if page.not_modified:
                outcome.not_modified += 1
                continue
            with engine.begin() as conn:
                store_ai_code_page(
                    conn, integration_id=integration_id, endpoint=endpoint,
                    rows=[to_row(item) for item in page.items], request_key=page.key,
                    etag=page.etag, total_count=page.total_count,
                )  # fmt: skip
            if endpoint == COMMITS:
                outcome.commits += len(page.items)
            else:
                outcome.changes += len(page.items)
        with engine.begin() as conn:
            days = list(_days(lo, hi))
            set_ai_code_coverage(conn, integration_id=integration_id, endpoint=endpoint,
                                 days=[d for d in days if d < recent_first_day],
                                 status=COMPLETE)  # fmt: skip
            set_ai_code_coverage(conn, integration_id=integration_id, endpoint=endpoint,
                                 days=[d for d in days if d >= recent_first_day],
                                 status=PARTIAL)  # fmt: skip
        outcome.windows += 1
        if progress is not None:
            progress(SyncProgress(
                integration_id=integration_id, phase=f"ai_code_{endpoint}", days_done=done,
                days_total=len(windows), events=outcome.commits + outcome.changes,
                windows=outcome.windows,
            ))  # fmt: skip
    log.debug("AI code %s: %d windows from %s", endpoint, len(windows), AI_CODE_PATHS[endpoint])
