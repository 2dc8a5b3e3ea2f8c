"""SQL for ``allocations``: who belongs to which team and cost center.

The more deliberate source wins: an admin's edit (``manual``) or a loaded CSV (``csv``)
is never overwritten by Cursor billing groups (``billing_group``), which only fill in
people nobody allocated by hand. :func:`refresh_from_billing_groups` runs in the same
transaction as every billing-group write of a sync, so allocations follow Cursor's
groups without any read having to write.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from devspend.store.cloud_tables import allocations
from devspend.store.tables import UNASSIGNED_GROUP_TYPE, billing_group_members, billing_groups


@dataclass(frozen=True)
class Allocation:
    """One person's team and cost center, and where that came from."""

    email: str
    team: str | None
    cost_center: str | None
    source: str


def normalise_email(email: str) -> str:
    return email.strip().lower()


def list_allocations(conn: Connection) -> list[Allocation]:
    """Every allocation, by email."""
    rows = conn.execute(sa.select(allocations).order_by(allocations.c.email)).mappings()
    return [Allocation(r["email"], r["team"], r["cost_center"], r["source"]) for r in rows]


def upsert_allocations(conn: Connection, rows: Iterable[Allocation], *, now: datetime) -> int:
    """Create or replace each person's allocation; returns how many were written."""
    written = 0
    for allocation in rows:
        values = {"team": allocation.team, "cost_center": allocation.cost_center,
                  "source": allocation.source, "updated_at": now}  # fmt: skip
        email = normalise_email(allocation.email)
        updated = conn.execute(
            allocations.update().where(allocations.c.email == email).values(**values)
        )
        if updated.rowcount == 0:
            conn.execute(allocations.insert().values(email=email, **values))
        written += 1
    return written


def delete_allocation(conn: Connection, *, email: str) -> None:
    conn.execute(allocations.delete().where(allocations.c.email == normalise_email(email)))


def refresh_from_billing_groups(conn: Connection, *, now: datetime) -> int:
    """Fill allocations from current Cursor billing-group membership; return rows written.

    People allocated by hand or CSV keep their allocation. A person in several groups
    gets the alphabetically first group, so the result does not depend on sync order.
    Cursor's "Unassigned" pseudo-group is no team: its people stay without one, so pages
    show them once, as "(no team)".
    """
    members = billing_group_members.c
    query = (
        sa.select(members.email, billing_groups.c.name)
        .join(
            billing_groups,
            sa.and_(
                billing_groups.c.integration_id == members.integration_id,
                billing_groups.c.group_id == members.group_id,
            ),
        )
        .where(
            members.left_at_ms.is_(None),
            billing_groups.c.group_id != "unassigned",
            sa.func.coalesce(billing_groups.c.type, "") != UNASSIGNED_GROUP_TYPE,
        )
        .order_by(billing_groups.c.name)
    )
    team_by_email: dict[str, str] = {}
    for email, name in conn.execute(query):
        team_by_email.setdefault(normalise_email(email), name)
    existing = {r.email: r.source
                for r in conn.execute(sa.select(allocations.c.email, allocations.c.source))}
    stale = [e for e, s in existing.items() if s == "billing_group" and e not in team_by_email]
    if stale:
        conn.execute(allocations.delete().where(allocations.c.email.in_(stale)))
    return upsert_allocations(conn, (
        Allocation(email, team, None, "billing_group") for email, team in team_by_email.items()
        if existing.get(email, "billing_group") == "billing_group"
    ), now=now)  # fmt: skip
