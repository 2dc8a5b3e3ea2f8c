"""What reconciliation compares: Cursor's own figures beside the stored events' (reads only).

- the newest ``/teams/spend`` snapshot (one cycle) with the instants it was taken at and
  the events were synced through;
- per person, Σ usage value (``charged_ucents``) and on-demand (``chargeable_ucents``)
  of the stored events of the cycle, from the daily summaries;
- per billing-group membership, the on-demand of the member's events while in the group
  (exact, from the events, only for memberships that begin or end inside the cycle);
- per day and per person-day, usage-based and included event counts beside
  ``/teams/daily-usage-data``'s ``usageBasedReqs`` / ``subscriptionIncludedReqs``.

The comparison and its statuses are :mod:`devspend.reports.reconcile`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from devspend.store.person_scope import PeopleFilter, person_ids
from devspend.store.tables import (
    billing_group_members,
    billing_groups,
    daily_usage,
    member_spend,
    people,
    usage_coverage,
    usage_daily_user,
    usage_events,
)


def _aware(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


@dataclass(frozen=True, slots=True)
class SpendSnapshot:
    """Cursor's gauge for one cycle: per email (spendCents, overallSpendCents) in µ¢."""

    cycle_start: datetime
    taken_at: datetime
    events_through_ms: int | None
    members: dict[str, tuple[int, int | None]]


@dataclass(frozen=True, slots=True)
class PersonFigures:
    """A person and their events' figures over the cycle (micro-cents, counts)."""

    person_id: int
    email: str
    name: str | None
    is_removed: bool
    usage_value_ucents: int
    on_demand_ucents: int


@dataclass(frozen=True, slots=True)
class GroupMembership:
    group_id: str
    email: str
    joined_at_ms: int
    left_at_ms: int | None
    cursor_spend_ucents: int | None


@dataclass(frozen=True, slots=True)
class Group:
    group_id: str
    name: str
    type: str | None
    cursor_spend_ucents: int | None
    member_count: int | None


@dataclass(frozen=True, slots=True)
class DayCounts:
    """One day (or one person-day when ``email`` is set): events' and Cursor's counts."""

    day: date
    email: str | None
    events_usage_based: int
    events_included: int
    cursor_usage_based: int | None
    cursor_included: int | None


def latest_spend_snapshot(conn: Connection, *, integration_id: int) -> SpendSnapshot | None:
    """The newest cycle's snapshot, or None when ``/teams/spend`` was never read."""
    s = member_spend
    newest = conn.execute(
        sa.select(sa.func.max(s.c.cycle_start)).where(s.c.integration_id == integration_id)
    ).scalar()
    if newest is None:
        return None
    rows = conn.execute(
        sa.select(s.c.email, s.c.spend_ucents, s.c.overall_spend_ucents, s.c.taken_at,
                  s.c.events_through_ms)
        .where(s.c.integration_id == integration_id, s.c.cycle_start == newest)
    ).all()  # fmt: skip
    taken = max(_aware(r.taken_at) for r in rows)
    through = [int(r.events_through_ms) for r in rows if r.events_through_ms is not None]
    return SpendSnapshot(
        cycle_start=_aware(newest), taken_at=taken,
        events_through_ms=min(through) if through else None,
        members={
            str(r.email): (int(r.spend_ucents),
                           None if r.overall_spend_ucents is None else int(r.overall_spend_ucents))
            for r in rows
        },
    )  # fmt: skip


def person_figures(
    conn: Connection, *, integration_id: int, first: date, last: date,
    who: PeopleFilter | None = None,
) -> list[PersonFigures]:  # fmt: skip
    """Every person of the integration (of ``who``, when given) with their events' figures
    over ``first``..``last``."""
    u = usage_daily_user
    sums = (
        sa.select(u.c.person_id, sa.func.sum(u.c.charged_ucents).label("value"),
                  sa.func.sum(u.c.chargeable_ucents).label("on_demand"))
        .where(u.c.integration_id == integration_id, u.c.day >= first, u.c.day <= last)
        .group_by(u.c.person_id)
        .subquery()
    )  # fmt: skip
    query = (
        sa.select(people.c.id, people.c.email, people.c.name, people.c.is_removed,
                  sums.c.value, sums.c.on_demand)
        .select_from(people.outerjoin(sums, sums.c.person_id == people.c.id))
        .where(people.c.integration_id == integration_id)
        .order_by(people.c.email)
    )  # fmt: skip
    if who is not None and not who.is_everyone():
        query = query.where(people.c.id.in_(person_ids(who)))
    rows = conn.execute(query).all()
    return [
        PersonFigures(person_id=int(r.id), email=str(r.email), name=r.name,
                      is_removed=bool(r.is_removed), usage_value_ucents=int(r.value or 0),
                      on_demand_ucents=int(r.on_demand or 0))
        for r in rows
    ]  # fmt: skip


def billing_groups_of(
    conn: Connection, *, integration_id: int
) -> tuple[list[Group], list[GroupMembership]]:
    """The stored billing groups (current cycle) and their memberships."""
    g, m = billing_groups, billing_group_members
    groups = [
        Group(group_id=str(r.group_id), name=str(r.name), type=r.type,
              cursor_spend_ucents=None if r.spend_ucents is None else int(r.spend_ucents),
              member_count=r.member_count)
        for r in conn.execute(sa.select(g).where(g.c.integration_id == integration_id)
                              .order_by(g.c.name))
    ]  # fmt: skip
    members = [
        GroupMembership(group_id=str(r.group_id), email=str(r.email),
                        joined_at_ms=int(r.joined_at_ms or 0),
                        left_at_ms=None if r.left_at_ms is None else int(r.left_at_ms),
                        cursor_spend_ucents=None if r.spend_ucents is None
                        else int(r.spend_ucents))
        for r in conn.execute(sa.select(m).where(m.c.integration_id == integration_id))
    ]  # fmt: skip
    return groups, members


def on_demand_between(
    conn: Connection, *, integration_id: int, spans: Iterable[tuple[int, int, int]]
) -> dict[tuple[int, int, int], int]:
    """Σ charged µ¢ of chargeable events per ``(person_id, from_ms, to_ms)`` span (both
    inclusive): a member's on-demand while in one billing group, to the millisecond."""
    e = usage_events
    out: dict[tuple[int, int, int], int] = {}
    for person_id, lo, hi in spans:
        total = conn.execute(
            sa.select(sa.func.coalesce(sa.func.sum(e.c.charged_ucents), 0)).where(
                e.c.integration_id == integration_id, e.c.person_id == person_id,
                e.c.ts_ms >= lo, e.c.ts_ms <= hi, e.c.is_chargeable.is_(True),
            )
        ).scalar_one()  # fmt: skip
        out[(person_id, lo, hi)] = int(total)
    return out


def coverage_of(
    conn: Connection, *, integration_id: int, first: date, last: date
) -> dict[date, str]:
    """Each day's coverage status (complete, partial, unavailable) over ``first``..``last``."""
    c = usage_coverage
    rows = conn.execute(
        sa.select(c.c.day, c.c.status).where(
            c.c.integration_id == integration_id, c.c.day >= first, c.c.day <= last
        )
    )
    return {_date(r.day): str(r.status) for r in rows}


def day_counts(
    conn: Connection, *, integration_id: int, first: date, last: date, per_person: bool
) -> list[DayCounts]:
    """Usage-based and included event counts per day (or per person-day) beside Cursor's
    daily usage rows; a side missing for a key is 0 (events) or None (Cursor)."""
    u, d = usage_daily_user, daily_usage
    ev_keys: list[Any] = [u.c.day] + ([people.c.email] if per_person else [])
    events = conn.execute(
        sa.select(*ev_keys, sa.func.sum(u.c.usage_based_events),
                  sa.func.sum(u.c.included_events))
        .select_from(u.join(people, people.c.id == u.c.person_id))
        .where(u.c.integration_id == integration_id, u.c.day >= first, u.c.day <= last)
        .group_by(*ev_keys)
    ).all()  # fmt: skip
    cur_keys: list[Any] = [d.c.day] + ([d.c.email] if per_person else [])
    cursor = conn.execute(
        sa.select(*cur_keys, sa.func.sum(d.c.usage_based_reqs),
                  sa.func.sum(d.c.subscription_included_reqs))
        .where(d.c.integration_id == integration_id, d.c.day >= first, d.c.day <= last)
        .group_by(*cur_keys)
    ).all()  # fmt: skip

    def key(row: Any) -> tuple[date, str | None]:
        return _date(row[0]), (str(row[1]).lower() if per_person else None)

    n = 2 if per_person else 1
    ev = {key(r): (int(r[n] or 0), int(r[n + 1] or 0)) for r in events}
    cu = {key(r): (int(r[n] or 0), int(r[n + 1] or 0)) for r in cursor}
    out = []
    for k in sorted(set(ev) | set(cu), key=lambda k: (k[0], k[1] or "")):
        e_ub, e_inc = ev.get(k, (0, 0))
        c = cu.get(k)
        out.append(DayCounts(day=k[0], email=k[1], events_usage_based=e_ub, events_included=e_inc,
                             cursor_usage_based=None if c is None else c[0],
                             cursor_included=None if c is None else c[1]))  # fmt: skip
    return out


def has_daily_usage(conn: Connection, *, integration_id: int) -> bool:
    """Whether ``/teams/daily-usage-data`` was ever stored for the integration."""
    d = daily_usage
    return conn.execute(
        sa.select(d.c.day).where(d.c.integration_id == integration_id).limit(1)
    ).first() is not None
