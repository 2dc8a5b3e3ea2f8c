"""Spend: AI (Cursor on-demand) and cloud side by side per day, week or month, as
``/spend``, ``/spend.csv`` and ``/api/v1/spend`` — the same view as
``devspend spend-report``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.engine import Connection

from devspend.reports.filters import ReportFilter
from devspend.reports.spend import CostBasis, Grain, SpendView, build_spend
from devspend.web.pages import Page, add_page_routes


class SpendParams(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True)

    by: Annotated[Grain, Field(description="group by day, week or month")] = Grain.month
    cost: Annotated[CostBasis, Field(description="cloud cost basis: billed or effective")] = (
        CostBasis.billed
    )


def _build(conn: Connection, flt: ReportFilter, p: SpendParams) -> SpendView:
    return build_spend(conn, flt, grain=p.by, cost=p.cost)


def _context(
    _request: Request, _conn: Connection, _flt: ReportFilter, _p: SpendParams, view: SpendView
) -> dict[str, Any]:
    return {"chart_json": view.chart.model_dump(mode="json"), "grains": list(Grain),
            "cost_bases": list(CostBasis)}  # fmt: skip


PAGE: Page[SpendParams, SpendView] = Page(
    name="spend", path="/spend", api_path="/spend", template="spend.html", params=SpendParams,
    view=SpendView, build=_build, context=_context,
    summary="AI (on-demand) and cloud spend side by side per day, week or month, with shares.",
)  # fmt: skip

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["reports"])
add_page_routes(PAGE, router=router, api=api)
