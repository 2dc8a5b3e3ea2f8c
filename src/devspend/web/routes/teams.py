"""Teams: per team its members' AI on-demand, the cloud spend it owns, and the total
(``/teams``, ``/teams.csv[?table=people|unattributed]``, ``/api/v1/teams``); one team's
page with its people, models and trend (``/teams/{name}``, ``/api/v1/teams/{name}``)."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.engine import Connection

from devspend.reports.filters import ReportFilter
from devspend.reports.spend import CostBasis
from devspend.reports.teams import TeamsView, TeamView, build_team, build_teams
from devspend.web.deps import ConnDep, CurrentUser
from devspend.web.filters import FilterDep
from devspend.web.page_context import filter_context
from devspend.web.page_forecast import page_forecast
from devspend.web.pages import (
    Page,
    TableQuery,
    add_page_routes,
    csv_response,
    file_stem,
    view_for,
)
from devspend.web.rendering import render


class TeamsParams(BaseModel):
    model_config = ConfigDict(frozen=True)

    cost: Annotated[CostBasis, Field(description="cloud cost basis: billed or effective")] = (
        CostBasis.billed
    )


def _build(conn: Connection, flt: ReportFilter, p: TeamsParams) -> TeamsView:
    return build_teams(conn, flt, cost=p.cost)


def _context(
    request: Request, conn: Connection, flt: ReportFilter, _p: TeamsParams, _view: TeamsView
) -> dict[str, Any]:
    return {"cost_bases": list(CostBasis), "forecast_lines": page_forecast(request, conn, flt)}


PAGE: Page[TeamsParams, TeamsView] = Page(
    name="teams", path="/teams", api_path="/teams", template="teams.html", params=TeamsParams,
    view=TeamsView, build=_build, context=_context,
    summary="Per team and per person: AI on-demand, cloud spend owned, total; unattributed "
    "cloud spend.",
)  # fmt: skip

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["reports"])
add_page_routes(PAGE, router=router, api=api)


def _team(request: Request, conn: Connection, flt: ReportFilter, team: str) -> TeamView:
    return view_for(request, conn, flt, key=("team", flt, team.lower()),
                    build=lambda: build_team(conn, flt, team=team))  # fmt: skip


@router.get("/teams/{name:path}.csv")
def team_csv(
    request: Request, name: str, _user: CurrentUser, conn: ConnDep, flt: FilterDep,
    table: TableQuery = None,
) -> Response:  # fmt: skip
    view = _team(request, conn, flt, name)
    return csv_response(view, table=table, filename=file_stem(f"team-{view.team}", flt))


@router.get("/teams/{name:path}")
def team_page(
    request: Request, name: str, _user: CurrentUser, conn: ConnDep, flt: FilterDep
) -> Response:
    view = _team(request, conn, flt, name)
    return render(request, "team.html", {
        "view": view, "active": "teams", "chart_json": view.chart.model_dump(mode="json"),
        **filter_context(request, conn, flt),
        "forecast_lines": page_forecast(request, conn, replace(flt, team=view.team)),
    })  # fmt: skip


@api.get("/teams/{name:path}", response_model=TeamView)
def team_api(
    request: Request, name: str, _user: CurrentUser, conn: ConnDep, flt: FilterDep
) -> TeamView:
    """One team: its people's usage, the models they use, AI and cloud cost, daily trend."""
    return _team(request, conn, flt, name)
