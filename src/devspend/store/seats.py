"""What seats are computed from: seat prices, who held a seat when, and the billing cycle.

Only reads. The rule that turns these facts into seat days and cents lives in
:mod:`devspend.reports.seats` (and ``docs/money.md``); this module gathers, per person,
every day the store knows that bounds their membership:

- ``listed_day`` / ``removed_day``: the first sync that listed them / saw them removed;
- ``first_seen_day`` / ``last_active_day``: their first and last day with usage;
- the earliest ``joinedAt`` and, when they are in no billing group any more, the latest
  ``leftAt`` of their billing-group memberships (``/teams/groups``, when readable);
- whether they were already listed by the integration's first sync (``at_connect``),
  and the first day of history the integration holds (``held_start``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from devspend.store.checkpoints import UNAVAILABLE
from devspend.store.periods import pieces, seek_each_day
from devspend.store.person_scope import PeopleFilter, person_ids
from devspend.store.tables import (
    billing_group_members,
    billing_groups,
    integrations,
    member_spend,
    people,
    usage_coverage,
    usage_daily_user,
    usage_monthly_user,
)


@dataclass(frozen=True, slots=True)
class MembershipFacts:
    """Everything the store knows about when one person held a seat."""

    integration_id: int
    person_id: int
    email: str
    name: str | None
    is_removed: bool
    listed_day: date | None
    removed_day: date | None
    first_seen_day: date | None
    last_active_day: date | None
    group_joined_day: date | None
    group_left_day: date | None
    at_connect: bool
    held_start: date | None


def _day(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _ms_day(ms: Any) -> date | None:
    if ms is None or int(ms) <= 0:
        return None
    return datetime.fromtimestamp(int(ms) / 1000, tz=UTC).date()


def seat_prices(conn: Connection, *, integration_id: int | None = None) -> dict[int, int | None]:
    """Each integration's seat price in whole dollars (None: not set)."""
    query = sa.select(integrations.c.id, integrations.c.seat_price_dollars)
    if integration_id is not None:
        query = query.where(integrations.c.id == integration_id)
    return {
        int(r.id): None if r.seat_price_dollars is None else int(r.seat_price_dollars)
        for r in conn.execute(query)
    }


def cycle_anchor_day(conn: Connection, *, integration_id: int) -> int | None:
    """The day of the month the integration's billing cycles start on, if Cursor said.

    From the newest ``/teams/spend`` snapshot's ``subscriptionCycleStart``, else the
    billing groups' cycle; None when neither was readable (callers use calendar months).
    """
    start = conn.execute(
        sa.select(sa.func.max(member_spend.c.cycle_start)).where(
            member_spend.c.integration_id == integration_id
        )
    ).scalar()
    if start is None:
        start = conn.execute(
            sa.select(sa.func.max(billing_groups.c.cycle_start)).where(
                billing_groups.c.integration_id == integration_id
            )
        ).scalar()
    day = _day(start)
    return None if day is None else day.day


def membership_facts(
    conn: Connection, *, integration_id: int | None = None, who: PeopleFilter | None = None
) -> list[MembershipFacts]:
    """One :class:`MembershipFacts` per person of the integration(s) (and of ``who``:
    a team, a cost center, a person, a viewer's teams), by email."""
    p, g = people, billing_group_members
    groups = (
        sa.select(
            g.c.integration_id, g.c.email,
            sa.func.min(sa.case((g.c.joined_at_ms > 0, g.c.joined_at_ms))).label("joined"),
            sa.func.max(g.c.left_at_ms).label("left"),
            sa.func.sum(sa.case((g.c.left_at_ms.is_(None), 1), else_=0)).label("current"),
        )
        .group_by(g.c.integration_id, g.c.email)
        .subquery()
    )  # fmt: skip
    first_listed = (
        sa.select(p.c.integration_id, sa.func.min(p.c.listed_day).label("day"))
        .group_by(p.c.integration_id)
        .subquery()
    )
    held = (
        sa.select(usage_coverage.c.integration_id, sa.func.min(usage_coverage.c.day).label("day"))
        .where(usage_coverage.c.status != UNAVAILABLE)
        .group_by(usage_coverage.c.integration_id)
        .subquery()
    )
    query = (
        sa.select(
            p.c.integration_id, p.c.id, p.c.email, p.c.name, p.c.is_removed, p.c.listed_day,
            p.c.removed_day, p.c.first_seen_day, p.c.last_active_day,
            groups.c.joined, groups.c.left, groups.c.current,
            first_listed.c.day.label("first_listed"), held.c.day.label("held_start"),
        )
        .select_from(
            p.outerjoin(groups, sa.and_(groups.c.integration_id == p.c.integration_id,
                                        groups.c.email == p.c.email))
            .outerjoin(first_listed, first_listed.c.integration_id == p.c.integration_id)
            .outerjoin(held, held.c.integration_id == p.c.integration_id)
        )
        .order_by(p.c.integration_id, p.c.email)
    )  # fmt: skip
    if integration_id is not None:
        query = query.where(p.c.integration_id == integration_id)
    if who is not None and not who.is_everyone():
        query = query.where(p.c.id.in_(person_ids(who)))
    out = []
    for r in conn.execute(query):
        listed = _day(r.listed_day)
        out.append(MembershipFacts(
            integration_id=int(r.integration_id), person_id=int(r.id), email=str(r.email),
            name=r.name, is_removed=bool(r.is_removed), listed_day=listed,
            removed_day=_day(r.removed_day), first_seen_day=_day(r.first_seen_day),
            last_active_day=_day(r.last_active_day), group_joined_day=_ms_day(r.joined),
            group_left_day=_ms_day(r.left) if r.current == 0 else None,
            at_connect=listed is not None and listed == _day(r.first_listed),
            held_start=_day(r.held_start),
        ))  # fmt: skip
    return out


def people_with_usage(
    conn: Connection,
    *,
    start: date,
    end: date,
    integration_id: int | None = None,
    person_ids: Collection[int] | None = None,
) -> set[int]:
    """Ids of the people with at least one event in ``start``..``end`` (inclusive).

    Read through the month split (monthly rows for whole months, daily rows at the
    edges): a month's events are the sum of its days', so a month row has events exactly
    when one of its days has. A year's distinct walk over every day row took ~0.6 s at
    1 M events on SQLite; this takes ~12 ms."""
    parts = pieces(usage_daily_user, usage_monthly_user, integration_id=integration_id,
                   start=start, end=end,
                   each_day=person_ids is not None and seek_each_day(
                       conn.dialect.name, people=len(person_ids)))  # fmt: skip
    selects = []
    for part in parts:
        query = sa.select(part.table.c.person_id).where(*part.conditions,
                                                          part.table.c.events > 0)  # fmt: skip
        if person_ids is not None:
            query = query.where(part.table.c.person_id.in_(sorted(person_ids)))
        selects.append(query)
    union = selects[0].distinct() if len(selects) == 1 else sa.union(*selects)
    return {int(pid) for pid in conn.execute(union).scalars()}
