"""Teams: per team its members' AI spend, the cloud spend it owns, and the total.

``build_teams`` turns :func:`devspend.focus.queries.ownership_report` into the one view
behind ``/teams`` and ``/api/v1/teams``. Cloud spend that no person or team owns is
listed as **unattributed** (by owner tag value), and people without a team are summed
in their own row, so every dollar of the period appears somewhere on the page.
``owned_spend`` and ``owned_cloud_by_email`` serve the Person page and the People table.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import Engine
from sqlalchemy.engine import Connection

from devspend.focus.queries import AI_CURRENCY, OwnershipReport, PersonSpend, ownership_report
from devspend.web.deps import ConnDep, CurrentUser
from devspend.web.filters import FilterDep, ReportFilter
from devspend.web.page_context import cached, filter_context
from devspend.web.rendering import render
from devspend.web.routes.spend import INTEGRATION_NOTICE, CostBasis, CostQuery

NO_TEAM = "(no team)"


class TeamRow(BaseModel):
    team: str
    members: int
    ai_cents: Decimal
    cloud_cents: Decimal
    total_cents: Decimal


class OwnerRow(BaseModel):
    """One person: AI spend, cloud spend they own (``currency`` USD), their allocation."""

    email: str
    name: str | None
    team: str | None
    cost_center: str | None
    ai_cents: Decimal
    cloud_cents: Decimal
    total_cents: Decimal


class UnattributedRow(BaseModel):
    owner_tag: str
    cloud_cents: Decimal


class CurrencyAmount(BaseModel):
    currency: str
    cents: Decimal


class TeamsView(BaseModel):
    start: date
    end: date
    cost: CostBasis
    currency: str
    teams: list[TeamRow]
    without_team: TeamRow
    people: list[OwnerRow]
    unattributed: list[UnattributedRow]
    unattributed_cents: Decimal
    other_currencies: list[CurrencyAmount]
    notice: str | None


def _cents(amount: Decimal) -> Decimal:
    return amount.scaleb(2)


def owner_row(person: PersonSpend) -> OwnerRow:
    return OwnerRow(
        email=person.email, name=person.name, team=person.team,
        cost_center=person.cost_center, ai_cents=_cents(person.ai),
        cloud_cents=_cents(person.cloud), total_cents=_cents(person.total),
    )  # fmt: skip


def _without_team(report: OwnershipReport) -> TeamRow:
    alone = [p for p in report.people if not p.team]
    ai = sum((p.ai for p in alone), Decimal(0))
    cloud = sum((p.cloud for p in alone), Decimal(0))
    return TeamRow(
        team=NO_TEAM, members=len(alone), ai_cents=_cents(ai), cloud_cents=_cents(cloud),
        total_cents=_cents(ai + cloud),
    )  # fmt: skip


def build_teams(engine: Engine, flt: ReportFilter, *, cost: CostBasis) -> TeamsView:
    """Per team and per person: AI spend, owned cloud spend, total; plus unattributed cloud."""
    report = ownership_report(
        engine, first_day=flt.start, last_day=flt.end,
        cost="effective" if cost is CostBasis.effective else "billed",
    )  # fmt: skip
    teams = [
        TeamRow(team=t.team, members=t.members, ai_cents=_cents(t.ai),
                cloud_cents=_cents(t.cloud), total_cents=_cents(t.total))
        for t in report.teams
    ]  # fmt: skip
    teams.sort(key=lambda t: (-t.total_cents, t.team))
    people = sorted((owner_row(p) for p in report.people), key=lambda p: (-p.total_cents, p.email))
    unattributed = sorted(
        (UnattributedRow(owner_tag=k, cloud_cents=_cents(v))
         for k, v in report.unattributed.items()),
        key=lambda u: (-u.cloud_cents, u.owner_tag),
    )  # fmt: skip
    return TeamsView(
        start=flt.start, end=flt.end, cost=cost, currency=AI_CURRENCY, teams=teams,
        without_team=_without_team(report), people=people, unattributed=unattributed,
        unattributed_cents=_cents(report.unattributed_total),
        other_currencies=[
            CurrencyAmount(currency=c, cents=_cents(v))
            for c, v in sorted(report.other_currencies.items())
        ],
        notice=INTEGRATION_NOTICE if flt.integration_id is not None else None,
    )  # fmt: skip


def teams_view(
    request: Request, conn: Connection, flt: ReportFilter, *, cost: CostBasis = CostBasis.billed
) -> TeamsView:
    """The (cached) teams view: ownership joins AI spend, owned cloud costs and allocations."""
    return cached(request, conn, ("teams", flt, cost),
                        lambda: build_teams(conn.engine, flt, cost=cost))  # fmt: skip


def owned_spend(
    request: Request, conn: Connection, flt: ReportFilter, *, email: str
) -> OwnerRow | None:
    """One person's AI spend and the cloud spend they own in the period (None: neither)."""
    key = email.strip().lower()
    return next((p for p in teams_view(request, conn, flt).people if p.email == key), None)


def owned_cloud_by_email(
    request: Request, conn: Connection, flt: ReportFilter
) -> dict[str, Decimal]:
    """Cloud spend (cents) each person owns in the period, by lower-case email (People table)."""
    return {p.email: p.cloud_cents for p in teams_view(request, conn, flt).people if p.cloud_cents}


router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["reports"])


@router.get("/teams")
def teams_page(
    request: Request, _user: CurrentUser, conn: ConnDep, flt: FilterDep,
    cost: CostQuery = CostBasis.billed,
) -> Response:  # fmt: skip
    view = teams_view(request, conn, flt, cost=cost)
    return render(request, "teams.html", {
        "view": view, "active": "teams", "cost_bases": list(CostBasis),
        **filter_context(request, conn, flt, cost=cost.value),
    })  # fmt: skip


@api.get("/teams", response_model=TeamsView)
def teams_api(
    request: Request, _user: CurrentUser, conn: ConnDep, flt: FilterDep,
    cost: CostQuery = CostBasis.billed,
) -> TeamsView:  # fmt: skip
    """Per team and per person: AI spend, cloud spend owned, total; unattributed cloud spend."""
    return teams_view(request, conn, flt, cost=cost)
