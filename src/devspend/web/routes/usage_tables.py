"""Views without a page of their own: usage per kind and per day, and data coverage,
as JSON (``/api/v1/kinds``, ``/api/v1/daily``, ``/api/v1/coverage``) and CSV — the same
views as ``devspend report kinds|daily|coverage``."""

from __future__ import annotations

from fastapi import APIRouter

from devspend.reports.coverage import CoverageView, build_coverage
from devspend.reports.kinds import DailyView, KindsView, build_daily, build_kinds
from devspend.web.pages import add_api_view_routes

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["reports"])
add_api_view_routes(name="kinds", api_path="/kinds", view=KindsView, build=build_kinds,
                    summary="Usage per Cursor request kind (included, usage-based, errored …).",
                    router=router, api=api)  # fmt: skip
add_api_view_routes(name="daily", api_path="/daily", view=DailyView, build=build_daily,
                    summary="Usage per UTC day with usage, oldest first.",
                    router=router, api=api)  # fmt: skip
add_api_view_routes(name="coverage", api_path="/coverage", view=CoverageView,
                    build=build_coverage, router=router, api=api,
                    summary="Which days hold complete usage, may still change, or are "
                    "older than Cursor's API history.")  # fmt: skip
