"""Models: per-model usage, tokens, cost per million tokens and people per model, as
``/models``, ``/models.csv`` and ``/api/v1/models``; each row links to its people."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.engine import Connection

from devspend.reports.filters import ReportFilter
from devspend.reports.models import ModelsView, build_models
from devspend.reports.whatif import build_whatif_report
from devspend.web.pages import NoParams, Page, add_page_routes, view_for


def _build(conn: Connection, flt: ReportFilter, _p: NoParams) -> ModelsView:
    return build_models(conn, flt)


def _context(
    request: Request, conn: Connection, flt: ReportFilter, _p: NoParams, _view: ModelsView
) -> dict[str, Any]:
    """The What-if section (its JSON twin is ``/api/v1/whatif``)."""
    return {"whatif": view_for(request, conn, flt, key=("whatif", flt),
                               build=lambda: build_whatif_report(conn, flt))}  # fmt: skip


PAGE: Page[NoParams, ModelsView] = Page(
    name="models", path="/models", api_path="/models", template="models.html",
    params=NoParams, view=ModelsView, build=_build, context=_context,
    summary="Per model: usage value, on-demand, model cost, tokens by type, cost per 1M tokens, "
    "distinct people.",
)  # fmt: skip

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["reports"])
add_page_routes(PAGE, router=router, api=api)
