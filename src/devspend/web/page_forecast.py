"""The forecast lines a filtered page shows (overview, teams, person), from ``alerts``."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.engine import Connection

from devspend.alerts.page_lines import ForecastLine, forecast_lines
from devspend.reports.filters import ReportFilter
from devspend.web.clock import WallClock


def page_forecast(request: Request, conn: Connection, flt: ReportFilter) -> list[ForecastLine]:
    """"forecast $X at cycle end (budget $Y)" for the page's scope (its filter)."""
    clock: WallClock = request.app.state.clock
    return forecast_lines(conn, now=clock(), integration_id=flt.integration_id, team=flt.team,
                          cost_center=flt.cost_center, person=flt.person,
                          visible_teams=flt.visible_teams)  # fmt: skip
