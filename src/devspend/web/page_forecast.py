"""The forecast lines a filtered page shows (overview, teams, person), from ``alerts``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import Request
from sqlalchemy.engine import Connection

from devspend.alerts.page_lines import ForecastLine, forecast_days, forecast_lines
from devspend.reports.filters import ReportFilter
from devspend.web.clock import WallClock


def page_forecast(request: Request, conn: Connection, flt: ReportFilter) -> list[ForecastLine]:
    """"forecast $X at cycle end (budget $Y)" for the page's scope (its filter)."""
    clock: WallClock = request.app.state.clock
    return forecast_lines(conn, now=clock(), integration_id=flt.integration_id, team=flt.team,
                          cost_center=flt.cost_center, person=flt.person,
                          visible_teams=flt.visible_teams)  # fmt: skip


def chart_forecast(request: Request, conn: Connection, flt: ReportFilter) -> dict[str, Any] | None:
    """The forecast days to draw after the chart's last day, when the chart reaches today."""
    clock: WallClock = request.app.state.clock
    days = forecast_days(conn, now=clock(), integration_id=flt.integration_id, team=flt.team,
                         cost_center=flt.cost_center, person=flt.person,
                         visible_teams=flt.visible_teams)  # fmt: skip
    if not days or flt.end < days[0][0] - timedelta(days=1):
        return None
    return {"days": [d.isoformat() for d, _ in days],
            "charged_cents": [str(v) for _, v in days]}
