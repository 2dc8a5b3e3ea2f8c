"""Adoption: who uses Cursor, how, and which seats sit idle — from the synced daily usage.

Per person, per team (the allocations' teams) and for everyone in the period: active
days, agent / chat / composer / cmd-K requests, tabs shown and accepted (accept rate),
lines added and accepted, most-used model (the model most often the day's
``mostUsedModel``) and the latest client version. Every team and total row is the sum
of the person rows under it.

**Idle seats**: members still listed by Cursor with no activity — neither a usage event
nor a day Cursor counted them active — in the ``idle_days`` days up to the period's end;
with their seats for the period when a seat price is set (``reports.seats``).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, PlainSerializer, computed_field
from sqlalchemy.engine import Connection

from devspend.money import Money
from devspend.reports.filters import ReportFilter
from devspend.reports.seats import person_seats
from devspend.reports.tables import Column, Table
from devspend.store.adoption import COUNTERS, adoption_by_email, last_active_days
from devspend.store.outcome import MemberInfo, members_with_teams
from devspend.store.people import members

DEFAULT_IDLE_DAYS = 14
NO_TEAM = "(no team)"
Percent = Annotated[Decimal, PlainSerializer(lambda d: format(d, "f"), return_type=str,
                                             when_used="json")]  # fmt: skip
Cents = Money


def filter_emails(conn: Connection, flt: ReportFilter) -> set[str] | None:
    """The people a report filter covers (a person, a team, a viewer's teams) as lower-case
    emails, or None for everyone."""
    if not flt.narrows_people:
        return None
    return set(members(conn, integration_id=flt.integration_id, who=flt.people))


def percent(part: int, whole: int) -> Decimal | None:
    """``part / whole`` in percent to one decimal, or None when there is nothing to divide."""
    if whole <= 0:
        return None
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"))


class AdoptionFigures(BaseModel):
    """The additive figures of some people's member-days (one person, a team, everyone)."""

    people: int = 0
    active_people: int = 0
    active_days: int = 0
    agent_requests: int = 0
    chat_requests: int = 0
    composer_requests: int = 0
    cmdk_usages: int = 0
    bugbot_usages: int = 0
    tabs_shown: int = 0
    tabs_accepted: int = 0
    applies: int = 0
    accepts: int = 0
    rejects: int = 0
    lines_added: int = 0
    lines_deleted: int = 0
    accepted_lines_added: int = 0
    accepted_lines_deleted: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def tab_accept_rate_percent(self) -> Percent | None:
        """Tabs accepted / tabs shown."""
        return percent(self.tabs_accepted, self.tabs_shown)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def requests(self) -> int:
        """Agent + chat + composer requests + cmd-K uses."""
        return self.agent_requests + self.chat_requests + self.composer_requests + self.cmdk_usages

    def plus(self, other: AdoptionFigures) -> AdoptionFigures:
        names = AdoptionFigures.model_fields
        return AdoptionFigures(**{n: getattr(self, n) + getattr(other, n) for n in names})


class PersonAdoptionRow(AdoptionFigures):
    email: str
    name: str | None
    team: str | None
    member_days: int
    most_used_model: str | None
    client_version: str | None
    last_active_day: date | None
    """The last day with any activity, in all stored history."""


class TeamAdoptionRow(AdoptionFigures):
    team: str


class IdleSeat(BaseModel):
    """A listed member with no activity in the last ``idle_days`` days of the period."""

    email: str
    name: str | None
    team: str | None
    last_active_day: date | None
    """None: never active in the stored history."""
    seat_cents: Cents | None
    """Their seats for the period; None when no seat price is set."""


FIGURE_COLUMNS = (
    Column("Active days", "active_days", "count"),
    Column("Agent", "agent_requests", "count"), Column("Chat", "chat_requests", "count"),
    Column("Composer", "composer_requests", "count"), Column("Cmd-K", "cmdk_usages", "count"),
    Column("Tabs shown", "tabs_shown", "count"), Column("Tabs accepted", "tabs_accepted", "count"),
    Column("Accept rate", "tab_accept_rate_percent", "percent"),
    Column("Lines added", "lines_added", "count"),
    Column("Accepted lines", "accepted_lines_added", "count"),
)  # fmt: skip


class AdoptionView(BaseModel):
    start: date
    end: date
    idle_days: int
    people: list[PersonAdoptionRow]
    teams: list[TeamAdoptionRow]
    total: AdoptionFigures
    idle_seats: list[IdleSeat]
    has_daily_usage: bool
    """False: no daily usage stored for the period (a sync has not read it yet)."""

    def tables(self) -> list[Table]:
        return [
            Table("people", "Adoption by person", PersonAdoptionRow, self.people, [
                Column("Email", "email"), Column("Team", "team"), *FIGURE_COLUMNS,
                Column("Most-used model", "most_used_model"),
                Column("Client", "client_version"), Column("Last active", "last_active_day"),
            ]),
            Table("teams", "Adoption by team", TeamAdoptionRow, self.teams, [
                Column("Team", "team"), Column("People", "people", "count"),
                Column("Active people", "active_people", "count"), *FIGURE_COLUMNS,
            ]),
            Table("idle_seats", f"Idle seats (no activity in {self.idle_days} days)", IdleSeat,
                  self.idle_seats, [
                      Column("Email", "email"), Column("Team", "team"),
                      Column("Last active", "last_active_day"), Column("Seats", "seat_cents",
                                                                       "money"),
                  ]),
        ]  # fmt: skip


def build_adoption_report(
    conn: Connection, flt: ReportFilter, *, idle_days: int = DEFAULT_IDLE_DAYS
) -> AdoptionView:
    """:func:`build_adoption` for a report filter: the web page, its JSON and the CLI."""
    return build_adoption(conn, start=flt.start, end=flt.end, integration_id=flt.integration_id,
                          emails=filter_emails(conn, flt), idle_days=idle_days)  # fmt: skip


def build_adoption(
    conn: Connection,
    *,
    start: date,
    end: date,
    integration_id: int | None = None,
    emails: Collection[str] | None = None,
    idle_days: int = DEFAULT_IDLE_DAYS,
) -> AdoptionView:
    """The adoption view of a period for everyone, or for ``emails`` (a person, a team)."""
    wanted = None if emails is None else {e.lower() for e in emails}
    known = members_with_teams(conn, integration_id=integration_id)
    if wanted is not None:
        known = {e: m for e, m in known.items() if e in wanted}
    found = adoption_by_email(conn, start=start, end=end, integration_id=integration_id,
                              emails=wanted)  # fmt: skip
    last_daily = last_active_days(conn, integration_id=integration_id, emails=wanted)
    rows: list[PersonAdoptionRow] = []
    for email in sorted(set(found) | {e for e, m in known.items() if not m.is_removed}):
        person, member = found.get(email), known.get(email)
        last = max((d for d in (last_daily.get(email), member.last_event_day if member else None)
                    if d is not None), default=None)  # fmt: skip
        counts = person.counts if person else dict.fromkeys(COUNTERS.values(), 0)
        rows.append(PersonAdoptionRow(
            email=email, name=member.name if member else None,
            team=member.team if member else None, people=1,
            active_people=int(bool(person and person.active_days)),
            active_days=person.active_days if person else 0,
            member_days=person.member_days if person else 0,
            most_used_model=person.most_used_model if person else None,
            client_version=person.client_version if person else None,
            last_active_day=last, **counts,
        ))  # fmt: skip
    rows.sort(key=lambda r: (-r.active_days, -r.requests, r.email))
    teams: dict[str, AdoptionFigures] = {}
    total = AdoptionFigures()
    for row in rows:
        figures = AdoptionFigures(**{n: getattr(row, n) for n in AdoptionFigures.model_fields})
        team = row.team or NO_TEAM
        teams[team] = teams.get(team, AdoptionFigures()).plus(figures)
        total = total.plus(figures)
    team_rows = [TeamAdoptionRow(team=t, **f.model_dump(include=set(AdoptionFigures.model_fields)))
                 for t, f in sorted(teams.items(), key=lambda kv: (-kv[1].active_days, kv[0]))]
    idle = _idle_seats(conn, rows, known, start=start, end=end, integration_id=integration_id,
                       idle_days=idle_days)  # fmt: skip
    return AdoptionView(start=start, end=end, idle_days=idle_days, people=rows, teams=team_rows,
                        total=total, idle_seats=idle, has_daily_usage=bool(found))  # fmt: skip


def _idle_seats(
    conn: Connection, rows: list[PersonAdoptionRow], known: dict[str, MemberInfo], *, start: date,
    end: date, integration_id: int | None, idle_days: int,
) -> list[IdleSeat]:  # fmt: skip
    since = end - timedelta(days=idle_days - 1)
    idle = [r for r in rows if r.email in known and not known[r.email].is_removed
            and (r.last_active_day is None or r.last_active_day < since)]  # fmt: skip
    if not idle:
        return []
    seats: dict[str, Decimal | None] = {}
    for seat in person_seats(conn, start=start, end=end, integration_id=integration_id,
                             emails=[r.email for r in idle]):  # fmt: skip
        mine = seats.get(seat.email.lower())
        seats[seat.email.lower()] = (None if seat.seat_cents is None and mine is None
                                     else (mine or Decimal(0)) + (seat.seat_cents or 0))
    idle.sort(key=lambda r: (r.last_active_day or date.min, r.email))
    return [IdleSeat(email=r.email, name=r.name, team=r.team, last_active_day=r.last_active_day,
                     seat_cents=seats.get(r.email)) for r in idle]  # fmt: skip


def person_adoption(conn: Connection, flt: ReportFilter, *, email: str) -> PersonAdoptionRow | None:
    """One person's adoption row of the period (the Person page), None if unknown."""
    view = build_adoption(conn, start=flt.start, end=flt.end, integration_id=flt.integration_id,
                          emails=[email])  # fmt: skip
    return view.people[0] if view.people else None
