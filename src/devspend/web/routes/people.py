"""People: every member's usage in the period, sortable and filterable, as HTML,
``/people.csv`` (exactly the rows shown) and ``/api/v1/people`` (paged)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.engine import Connection

from devspend.reports.filters import ReportFilter
from devspend.reports.people import (
    Direction,
    PeopleView,
    SortKey,
    UsageFilter,
    build_people,
    page_of,
)
from devspend.web.pages import Format, Page, add_page_routes

PAGE_ROWS = 250
API_ROWS = 500


class PeopleParams(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True)

    q: Annotated[str | None, Field(max_length=320, description="part of an email or name")] = None
    sort: Annotated[SortKey, Field(description="column to sort by")] = SortKey.charged_cents
    dir: Direction = Direction.desc
    limit: Annotated[int | None, Field(ge=0, description="show N rows (0: all); page 250, "
                                                          "API 500")] = None
    offset: Annotated[int, Field(ge=0, description="skip the first N rows")] = 0
    usage: Annotated[UsageFilter, Field(
        description="none: only idle seats (no usage in the period); some: only people "
        "with usage")] = UsageFilter.all


def _build(conn: Connection, flt: ReportFilter, p: PeopleParams) -> PeopleView:
    return build_people(conn, flt, search=p.q, sort=p.sort, direction=p.dir,
                        usage_filter=p.usage)  # fmt: skip


def _present(view: PeopleView, p: PeopleParams, fmt: Format) -> PeopleView:
    default = API_ROWS if fmt is Format.json else PAGE_ROWS
    return page_of(view, limit=default if p.limit is None else p.limit, offset=p.offset)


PAGE: Page[PeopleParams, PeopleView] = Page(
    name="people", path="/people", api_path="/people", template="people.html",
    params=PeopleParams, view=PeopleView, build=_build, present=_present,
    summary="The people table: per-person usage value, on-demand, requests, tokens and top "
    "model in the period; paged (limit/offset, 500 rows by default).",
)  # fmt: skip

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["reports"])
add_page_routes(PAGE, router=router, api=api)
