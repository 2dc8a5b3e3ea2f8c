"""Writes and sync bookkeeping of the AI Code Tracking tables (see ``ai_code_tables``).

A page is stored with :func:`store_ai_code_page`: its rows are upserted on their
identity — (hash, ``createdAt``) for commits, ``changeId`` for changes — and its
ETag recorded, in the caller's transaction. Storing a page twice leaves the same
rows, so a re-sync or a resumed crash is exact; rows are never deleted (kept
forever), except with their integration.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from devspend.store.ai_code_tables import (
    ai_code_access,
    ai_code_changes,
    ai_code_commits,
    ai_code_coverage,
    ai_code_requests,
)
from devspend.store.upsert import upsert

COMMITS = "commits"
CHANGES = "changes"
ACCESS_OK = "ok"
ACCESS_DENIED = "denied"

_TABLES = {COMMITS: ai_code_commits, CHANGES: ai_code_changes}
_KEYS = {COMMITS: ("integration_id", "commit_hash", "created_at_ms"),
         CHANGES: ("integration_id", "change_id")}  # fmt: skip


@dataclass(frozen=True, slots=True)
class StoredRequest:
    """The ETag and ``totalCount`` stored with a page."""

    etag: str
    total_count: int


def store_ai_code_page(
    conn: Connection,
    *,
    integration_id: int,
    endpoint: str,
    rows: Sequence[Mapping[str, Any]],
    request_key: str,
    etag: str | None,
    total_count: int,
) -> None:
    """Upsert one page's rows and remember its ETag (when Cursor sent one)."""
    table = _TABLES[endpoint]
    keys = _KEYS[endpoint]
    values = [{**row, "integration_id": integration_id} for row in rows]
    # a page may hold one row twice (an item repeated by the server): the last wins
    unique = list({tuple(v[k] for k in keys): v for v in values}.values())
    update = [c.name for c in table.columns if c.name not in keys]
    upsert(conn, table, unique, keys=keys, update=update)
    if etag:
        upsert(
            conn, ai_code_requests,
            [{"integration_id": integration_id, "request_key": request_key,
              "endpoint": endpoint, "etag": etag, "total_count": total_count,
              "fetched_at": datetime.now(UTC)}],
            keys=("integration_id", "request_key"),
            update=("endpoint", "etag", "total_count", "fetched_at"),
        )  # fmt: skip


def stored_requests(
    conn: Connection, *, integration_id: int, endpoint: str
) -> dict[str, StoredRequest]:
    """Every stored request of an endpoint, by request key (for conditional GETs)."""
    r = ai_code_requests
    rows = conn.execute(
        sa.select(r.c.request_key, r.c.etag, r.c.total_count).where(
            r.c.integration_id == integration_id, r.c.endpoint == endpoint
        )
    ).all()
    return {key: StoredRequest(etag=etag, total_count=int(total)) for key, etag, total in rows}


def set_ai_code_coverage(
    conn: Connection, *, integration_id: int, endpoint: str, days: Iterable[date], status: str
) -> None:
    """Record how complete the stored rows of ``days`` are (overwriting earlier statuses)."""
    day_list = sorted(set(days))
    if not day_list:
        return
    now = datetime.now(UTC)
    upsert(
        conn, ai_code_coverage,
        [{"integration_id": integration_id, "endpoint": endpoint, "day": d, "status": status,
          "updated_at": now} for d in day_list],
        keys=("integration_id", "endpoint", "day"), update=("status", "updated_at"),
    )  # fmt: skip


def ai_code_coverage_days(
    conn: Connection, *, integration_id: int, endpoint: str
) -> dict[date, str]:
    """Each covered day of an endpoint and its status (complete or partial)."""
    c = ai_code_coverage
    rows = conn.execute(
        sa.select(c.c.day, c.c.status).where(
            c.c.integration_id == integration_id, c.c.endpoint == endpoint
        )
    ).all()
    return {day: status for day, status in rows}


def set_ai_code_access(
    conn: Connection, *, integration_id: int, status: str, message: str | None
) -> None:
    """Remember whether the key could read AI Code Tracking at this sync, and why not."""
    upsert(
        conn, ai_code_access,
        [{"integration_id": integration_id, "status": status, "message": message,
          "checked_at": datetime.now(UTC)}],
        keys=("integration_id",), update=("status", "message", "checked_at"),
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class AiCodeAccess:
    """The last sync's verdict on AI Code Tracking for one integration."""

    integration_id: int
    status: str
    message: str | None
    checked_at: datetime


def ai_code_access_states(
    conn: Connection, *, integration_ids: Sequence[int] | None = None
) -> list[AiCodeAccess]:
    """The AI Code Tracking access of each integration that was ever synced."""
    a = ai_code_access
    query = sa.select(a.c.integration_id, a.c.status, a.c.message, a.c.checked_at)
    if integration_ids is not None:
        query = query.where(a.c.integration_id.in_(list(integration_ids)))
    return [AiCodeAccess(int(i), s, m, t) for i, s, m, t in conn.execute(query).all()]
