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

from devspend.store.allocations import refresh_from_billing_groups
from devspend.store.tables import (
    billing_group_members,
    billing_groups,
    daily_usage,
    member_spend,
    people,
    usage_daily_user,
)
from devspend.store.upsert import insert_for


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
    conn: Connection, *, integration_id: int, records: Sequence[PersonRecord], today: date
) -> None:
    """Add or refresh team members (name, role, removed flag) keyed by email.

    Also keeps the two days seats are counted from (``store.seats``): ``listed_day``,
    the first day a sync saw the member in the list, and ``removed_day``, the first
    day a sync saw them removed (flagged ``isRemoved`` or gone from the list). A member
    who comes back gets a new ``listed_day`` only if they had none; ``removed_day``
    clears.
    """
    p = people
    rows = [
        {"integration_id": integration_id, **r._asdict(), "listed_day": today,
         "removed_day": today if r.is_removed else None}
        for r in records
    ]  # fmt: skip
    if rows:
        statement = insert_for(conn, p)
        new = statement.excluded
        conn.execute(
            statement.on_conflict_do_update(
                index_elements=["integration_id", "email"],
                set_={
                    "name": new.name, "cursor_user_id": new.cursor_user_id, "role": new.role,
                    "is_removed": new.is_removed,
                    "listed_day": sa.func.coalesce(p.c.listed_day, new.listed_day),
                    "removed_day": sa.case(
                        (new.is_removed, sa.func.coalesce(p.c.removed_day, new.removed_day)),
                        else_=None,
                    ),
                },
            ),
            rows,
        )  # fmt: skip
    listed = {r.email for r in records}
    gone = sa.and_(
        p.c.integration_id == integration_id, p.c.listed_day.is_not(None),
        p.c.removed_day.is_(None),
    )  # fmt: skip
    if listed:
        gone = sa.and_(gone, p.c.email.not_in(listed))
    conn.execute(p.update().where(gone).values(is_removed=True, removed_day=today))


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
    conn: Connection,
    *,
    integration_id: int,
    cycle_start_ms: int,
    records: Sequence[SpendRecord],
    events_through_ms: int | None = None,
    taken_at_ms: int | None = None,
) -> None:
    """Store the latest spend gauge of a billing cycle (replacing the cycle's earlier snapshot).

    ``events_through_ms`` is how far the same sync had fetched events when the gauge
    was taken (at ``taken_at_ms``, default now): reconciliation needs both.
    """
    cycle_start = datetime.fromtimestamp(cycle_start_ms / 1000, tz=UTC)
    t = member_spend
    conn.execute(
        t.delete().where(t.c.integration_id == integration_id, t.c.cycle_start == cycle_start)
    )
    now = (
        datetime.now(UTC) if taken_at_ms is None
        else datetime.fromtimestamp(taken_at_ms / 1000, tz=UTC)
    )  # fmt: skip
    latest = {r.email: r for r in records}
    if latest:
        conn.execute(
            t.insert(),
            [{"integration_id": integration_id, "cycle_start": cycle_start, "taken_at": now,
              "events_through_ms": events_through_ms, **r._asdict()}
             for r in latest.values()],
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
    # allocations follow the groups in the same transaction (never on a read)
    refresh_from_billing_groups(conn, now=now)


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
