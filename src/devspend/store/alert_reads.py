"""Read functions the alert rules need, each one query over the summaries.

Budgets, forecasts and anomalies all start from the same few series: per person and
day (``usage_daily_user``), per model and day (``usage_daily_model``), the newest
``/teams/spend`` gauge per person (for Cursor's per-user limits) and the coverage of
each day. Money stays integer micro-cents here; ``alerts/`` turns it into Decimal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from devspend.store.cloud_tables import allocations, cloud_costs
from devspend.store.tables import (
    integrations,
    member_spend,
    models,
    people,
    usage_coverage,
    usage_daily_detail,
    usage_daily_model,
    usage_daily_user,
    usage_events,
)


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _moment(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class PersonDay(NamedTuple):
    """One person's day in one integration; ``email`` is lower-case (people merge on it).

    A tuple, not a frozen dataclass: a check builds ~100k of them, and a frozen
    dataclass's ``__init__`` costs several times more."""

    integration_id: int
    email: str
    name: str | None
    day: date
    charged_ucents: int
    chargeable_ucents: int
    events: int
    max_mode_events: int
    headless_events: int


def person_days(conn: Connection, *, start: date, end: date) -> list[PersonDay]:
    """Every person-day with usage in ``start``..``end`` (the one big read of a check).

    People are read apart (a few thousand rows) and days are read as text and parsed
    once each: at 2,000 people a check reads ~100k person-days, and per-row string and
    date conversion was most of its time.
    """
    who = {int(r.id): (int(r.integration_id), str(r.email).lower(), r.name)
           for r in conn.execute(sa.select(people.c.id, people.c.integration_id,
                                           people.c.email, people.c.name))}  # fmt: skip
    u = usage_daily_user
    rows = conn.execute(
        sa.select(u.c.person_id, sa.type_coerce(u.c.day, sa.String), u.c.charged_ucents,
                  u.c.chargeable_ucents, u.c.events, u.c.max_mode_events, u.c.headless_events)
        .where(u.c.day >= start, u.c.day <= end,
               u.c.integration_id.in_(sa.select(integrations.c.id)))
    )  # fmt: skip
    days: dict[Any, date] = {}
    out = []
    for person_id, day, charged, chargeable, events, max_mode, headless in rows:
        person = who.get(int(person_id))
        if person is None:
            continue
        parsed = days.get(day)
        if parsed is None:
            parsed = days[day] = _day(day)
        out.append(PersonDay(person[0], person[1], person[2], parsed, charged, chargeable,
                             events, max_mode, headless))
    return out


@dataclass(frozen=True, slots=True)
class ModelDay:
    integration_id: int
    model: str
    day: date
    charged_ucents: int
    chargeable_ucents: int


def model_days(conn: Connection, *, start: date, end: date) -> list[ModelDay]:
    m = usage_daily_model
    rows = conn.execute(
        sa.select(m.c.integration_id, models.c.name, m.c.day, m.c.charged_ucents,
                  m.c.chargeable_ucents)
        .join(models, models.c.id == m.c.model_id)
        .where(m.c.day >= start, m.c.day <= end,
               m.c.integration_id.in_(sa.select(integrations.c.id)))
    )  # fmt: skip
    return [ModelDay(int(r.integration_id), str(r.name), _day(r.day), int(r.charged_ucents),
                     int(r.chargeable_ucents)) for r in rows]  # fmt: skip


@dataclass(frozen=True, slots=True)
class DetailSlice:
    """Part of one person's day: a model, with or without Max mode."""

    email: str
    model: str
    max_mode: bool
    charged_ucents: int
    chargeable_ucents: int


def person_detail(
    conn: Connection, *, emails: Sequence[str], start: date, end: date
) -> list[DetailSlice]:
    """What these people's spend in ``start``..``end`` was made of (what drove an alert)."""
    if not emails:
        return []
    d = usage_daily_detail
    lowered = sorted({e.lower() for e in emails})
    email = sa.func.lower(people.c.email)
    rows = conn.execute(
        sa.select(email.label("email"), models.c.name, d.c.max_mode,
                  sa.func.sum(d.c.charged_ucents).label("charged"),
                  sa.func.sum(d.c.chargeable_ucents).label("chargeable"))
        .join(people, people.c.id == d.c.person_id)
        .join(models, models.c.id == d.c.model_id)
        .where(d.c.day >= start, d.c.day <= end, email.in_(lowered),
               d.c.integration_id.in_(sa.select(integrations.c.id)))
        .group_by(email, models.c.name, d.c.max_mode)
    )  # fmt: skip
    return [DetailSlice(str(r.email), str(r.name), bool(r.max_mode), int(r.charged or 0),
                        int(r.chargeable or 0)) for r in rows]  # fmt: skip


def headless_charged(conn: Connection, *, emails: Sequence[str], day: date) -> dict[str, int]:
    """Σ charged micro-cents of these people's headless events on one day (lower-case email).

    Summaries count headless events but not their money, so this reads the day's raw
    events of a few candidates (by the person/time index), never everyone's.
    """
    if not emails:
        return {}
    e = usage_events
    start = int(datetime.combine(day, datetime.min.time(), tzinfo=UTC).timestamp() * 1000)
    email = sa.func.lower(people.c.email)
    rows = conn.execute(
        sa.select(email.label("email"), sa.func.sum(e.c.charged_ucents))
        .join(people, people.c.id == e.c.person_id)
        .where(email.in_(sorted({x.lower() for x in emails})), e.c.is_headless.is_(True),
               e.c.ts_ms >= start, e.c.ts_ms < start + 86_400_000)
        .group_by(email)
    )  # fmt: skip
    return {str(m): int(v or 0) for m, v in rows}


def owned_cloud_cents(
    conn: Connection, *, emails: Sequence[str], start: date, end: date
) -> dict[str, Decimal]:
    """Billed USD cloud cost (cents) each of these people owns over ``start``..``end``
    (FOCUS rows whose owner tag is their email), for the "and their cloud spend" words."""
    if not emails:
        return {}
    c = cloud_costs.c
    owner = sa.func.lower(c.owner)
    rows = conn.execute(
        sa.select(owner.label("owner"), sa.func.sum(c.billed_cost_nanos),
                  sa.func.sum(c.billed_cost_picos))
        .where(owner.in_(sorted({e.lower() for e in emails})), c.day >= start, c.day <= end,
               c.billing_currency == "USD")
        .group_by(owner)
    )  # fmt: skip
    return {str(o): (Decimal(int(n or 0)) / 10**7 + Decimal(int(p or 0)) / 10**10)
            for o, n, p in rows}  # fmt: skip


def allocation_map(conn: Connection) -> dict[str, tuple[str | None, str | None]]:
    """Lower-case email → (team, cost center) from the allocations table."""
    a = allocations.c
    return {str(r.email).lower(): (r.team, r.cost_center)
            for r in conn.execute(sa.select(a.email, a.team, a.cost_center))}  # fmt: skip


@dataclass(frozen=True, slots=True)
class SpendGauge:
    """A person's newest ``/teams/spend`` row: on-demand spend so far this cycle, and limit."""

    integration_id: int
    email: str
    cycle_start: datetime
    spend_ucents: int
    limit_dollars: int | None


def spend_gauges(conn: Connection) -> list[SpendGauge]:
    """Each integration's newest cycle snapshot, one row per person.

    The limit is ``effectivePerUserLimitDollars`` when Cursor sends it, else the hard
    override (0 means none), else ``monthlyLimitDollars``.
    """
    s = member_spend
    newest = (
        sa.select(s.c.integration_id, sa.func.max(s.c.cycle_start).label("cycle_start"))
        .group_by(s.c.integration_id)
        .subquery()
    )
    rows = conn.execute(
        sa.select(s.c.integration_id, s.c.email, s.c.cycle_start, s.c.spend_ucents,
                  s.c.effective_per_user_limit_dollars, s.c.hard_limit_override_dollars,
                  s.c.monthly_limit_dollars)
        .join(newest, sa.and_(newest.c.integration_id == s.c.integration_id,
                              newest.c.cycle_start == s.c.cycle_start))
    ).all()  # fmt: skip
    starts: dict[Any, datetime] = {}
    out = []
    for iid, email, start, spend, effective, hard, monthly in rows:
        limit = effective if effective is not None else (hard or monthly)
        if start not in starts:
            starts[start] = _moment(start)
        out.append(SpendGauge(int(iid), str(email).lower(), starts[start], int(spend),
                              None if limit is None else int(limit)))  # fmt: skip
    return out


def cycle_starts(conn: Connection) -> dict[int, datetime]:
    """Each integration's newest billing-cycle start seen in a spend snapshot."""
    s = member_spend
    rows = conn.execute(
        sa.select(s.c.integration_id, sa.func.max(s.c.cycle_start)).group_by(s.c.integration_id)
    )
    return {int(i): _moment(start) for i, start in rows if start is not None}


def coverage_statuses(conn: Connection, *, start: date, end: date) -> dict[tuple[int, date], str]:
    """(integration, day) → complete | partial | unavailable; days never synced are absent."""
    c = usage_coverage.c
    rows = conn.execute(
        sa.select(c.integration_id, c.day, c.status).where(c.day >= start, c.day <= end)
    )
    return {(int(r.integration_id), _day(r.day)): str(r.status) for r in rows}


@dataclass(frozen=True, slots=True)
class IntegrationClock:
    """How far an integration's data reaches: its newest synced moment (ms), if any."""

    integration_id: int
    name: str | None
    watermark_ms: int | None


def integration_clocks(conn: Connection) -> list[IntegrationClock]:
    i = integrations.c
    rows = conn.execute(sa.select(i.id, i.display_name, i.watermark_ms).order_by(i.id))
    return [IntegrationClock(int(r.id), r.display_name,
                             None if r.watermark_ms is None else int(r.watermark_ms))
            for r in rows]  # fmt: skip
