"""AI code reads: committed lines by source and accepted AI changes, per person or repo.

A commit hash counts once, from its latest row (an amend sends it again with a later
``createdAt``; the earlier row is kept in the table but superseded here). A commit's
day is its ``commitTs`` day. "AI lines" are TAB + composer (agent) lines added; the
share of AI is ``ai / (ai + non-AI)`` lines added, which equals ``ai / total`` except
where Cursor counts more AI lines than the commit has (non-AI is then clamped to 0).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from devspend.store.ai_code_tables import ai_code_changes, ai_code_commits

CommitDim = Literal["email", "repo", "day"]


@dataclass(slots=True)
class CommitTotals:
    """Commits and their lines added, overall and on the primary branch."""

    commits: int = 0
    ai_commits: int = 0
    """Commits with at least one TAB or composer line added (AI-assisted)."""
    tab_lines: int = 0
    composer_lines: int = 0
    non_ai_lines: int = 0
    total_lines: int = 0
    primary_commits: int = 0
    primary_ai_commits: int = 0
    primary_tab_lines: int = 0
    primary_composer_lines: int = 0
    primary_non_ai_lines: int = 0


@dataclass(slots=True)
class ChangeTotals:
    """Accepted AI changes (before any commit) and their lines added, by source."""

    tab_changes: int = 0
    composer_changes: int = 0
    tab_lines: int = 0
    composer_lines: int = 0


def _latest_commits() -> sa.Subquery:
    c = ai_code_commits.c
    return (
        sa.select(c.integration_id, c.commit_hash, sa.func.max(c.created_at_ms).label("latest"))
        .group_by(c.integration_id, c.commit_hash)
        .subquery("latest")
    )


def _scope(
    table: sa.Table, *, start: date, end: date, integration_id: int | None,
    emails: Collection[str] | None,
) -> list[sa.ColumnElement[bool]]:  # fmt: skip
    where = [table.c.day >= start, table.c.day <= end]
    if integration_id is not None:
        where.append(table.c.integration_id == integration_id)
    if emails is not None:
        where.append(table.c.email.in_(sorted({e.lower() for e in emails})))
    return where


def commit_totals(
    conn: Connection,
    *,
    start: date,
    end: date,
    by: CommitDim | tuple[CommitDim, ...],
    integration_id: int | None = None,
    emails: Collection[str] | None = None,
) -> dict[Any, CommitTotals]:
    """Commit figures of the period per email, repo (``None``: unknown) or day — or per
    tuple of them when ``by`` is a tuple."""
    if emails is not None and not emails:
        return {}
    c = ai_code_commits.c
    latest = _latest_commits()
    dims = by if isinstance(by, tuple) else (by,)
    keys = [{"email": c.email, "repo": c.repo_name, "day": c.day}[d].label(f"k_{d}")
            for d in dims]  # fmt: skip
    ai = c.tab_lines_added + c.composer_lines_added > 0
    primary = c.is_primary_branch.is_(True)

    def total(expr: Any, when: Any = None) -> Any:
        value = expr if when is None else sa.case((when, expr), else_=0)
        return sa.func.coalesce(sa.func.sum(value), 0)

    def count(when: Any) -> Any:
        return sa.func.coalesce(sa.func.sum(sa.case((when, 1), else_=0)), 0)

    query = (
        sa.select(
            *keys, sa.func.count(), count(ai), total(c.tab_lines_added),
            total(c.composer_lines_added), total(c.non_ai_lines_added),
            total(c.total_lines_added), count(primary), count(sa.and_(primary, ai)),
            total(c.tab_lines_added, primary), total(c.composer_lines_added, primary),
            total(c.non_ai_lines_added, primary),
        )
        .select_from(ai_code_commits.join(latest, sa.and_(
            latest.c.integration_id == c.integration_id, latest.c.commit_hash == c.commit_hash,
            latest.c.latest == c.created_at_ms)))
        .where(*_scope(ai_code_commits, start=start, end=end, integration_id=integration_id,
                       emails=emails))
        .group_by(*keys)
    )  # fmt: skip
    n = len(keys)
    return {
        (tuple(row[:n]) if isinstance(by, tuple) else row[0]): CommitTotals(
            *(int(v) for v in row[n:])
        )
        for row in conn.execute(query)
    }


def change_totals(
    conn: Connection,
    *,
    start: date,
    end: date,
    by: Literal["email", "model", "day"],
    integration_id: int | None = None,
    emails: Collection[str] | None = None,
) -> dict[Any, ChangeTotals]:
    """Accepted AI changes of the period per email, model (``None``: TAB or unnamed) or day."""
    if emails is not None and not emails:
        return {}
    ch = ai_code_changes.c
    key = {"email": ch.email, "model": ch.model, "day": ch.day}[by].label("key")
    tab = ch.source == "TAB"
    composer = ch.source == "COMPOSER"

    def total(expr: Any, when: Any) -> Any:
        return sa.func.coalesce(sa.func.sum(sa.case((when, expr), else_=0)), 0)

    query = (
        sa.select(key, total(1, tab), total(1, composer), total(ch.total_lines_added, tab),
                  total(ch.total_lines_added, composer))
        .where(*_scope(ai_code_changes, start=start, end=end, integration_id=integration_id,
                       emails=emails))
        .group_by(key)
    )  # fmt: skip
    return {row[0]: ChangeTotals(*(int(v) for v in row[1:])) for row in conn.execute(query)}


def ai_code_stored(conn: Connection, *, integration_id: int | None = None) -> bool:
    """Whether any commit or change was ever stored (for "why is this empty")."""
    for table in (ai_code_commits, ai_code_changes):
        query = sa.select(sa.literal(1)).select_from(table)
        if integration_id is not None:
            query = query.where(table.c.integration_id == integration_id)
        if conn.execute(query.limit(1)).first() is not None:
            return True
    return False
