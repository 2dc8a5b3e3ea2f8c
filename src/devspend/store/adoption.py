"""Adoption reads: who used Cursor's editor features, from the stored ``/teams/daily-usage-data``.

The member-day rows are kept whole in ``daily_usage.raw``; their counters are read
with the database's own JSON functions (``json_extract`` on SQLite, ``jsonb`` on
PostgreSQL), summed per person in SQL, so a year of a big team never comes into
Python row by row. People are keyed by lower-case email, merged across connected
Cursor teams like every other person figure.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

from devspend.store.tables import daily_usage

# daily-usage field → our name; all are additive counts of a member-day
COUNTERS: dict[str, str] = {
    "agentRequests": "agent_requests",
    "chatRequests": "chat_requests",
    "composerRequests": "composer_requests",
    "cmdkUsages": "cmdk_usages",
    "bugbotUsages": "bugbot_usages",
    "totalTabsShown": "tabs_shown",
    "totalTabsAccepted": "tabs_accepted",
    "totalApplies": "applies",
    "totalAccepts": "accepts",
    "totalRejects": "rejects",
    "totalLinesAdded": "lines_added",
    "totalLinesDeleted": "lines_deleted",
    "acceptedLinesAdded": "accepted_lines_added",
    "acceptedLinesDeleted": "accepted_lines_deleted",
}


@dataclass(slots=True)
class PersonAdoption:
    """One person's member-days in a period: activity, feature counts, model, client."""

    email: str
    member_days: int = 0
    active_days: int = 0
    first_active_day: date | None = None
    last_active_day: date | None = None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTERS.values(), 0))
    most_used_model: str | None = None
    most_used_model_days: int = 0
    client_version: str | None = None


def _json(conn: Connection) -> Any:
    if conn.dialect.name == "postgresql":
        return sa.cast(daily_usage.c.raw, postgresql.JSONB)
    return sa.type_coerce(daily_usage.c.raw, sa.JSON)


def _where(
    *, start: date | None, end: date | None, integration_id: int | None,
    emails: Collection[str] | None,
) -> list[sa.ColumnElement[bool]]:  # fmt: skip
    d = daily_usage.c
    found: list[sa.ColumnElement[bool]] = []
    if start is not None:
        found.append(d.day >= start)
    if end is not None:
        found.append(d.day <= end)
    if integration_id is not None:
        found.append(d.integration_id == integration_id)
    if emails is not None:
        found.append(sa.func.lower(d.email).in_(sorted({e.lower() for e in emails})))
    return found


def adoption_by_email(
    conn: Connection,
    *,
    start: date,
    end: date,
    integration_id: int | None = None,
    emails: Collection[str] | None = None,
) -> dict[str, PersonAdoption]:
    """Per lower-case email: the period's member-days summed, plus the model most often
    the day's ``mostUsedModel`` and the client version of the latest day that had one."""
    if emails is not None and not emails:
        return {}
    where = _where(start=start, end=end, integration_id=integration_id, emails=emails)
    d, j = daily_usage.c, _json(conn)
    email = sa.func.lower(d.email).label("email")
    active = sa.case((d.is_active, 1), else_=0)
    sums = [sa.func.coalesce(sa.func.sum(j[key].as_integer()), 0).label(name)
            for key, name in COUNTERS.items()]  # fmt: skip
    rows = conn.execute(
        sa.select(
            email, sa.func.count().label("member_days"), sa.func.sum(active).label("active"),
            sa.func.min(sa.case((d.is_active, d.day))).label("first"),
            sa.func.max(sa.case((d.is_active, d.day))).label("last"), *sums,
        ).where(*where).group_by(email)
    ).all()  # fmt: skip
    found: dict[str, PersonAdoption] = {}
    for row in rows:
        m = row._mapping
        found[m["email"]] = PersonAdoption(
            email=m["email"], member_days=int(m["member_days"]), active_days=int(m["active"] or 0),
            first_active_day=m["first"], last_active_day=m["last"],
            counts={name: int(m[name]) for name in COUNTERS.values()},
        )  # fmt: skip
    model = j["mostUsedModel"].as_string()
    for who, name, days in conn.execute(
        sa.select(email, model, sa.func.count())
        .where(*where, model.is_not(None)).group_by(email, model)
    ).all():  # fmt: skip
        person = found.get(who)
        if person is not None and (int(days), name) > (
            person.most_used_model_days, person.most_used_model or ""
        ):
            person.most_used_model, person.most_used_model_days = name, int(days)
    version = j["clientVersion"].as_string()
    latest: dict[str, tuple[date, str]] = {}
    for who, name, day in conn.execute(
        sa.select(email, version, sa.func.max(d.day))
        .where(*where, version.is_not(None)).group_by(email, version)
    ).all():  # fmt: skip
        if who not in latest or (day, name) > latest[who]:
            latest[who] = (day, name)
    for who, (_day, name) in latest.items():
        if who in found:
            found[who].client_version = name
    return found


def last_active_days(
    conn: Connection, *, integration_id: int | None = None, emails: Collection[str] | None = None
) -> dict[str, date]:
    """Per lower-case email, the last day Cursor counted them active (all history kept)."""
    if emails is not None and not emails:
        return {}
    d = daily_usage.c
    email = sa.func.lower(d.email)
    where = _where(start=None, end=None, integration_id=integration_id, emails=emails)
    rows = conn.execute(
        sa.select(email, sa.func.max(d.day)).where(*where, d.is_active).group_by(email)
    ).all()
    return {who: day for who, day in rows}


def daily_active_people(
    conn: Connection,
    *,
    start: date,
    end: date,
    integration_id: int | None = None,
    emails: Collection[str] | None = None,
) -> dict[date, int]:
    """Per day of the period, how many distinct people were active (a DAU series)."""
    if emails is not None and not emails:
        return {}
    d = daily_usage.c
    where = _where(start=start, end=end, integration_id=integration_id, emails=emails)
    rows = conn.execute(
        sa.select(d.day, sa.func.count(sa.distinct(sa.func.lower(d.email))))
        .where(*where, d.is_active).group_by(d.day)
    ).all()  # fmt: skip
    return {day: int(n) for day, n in rows}
