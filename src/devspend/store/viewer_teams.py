"""Which teams a limited viewer may see (``viewer_teams``): none stored means all."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from devspend.store.auth_tables import viewer_teams


def teams_of(conn: Connection, *, user_id: int) -> frozenset[str] | None:
    """The teams a user is limited to, or None when they are not limited."""
    rows = conn.execute(
        sa.select(viewer_teams.c.team).where(viewer_teams.c.user_id == user_id)
    ).scalars()
    teams = frozenset(str(t) for t in rows)
    return teams or None


def set_teams(conn: Connection, *, user_id: int, teams: Iterable[str]) -> None:
    """Limit a user to ``teams`` (empty: no limit)."""
    conn.execute(viewer_teams.delete().where(viewer_teams.c.user_id == user_id))
    chosen = sorted({t.strip() for t in teams if t.strip()})
    if chosen:
        conn.execute(viewer_teams.insert(), [{"user_id": user_id, "team": t} for t in chosen])


def all_limits(conn: Connection) -> dict[int, list[str]]:
    """Every limited user's teams (the Users page)."""
    found: dict[int, list[str]] = {}
    for user_id, team in conn.execute(
        sa.select(viewer_teams.c.user_id, viewer_teams.c.team).order_by(viewer_teams.c.team)
    ):
        found.setdefault(int(user_id), []).append(str(team))
    return found
