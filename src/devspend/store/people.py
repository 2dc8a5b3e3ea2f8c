"""Reads about people: team members, one person's identity, their recent events, their
spend in the current billing cycle (the People and Person pages).

A person may exist in several connected teams; reads merge them by lower-case email.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from devspend.money import from_micros
from devspend.store.person_scope import PeopleFilter, person_ids
from devspend.store.tables import kinds, member_spend, models, people, usage_events


def _day_ms(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)


@dataclass(frozen=True, slots=True)
class PersonInfo:
    email: str
    name: str | None
    last_active_day: date | None
    person_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class EventRow:
    ts_ms: int
    model: str
    kind: str
    max_mode: bool
    input_tokens: int
    output_tokens: int
    cache_write_tokens: int
    cache_read_tokens: int
    total_cents: Decimal
    charged_cents: Decimal

    @property
    def at(self) -> datetime:
        return datetime.fromtimestamp(self.ts_ms / 1000, tz=UTC)


@dataclass(frozen=True, slots=True)
class CycleSpend:
    """The newest spend snapshot for a person: this billing cycle's gauge and limits."""

    cycle_start: datetime
    spend_cents: Decimal
    overall_spend_cents: Decimal | None
    fast_premium_requests: int | None
    limit_dollars: int | None


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


@dataclass(frozen=True, slots=True)
class Member:
    email: str
    name: str | None
    last_active_day: date | None
    is_removed: bool


def members(
    conn: Connection, *, integration_id: int | None, who: PeopleFilter | None = None
) -> dict[str, Member]:
    """Every known team member by lower-case email (merged over integrations), so the
    people page can list members without usage too; ``who`` narrows to some people."""
    query = sa.select(people.c.email, people.c.name, people.c.last_active_day,
                      people.c.is_removed)  # fmt: skip
    if who is not None and not who.is_everyone():
        query = query.where(people.c.id.in_(person_ids(who)))
    if integration_id is not None:
        query = query.where(people.c.integration_id == integration_id)
    found: dict[str, Member] = {}
    for r in conn.execute(query.order_by(people.c.id)):
        key = str(r.email).lower()
        day = _as_date(r.last_active_day)
        before = found.get(key)
        if before is not None:
            days = [d for d in (before.last_active_day, day) if d is not None]
            day = max(days) if days else None
        found[key] = Member(
            email=str(r.email), name=r.name or (before.name if before else None),
            last_active_day=day,
            is_removed=bool(r.is_removed) and (before is None or before.is_removed),
        )  # fmt: skip
    return found


def person_info(
    conn: Connection, *, email: str, integration_id: int | None, who: PeopleFilter | None = None
) -> PersonInfo | None:
    """One person by email (any case), or None when unknown or outside ``who``."""
    query = sa.select(people.c.id, people.c.email, people.c.name, people.c.last_active_day).where(
        sa.func.lower(people.c.email) == email.lower()
    )
    if who is not None and not who.is_everyone():
        query = query.where(people.c.id.in_(person_ids(who)))
    if integration_id is not None:
        query = query.where(people.c.integration_id == integration_id)
    rows = conn.execute(query.order_by(people.c.id)).all()
    if not rows:
        return None
    days = [d for r in rows if (d := _as_date(r.last_active_day)) is not None]
    return PersonInfo(
        email=str(rows[0].email),
        name=next((r.name for r in rows if r.name), None),
        last_active_day=max(days) if days else None,
        person_ids=tuple(int(r.id) for r in rows),
    )


def recent_events(
    conn: Connection, *, person_ids: tuple[int, ...], start: date, end: date,
    offset: int, limit: int,
) -> list[EventRow]:  # fmt: skip
    """One person's events in a period, newest first, one page at a time."""
    e = usage_events
    rows = conn.execute(
        sa.select(
            e.c.ts_ms, models.c.name.label("model"), kinds.c.name.label("kind"), e.c.max_mode,
            e.c.input_tokens, e.c.output_tokens, e.c.cache_write_tokens, e.c.cache_read_tokens,
            e.c.total_ucents, e.c.charged_ucents,
        )
        .join(models, models.c.id == e.c.model_id)
        .join(kinds, kinds.c.id == e.c.kind_id)
        .where(
            e.c.person_id.in_(person_ids),
            e.c.ts_ms >= _day_ms(start),
            e.c.ts_ms < _day_ms(end + timedelta(days=1)),
        )
        .order_by(e.c.ts_ms.desc(), e.c.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return [
        EventRow(
            ts_ms=int(r.ts_ms), model=str(r.model), kind=str(r.kind), max_mode=bool(r.max_mode),
            input_tokens=int(r.input_tokens), output_tokens=int(r.output_tokens),
            cache_write_tokens=int(r.cache_write_tokens),
            cache_read_tokens=int(r.cache_read_tokens),
            total_cents=from_micros(int(r.total_ucents)),
            charged_cents=from_micros(int(r.charged_ucents)),
        )
        for r in rows
    ]


def cycle_spend(conn: Connection, *, email: str, integration_id: int | None) -> CycleSpend | None:
    """The person's spend in the newest billing cycle snapshot, with their limit."""
    s = member_spend
    query = sa.select(s).where(sa.func.lower(s.c.email) == email.lower())
    if integration_id is not None:
        query = query.where(s.c.integration_id == integration_id)
    row = conn.execute(query.order_by(s.c.cycle_start.desc(), s.c.taken_at.desc())).first()
    if row is None:
        return None
    m = row._mapping
    limit = m["effective_per_user_limit_dollars"]
    if limit is None:
        limit = m["hard_limit_override_dollars"] or m["monthly_limit_dollars"]
    overall = m["overall_spend_ucents"]
    start = m["cycle_start"]
    return CycleSpend(
        cycle_start=_aware(start if isinstance(start, datetime)
                           else datetime.fromisoformat(str(start))),
        spend_cents=from_micros(int(m["spend_ucents"])),
        overall_spend_cents=None if overall is None else from_micros(int(overall)),
        fast_premium_requests=m["fast_premium_requests"],
        limit_dollars=None if limit is None else int(limit),
    )


def fast_premium_requests(
    conn: Connection, *, integration_ids: Sequence[int]
) -> dict[tuple[int, str], int]:
    """This cycle's ``fastPremiumRequests`` per (integration, lower-case email), from the
    newest spend snapshot of each integration: the API reports the figure for the
    current cycle only, so it is never summed over periods."""
    if not integration_ids:
        return {}
    s = member_spend
    latest = (
        sa.select(s.c.integration_id, sa.func.max(s.c.cycle_start).label("cycle_start"))
        .where(s.c.integration_id.in_(sorted(set(integration_ids))))
        .group_by(s.c.integration_id)
        .subquery()
    )
    rows = conn.execute(
        sa.select(s.c.integration_id, s.c.email, s.c.fast_premium_requests).join(
            latest,
            sa.and_(
                latest.c.integration_id == s.c.integration_id,
                latest.c.cycle_start == s.c.cycle_start,
            ),
        )
    )
    return {
        (int(r.integration_id), str(r.email).lower()): int(r.fast_premium_requests)
        for r in rows
        if r.fast_premium_requests is not None
    }


def _aware(moment: datetime) -> datetime:
    """SQLite hands datetimes back naive; they are stored as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
