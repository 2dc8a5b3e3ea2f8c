"""Overview: the period's usage beside the previous period, a daily chart, top people
and models, kinds and coverage — as ``/``, ``/overview.csv`` and ``/api/v1/overview``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.engine import Connection

from devspend.reports.filters import ReportFilter
from devspend.reports.overview import OverviewView, Split, build_overview
from devspend.web.page_forecast import chart_forecast, page_forecast
from devspend.web.pages import Page, add_page_routes


class OverviewParams(BaseModel):
    model_config = ConfigDict(frozen=True)

    split: Annotated[Split, Field(description="stack the chart by model, kind or user")] = (
        Split.model
    )


def _build(conn: Connection, flt: ReportFilter, p: OverviewParams) -> OverviewView:
    return build_overview(conn, flt, split=p.split)


def _context(
    request: Request, conn: Connection, flt: ReportFilter, p: OverviewParams,
    view: OverviewView,
) -> dict[str, Any]:  # fmt: skip
    chart = view.chart.model_dump(mode="json")
    chart["forecast"] = chart_forecast(request, conn, flt)  # the dashed line after today
    return {"split": p.split.value, "chart_json": chart,
            "forecast_lines": page_forecast(request, conn, flt)}  # fmt: skip


PAGE: Page[OverviewParams, OverviewView] = Page(
    name="overview", path="/", api_path="/overview", template="overview.html",
    params=OverviewParams, view=OverviewView, build=_build, context=_context,
    summary="The overview page's data: period totals vs previous, chart, top people and models.",
)  # fmt: skip

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["reports"])
add_page_routes(PAGE, router=router, api=api)
