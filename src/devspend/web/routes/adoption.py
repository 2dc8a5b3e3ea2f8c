"""Adoption and AI code: who uses Cursor and what the spend produced.

``/adoption`` (``.csv?table=people|teams|idle_seats``, ``/api/v1/adoption``): per person and
team, active days, requests by feature, tab accept rate, most-used model, client version,
and idle seats. ``/ai-code`` (``.csv?table=people|teams|repos``, ``/api/v1/ai-code``):
commits and AI lines, cost per accepted AI line and per AI-assisted commit. And
``/api/v1/whatif`` (+ ``.csv``): every model re-priced on the cheapest other priced model
in use — the What-if section of the Models page.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.engine import Connection

from devspend.reports.adoption import DEFAULT_IDLE_DAYS, AdoptionView, build_adoption_report
from devspend.reports.ai_code import (
    DEFAULT_MIN_COMMITS,
    DEFAULT_MIN_LINES,
    AiCodeView,
    CostBasis,
    build_ai_code_report,
)
from devspend.reports.filters import ReportFilter
from devspend.reports.whatif import WhatIfSuggestions, build_whatif_report
from devspend.web.pages import Page, add_api_view_routes, add_page_routes


class AdoptionParams(BaseModel):
    model_config = ConfigDict(frozen=True)

    idle_days: Annotated[int, Field(ge=1, le=365, description="a seat is idle after this "
                                    "many days without activity")] = DEFAULT_IDLE_DAYS


class AiCodeParams(BaseModel):
    model_config = ConfigDict(frozen=True)

    cost: Annotated[CostBasis, Field(description="cost figure: cost (seats + on-demand), "
                                     "on_demand or usage_value")] = CostBasis.cost
    min_lines: Annotated[int, Field(ge=1, le=10**9, description="fewest accepted AI lines "
                                    "to show a cost per line")] = DEFAULT_MIN_LINES
    min_commits: Annotated[int, Field(ge=1, le=10**9, description="fewest AI-assisted "
                                      "commits to show a cost per commit")] = DEFAULT_MIN_COMMITS


def _adoption(conn: Connection, flt: ReportFilter, p: AdoptionParams) -> AdoptionView:
    return build_adoption_report(conn, flt, idle_days=p.idle_days)


def _ai_code(conn: Connection, flt: ReportFilter, p: AiCodeParams) -> AiCodeView:
    return build_ai_code_report(conn, flt, basis=p.cost, min_lines=p.min_lines,
                                min_commits=p.min_commits)  # fmt: skip


ADOPTION: Page[AdoptionParams, AdoptionView] = Page(
    name="adoption", path="/adoption", api_path="/adoption", template="adoption.html",
    params=AdoptionParams, view=AdoptionView, build=_adoption,
    summary="Per person and team: active days, agent/chat/composer/cmd-K requests, tabs shown "
    "and accepted, lines, most-used model, client version; idle seats.",
)  # fmt: skip
AI_CODE: Page[AiCodeParams, AiCodeView] = Page(
    name="ai_code", path="/ai-code", api_path="/ai-code", template="ai_code.html",
    params=AiCodeParams, view=AiCodeView, build=_ai_code,
    summary="Per person, team and repo: commits, TAB/composer/non-AI lines, AI share, cost per "
    "accepted AI line and per AI-assisted commit (hidden below minimum counts).",
)  # fmt: skip

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["reports"])
add_page_routes(ADOPTION, router=router, api=api)
add_page_routes(AI_CODE, router=router, api=api)
add_api_view_routes(
    name="whatif", api_path="/whatif", view=WhatIfSuggestions, build=build_whatif_report,
    summary="Every model used, re-priced on the cheapest other priced model in use "
    "(genai-prices list prices × observed markup); unknown prices stay unknown.",
    router=router, api=api,
)  # fmt: skip
