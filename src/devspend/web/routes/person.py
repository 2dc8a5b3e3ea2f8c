"""Person: one member's figures, chart, model and kind mix, recent events and cycle spend
(``/people/{email}``, ``/people/{email}.csv?table=models|kinds|recent_events``,
``/api/v1/people/{email}``). The email is a path, so addresses with ``/`` work."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy.engine import Connection

from devspend.reports.filters import ReportFilter
from devspend.reports.person import PersonView, build_person
from devspend.web.deps import ConnDep, CurrentUser
from devspend.web.filters import FilterDep
from devspend.web.page_context import filter_context
from devspend.web.page_forecast import page_forecast
from devspend.web.pages import TableQuery, csv_response, file_stem, view_for
from devspend.web.rendering import render

PageQuery = Annotated[int, Query(ge=1, le=100_000, description="page of recent events")]

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["reports"])


def _person(
    request: Request, conn: Connection, flt: ReportFilter, email: str, page: int
) -> PersonView:
    return view_for(request, conn, flt, key=("person", flt, email.lower(), page),
                    build=lambda: build_person(conn, flt, email=email, page=page))  # fmt: skip


@router.get("/people/{email:path}.csv")
def person_csv(
    request: Request, email: str, _user: CurrentUser, conn: ConnDep, flt: FilterDep,
    table: TableQuery = None, page: PageQuery = 1,
) -> Response:  # fmt: skip
    view = _person(request, conn, flt, email, page)
    return csv_response(view, table=table, filename=file_stem(f"person-{view.email}", flt))


@router.get("/people/{email:path}")
def person_page(
    request: Request, email: str, _user: CurrentUser, conn: ConnDep, flt: FilterDep,
    page: PageQuery = 1,
) -> Response:  # fmt: skip
    view = _person(request, conn, flt, email, page)
    return render(request, "person.html", {
        "view": view, "active": "people", "chart_json": view.chart.model_dump(mode="json"),
        "owned": view.owned, **filter_context(request, conn, flt),
        "forecast_lines": page_forecast(request, conn, flt.for_person(view.email)),
    })  # fmt: skip


@api.get("/people/{email:path}", response_model=PersonView)
def person_api(
    request: Request, email: str, _user: CurrentUser, conn: ConnDep, flt: FilterDep,
    page: PageQuery = 1,
) -> PersonView:  # fmt: skip
    """One person: daily usage, model and kind mix, recent events (paged), cycle spend."""
    return _person(request, conn, flt, email, page)
