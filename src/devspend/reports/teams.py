"""Teams: per team its members' AI on-demand, the cloud spend it owns, and the total;
per person the same; cloud spend nobody owns listed as unattributed, so every dollar
of the period appears somewhere. ``build_team`` is one team's page: its people,
models, AI and cloud cost, and trend.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy.engine import Connection

from devspend.errors import NotFoundError
from devspend.money import Money
from devspend.reports.charts import DailyChart, total_chart
from devspend.reports.filters import ReportFilter
from devspend.reports.models import ModelRow, build_models
from devspend.reports.ownership import AI_CURRENCY, PersonSpend, build_ownership
from devspend.reports.people import PersonRow, build_people
from devspend.reports.seats import cost_cents, seat_summary
from devspend.reports.spend import CostBasis
from devspend.reports.tables import Column, Table
from devspend.store import cloud_spend, series

NO_TEAM = "(no team)"
"""People no team claims, Cursor's "Unassigned" billing group included (one row, one idea)."""


class TeamRow(BaseModel):
    """``ai_cents`` is on-demand; cost = seats + on-demand; total = cost + cloud owned."""

    team: str
    members: int
    ai_cents: Money
    cloud_cents: Money
    total_cents: Money
    seat_cents: Money | None = None
    cost_cents: Money = Decimal(0)


class OwnerRow(BaseModel):
    """One person: AI on-demand, seats, cost, cloud spend they own (USD), their allocation;
    total = cost + cloud owned."""

    email: str
    name: str | None
    team: str | None
    cost_center: str | None
    ai_cents: Money
    cloud_cents: Money
    total_cents: Money
    seat_cents: Money | None = None
    cost_cents: Money = Decimal(0)


class UnattributedRow(BaseModel):
    owner_tag: str
    cloud_cents: Money


class CurrencyAmount(BaseModel):
    currency: str
    cents: Money


MONEY_COLUMNS = (Column("Cost", "cost_cents", "money"), Column("Seats", "seat_cents", "money"),
                 Column("On-demand", "ai_cents", "money"),
                 Column("Cloud owned", "cloud_cents", "money"),
                 Column("Total", "total_cents", "money"))  # fmt: skip


class TeamsView(BaseModel):
    start: date
    end: date
    cost: CostBasis
    currency: str
    teams: list[TeamRow]
    without_team: TeamRow
    people: list[OwnerRow]
    unattributed: list[UnattributedRow]
    unattributed_cents: Money
    other_currencies: list[CurrencyAmount]
    has_cloud_costs: bool
    notice: str | None
    seat_note: str | None = None
    """"seat price not set" when seats are missing from cost."""

    def tables(self) -> list[Table]:
        return [
            Table("teams", "Teams", TeamRow, [*self.teams, self.without_team],
                  [Column("Team", "team"), Column("People", "members", "count"),
                   *MONEY_COLUMNS]),
            Table("people", "People", OwnerRow, self.people,
                  [Column("Email", "email"), Column("Name", "name"), Column("Team", "team"),
                   Column("Cost center", "cost_center"), *MONEY_COLUMNS]),
            Table("unattributed", "Unattributed cloud spend", UnattributedRow, self.unattributed,
                  [Column("Owner tag", "owner_tag"), Column("Cloud", "cloud_cents", "money")]),
        ]  # fmt: skip


def owner_row(person: PersonSpend, seat_cents: Decimal | None = None) -> OwnerRow:
    cost = cost_cents(seat_cents=seat_cents, on_demand_cents=person.ai_cents)
    return OwnerRow(email=person.email, name=person.name, team=person.team,
                    cost_center=person.cost_center, ai_cents=person.ai_cents,
                    cloud_cents=person.cloud_cents, total_cents=cost + person.cloud_cents,
                    seat_cents=seat_cents, cost_cents=cost)  # fmt: skip


def _seat_sum(values: list[Decimal | None]) -> Decimal | None:
    known = [v for v in values if v is not None]
    return sum(known, Decimal(0)) if known else None


def build_teams(
    conn: Connection, flt: ReportFilter, *, cost: CostBasis = CostBasis.billed
) -> TeamsView:
    """Per team and per person: AI on-demand, owned cloud spend, total; plus unattributed."""
    report = build_ownership(conn, flt, cost=cost.value)
    seats = seat_summary(conn, start=flt.start, end=flt.end, integration_id=flt.integration_id,
                         who=flt.people)  # fmt: skip
    seat_of: dict[str, Decimal | None] = {}
    for held in seats.people:
        key = held.email.lower()
        seat_of[key] = _seat_sum([seat_of.get(key), held.seat_cents])
    people = [owner_row(p, seat_of.get(p.email.lower())) for p in report.people]
    by_team: dict[str, list[OwnerRow]] = {}
    for row in people:
        by_team.setdefault((row.team or "").lower(), []).append(row)

    def team_row(name: str, members: int, ai: Decimal, cloud: Decimal,
                 rows: list[OwnerRow]) -> TeamRow:
        seat = _seat_sum([r.seat_cents for r in rows])
        cost_ = cost_cents(seat_cents=seat, on_demand_cents=ai)
        return TeamRow(team=name, members=members, ai_cents=ai, cloud_cents=cloud,
                       total_cents=cost_ + cloud, seat_cents=seat, cost_cents=cost_)

    teams = sorted(
        (team_row(t.team, t.members, t.ai_cents, t.cloud_cents, by_team.get(t.team.lower(), []))
         for t in report.teams),
        key=lambda t: (-t.total_cents, t.team),
    )  # fmt: skip
    alone = [p for p in people if not p.team]
    ai = sum((p.ai_cents for p in alone), Decimal(0))
    cloud = sum((p.cloud_cents for p in alone), Decimal(0))
    has_cloud = cloud_spend.has_cloud_costs(conn)
    return TeamsView(
        start=flt.start, end=flt.end, cost=cost, currency=AI_CURRENCY, teams=teams,
        without_team=team_row(NO_TEAM, len(alone), ai, cloud, alone),
        people=sorted(people, key=lambda p: (-p.total_cents, p.email)),
        seat_note=seats.label,
        unattributed=sorted((UnattributedRow(owner_tag=k, cloud_cents=v)
                             for k, v in report.unattributed.items()),
                            key=lambda u: (-u.cloud_cents, u.owner_tag)),
        unattributed_cents=report.unattributed_cents,
        other_currencies=[CurrencyAmount(currency=c, cents=v * 100)
                          for c, v in sorted(report.other_currencies.items())],
        has_cloud_costs=has_cloud,
        notice=None if has_cloud else (
            "No cloud costs imported yet: import a FOCUS export with "
            "`devspend import focus FILE` or under Settings → Cloud costs."),
    )  # fmt: skip


class TeamView(BaseModel):
    """One team: its members' usage, the models they use, AI and cloud cost, and trend."""

    team: str
    start: date
    end: date
    members: int
    ai_cents: Money
    cloud_cents: Money
    total_cents: Money
    seat_cents: Money | None
    cost_cents: Money
    people: list[PersonRow]
    models: list[ModelRow]
    chart: DailyChart

    def tables(self) -> list[Table]:
        from devspend.reports.people import PEOPLE_COLUMNS

        return [
            Table("people", f"People of {self.team}", PersonRow, self.people, PEOPLE_COLUMNS),
            Table("models", f"Models of {self.team}", ModelRow, self.models,
                  [Column("Model", "model"), Column("People", "users", "count"),
                   Column("Usage value", "charged_cents", "money"),
                   Column("On-demand", "on_demand_cents", "money")]),
        ]  # fmt: skip


def build_team(conn: Connection, flt: ReportFilter, *, team: str) -> TeamView:
    """One team's page; ``NotFoundError`` for a team nobody is allocated to (or that a
    limited viewer may not see)."""
    mine = replace(flt, team=team)
    if flt.visible_teams is not None and team.lower() not in {
        t.lower() for t in flt.visible_teams
    }:
        raise NotFoundError(f"There is no team called {team} here.")
    teams = build_teams(conn, mine)
    row = next((t for t in teams.teams if t.team.lower() == team.lower()), None)
    if row is None:
        raise NotFoundError(f"There is no team called {team} here.")
    people = build_people(conn, mine)
    return TeamView(
        team=row.team, start=flt.start, end=flt.end, members=len(people.rows),
        ai_cents=row.ai_cents, cloud_cents=row.cloud_cents, total_cents=row.total_cents,
        seat_cents=row.seat_cents, cost_cents=row.cost_cents, people=people.rows,
        models=build_models(conn, mine).rows,
        chart=total_chart(start=flt.start, end=flt.end,
                          totals=series.daily_series(conn, mine.scope())),
    )  # fmt: skip
