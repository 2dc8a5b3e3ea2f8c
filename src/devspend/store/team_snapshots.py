"""Team records beside the events: members, per-day usage rows, spend gauges, billing groups.

Each is a snapshot the API gives as a whole, so each write replaces the previous
snapshot of the same scope (a member, a day range, a billing cycle, a group list).
The spend figures are gauges for the current cycle: one row per member per cycle
holds the latest value, and nothing ever sums snapshots over time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from devspend.store.tables import (
    billing_group_members,
    billing_groups,
    daily_usage,
    member_spend,
    people,
    usage_daily_user,
)
from devspend.store.upsert import upsert


class PersonRecord(NamedTuple):
    email: str
    name: str | None
    cursor_user_id: str | None
    role: str | None
    is_removed: bool


class DailyUsageRecord(NamedTuple):
    day: date
    email: str
    is_active: bool
    subscription_included_reqs: int
    usage_based_reqs: int
    api_key_reqs: int
    most_used_model: str | None
    raw: str


class SpendRecord(NamedTuple):
    email: str
    spend_ucents: int
    overall_spend_ucents: int | None
    fast_premium_requests: int | None
    hard_limit_override_dollars: int | None
    monthly_limit_dollars: int | None
    effective_per_user_limit_dollars: int | None
    raw: str


class GroupMemberRecord(NamedTuple):
    email: str
    joined_at_ms: int | None
    left_at_ms: int | None
    spend_ucents: int | None


class GroupRecord(NamedTuple):
    group_id: str
    name: str
    type: str | None
    member_count: int | None
    spend_ucents: int | None
    members: tuple[GroupMemberRecord, ...]


def upsert_people(
    conn: Connection, *, integration_id: int, records: Sequence[PersonRecord]
) -> None:
    """Add or refresh team members (name, role, removed flag) keyed by email."""
    rows = [{"integration_id": integration_id, **r._asdict()} for r in records]
    upsert(
        conn, people, rows, keys=("integration_id", "email"),
        update=("name", "cursor_user_id", "role", "is_removed"),
    )  # fmt: skip


def replace_daily_usage(
    conn: Connection,
    *,
    integration_id: int,
    first: date,
    last: date,
    records: Sequence[DailyUsageRecord],
) -> None:
    """Replace the member-day rows of ``first``..``last`` with a fresh fetch of that range."""
    t = daily_usage
    conn.execute(
        t.delete().where(t.c.integration_id == integration_id, t.c.day >= first, t.c.day <= last)
    )
    latest: dict[tuple[date, str], DailyUsageRecord] = {(r.day, r.email): r for r in records}
    if latest:
        conn.execute(
            t.insert(),
            [{"integration_id": integration_id, **r._asdict()} for r in latest.values()],
        )


def replace_spend_snapshot(
    conn: Connection, *, integration_id: int, cycle_start_ms: int, records: Sequence[SpendRecord]
) -> None:
    """Store the latest spend gauge of a billing cycle (replacing the cycle's earlier snapshot)."""
    cycle_start = datetime.fromtimestamp(cycle_start_ms / 1000, tz=UTC)
    t = member_spend
    conn.execute(
        t.delete().where(t.c.integration_id == integration_id, t.c.cycle_start == cycle_start)
    )
    now = datetime.now(UTC)
    latest = {r.email: r for r in records}
    if latest:
        conn.execute(
            t.insert(),
            [{"integration_id": integration_id, "cycle_start": cycle_start, "taken_at": now,
              **r._asdict()} for r in latest.values()],
        )  # fmt: skip


def replace_billing_groups(
    conn: Connection,
    *,
    integration_id: int,
    cycle_start: date | None,
    groups: Sequence[GroupRecord],
) -> None:
    """Store the current billing groups and their members, replacing the previous list."""
    conn.execute(billing_group_members.delete().where(
        billing_group_members.c.integration_id == integration_id))  # fmt: skip
    conn.execute(billing_groups.delete().where(billing_groups.c.integration_id == integration_id))
    now = datetime.now(UTC)
    group_rows = {
        g.group_id: {
            "integration_id": integration_id, "group_id": g.group_id, "name": g.name,
            "type": g.type, "cycle_start": cycle_start, "spend_ucents": g.spend_ucents,
            "member_count": g.member_count, "updated_at": now,
        }
        for g in groups
    }  # fmt: skip
    if group_rows:
        conn.execute(billing_groups.insert(), list(group_rows.values()))
    member_rows = {
        (g.group_id, m.email, m.joined_at_ms or 0): {
            "integration_id": integration_id, "group_id": g.group_id, "email": m.email,
            "joined_at_ms": m.joined_at_ms or 0, "left_at_ms": m.left_at_ms,
            "spend_ucents": m.spend_ucents,
        }
        for g in groups
        for m in g.members
    }  # fmt: skip
    if member_rows:
        conn.execute(billing_group_members.insert(), list(member_rows.values()))


def refresh_activity_days(conn: Connection, *, integration_id: int) -> None:
    """Set each person's first and last day with usage from the per-person summary."""
    u = usage_daily_user
    mine = sa.and_(u.c.person_id == people.c.id, u.c.integration_id == integration_id)
    conn.execute(
        people.update()
        .where(people.c.integration_id == integration_id)
        .values(
            first_seen_day=sa.select(sa.func.min(u.c.day)).where(mine).scalar_subquery(),
            last_active_day=sa.select(sa.func.max(u.c.day)).where(mine).scalar_subquery(),
        )
    )
