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
from devspend.reports.spend import CostBasis
from devspend.reports.tables import Column, Table
from devspend.store import cloud_spend, series

NO_TEAM = "(no team)"


class TeamRow(BaseModel):
    team: str
    members: int
    ai_cents: Money
    cloud_cents: Money
    total_cents: Money


class OwnerRow(BaseModel):
    """One person: AI on-demand, cloud spend they own (USD), their allocation."""

    email: str
    name: str | None
    team: str | None
    cost_center: str | None
    ai_cents: Money
    cloud_cents: Money
    total_cents: Money


class UnattributedRow(BaseModel):
    owner_tag: str
    cloud_cents: Money


class CurrencyAmount(BaseModel):
    currency: str
    cents: Money


MONEY_COLUMNS = (Column("AI on-demand", "ai_cents", "money"),
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


def owner_row(person: PersonSpend) -> OwnerRow:
    return OwnerRow(email=person.email, name=person.name, team=person.team,
                    cost_center=person.cost_center, ai_cents=person.ai_cents,
                    cloud_cents=person.cloud_cents, total_cents=person.total_cents)  # fmt: skip


def build_teams(
    conn: Connection, flt: ReportFilter, *, cost: CostBasis = CostBasis.billed
) -> TeamsView:
    """Per team and per person: AI on-demand, owned cloud spend, total; plus unattributed."""
    report = build_ownership(conn, flt, cost=cost.value)
    teams = sorted(
        (TeamRow(team=t.team, members=t.members, ai_cents=t.ai_cents, cloud_cents=t.cloud_cents,
                 total_cents=t.total_cents) for t in report.teams),
        key=lambda t: (-t.total_cents, t.team),
    )  # fmt: skip
    alone = [p for p in report.people if not p.team]
    ai = sum((p.ai_cents for p in alone), Decimal(0))
    cloud = sum((p.cloud_cents for p in alone), Decimal(0))
    has_cloud = cloud_spend.has_cloud_costs(conn)
    return TeamsView(
        start=flt.start, end=flt.end, cost=cost, currency=AI_CURRENCY, teams=teams,
        without_team=TeamRow(team=NO_TEAM, members=len(alone), ai_cents=ai, cloud_cents=cloud,
                             total_cents=ai + cloud),
        people=sorted((owner_row(p) for p in report.people),
                      key=lambda p: (-p.total_cents, p.email)),
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
        people=people.rows, models=build_models(conn, mine).rows,
        chart=total_chart(start=flt.start, end=flt.end,
                          totals=series.daily_series(conn, mine.scope())),
    )  # fmt: skip
