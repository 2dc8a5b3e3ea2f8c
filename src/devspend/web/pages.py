"""One view, three faces: the HTML page, its ``.csv`` download and its ``/api/v1`` JSON.

datasette's renderers are the model: a page family declares its view once (:class:`Page`:
the builder from :mod:`devspend.reports`, the template, the page's own query
parameters) and :func:`add_page_routes` serves it as ``GET /path`` (HTML),
``GET /path.csv[?table=NAME]`` (exactly the rows of one of its tables) and
``GET /api/v1/path`` (the whole view as JSON). The format is chosen here and nowhere
else; every face renders the same cached result for the same filter.

(No ``from __future__ import annotations`` here: FastAPI reads the signatures of the
routes built below at runtime, and they name the page's own parameter model.)
"""

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Generic, TypeVar

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.engine import Connection

from devspend.errors import NotFoundError
from devspend.reports.filters import ReportFilter
from devspend.reports.tables import Table, TabularView, table_csv
from devspend.web.deps import ConnDep, CurrentUser
from devspend.web.filters import FilterDep
from devspend.web.page_context import cached, filter_context
from devspend.web.rendering import render

P = TypeVar("P", bound=BaseModel)
V = TypeVar("V", bound=BaseModel)


class Format(StrEnum):
    html = "html"
    csv = "csv"
    json = "json"


class NoParams(BaseModel):
    """A page without query parameters of its own."""

    model_config = {"frozen": True}


@dataclass(frozen=True)
class Page(Generic[P, V]):
    """A page family: ``build`` makes its view, ``present`` picks what one face shows
    (a page of rows, say), ``context`` adds template-only values."""

    name: str
    path: str
    api_path: str
    template: str
    params: type[P]
    view: type[V]
    build: Callable[[Connection, ReportFilter, P], V]
    summary: str
    present: Callable[[V, P, Format], V] | None = None
    context: Callable[[Request, Connection, ReportFilter, P, V], dict[str, Any]] | None = None
    active: str | None = None


def keep_params(params: BaseModel) -> dict[str, str | None]:
    """A page's own query values as strings, for links and the filter bar to keep."""
    values = params.model_dump(mode="json", by_alias=True, exclude_none=True)
    return {k: str(v) for k, v in values.items()}


def view_for(
    request: Request, conn: Connection, flt: ReportFilter, *, key: Hashable,
    build: Callable[[], V],
) -> V:  # fmt: skip
    """The cached view of ``key`` (the view cache is keyed by the data version too)."""
    return cached(request, conn, key, build)


def csv_response(view: TabularView, *, table: str | None, filename: str) -> Response:
    """One of the view's tables as a CSV download, exactly the rows the page shows."""
    tables = view.tables()
    chosen: Table | None = tables[0] if table is None else next(
        (t for t in tables if t.name == table), None)  # fmt: skip
    if chosen is None:
        names = ", ".join(t.name for t in tables)
        raise NotFoundError(f"This page has no table {table!r}; choose one of: {names}.")
    name = filename if chosen is tables[0] else f"{filename}-{chosen.name}"
    return Response(
        table_csv(chosen), media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}.csv"'},
    )  # fmt: skip


def file_stem(name: str, flt: ReportFilter) -> str:
    return f"devspend-{name}-{flt.start.isoformat()}-{flt.end.isoformat()}"


TableQuery = Annotated[str | None, Query(description="which of the page's tables")]


def add_page_routes(page: Page[Any, Any], *, router: APIRouter, api: APIRouter) -> None:
    """Serve ``page`` as HTML, CSV and JSON from one builder."""
    params_type = page.params

    def view(
        request: Request, conn: Connection, flt: ReportFilter, params: BaseModel, fmt: Format
    ) -> Any:
        built = view_for(request, conn, flt, key=(page.name, flt, params),
                         build=lambda: page.build(conn, flt, params))  # fmt: skip
        return page.present(built, params, fmt) if page.present else built

    def html_route(
        request: Request, _user: CurrentUser, conn: ConnDep, flt: FilterDep,
        params: Annotated[params_type, Query()],  # type: ignore[valid-type]
    ) -> Response:  # fmt: skip
        shown = view(request, conn, flt, params, Format.html)
        extra = page.context(request, conn, flt, params, shown) if page.context else {}
        return render(request, page.template, {
            "view": shown, "active": page.active or page.name, "params": params,
            "csv_query": flt.query(**keep_params(params)),
            **extra, **filter_context(request, conn, flt, **keep_params(params)),
        })  # fmt: skip

    def csv_route(
        request: Request, _user: CurrentUser, conn: ConnDep, flt: FilterDep,
        params: Annotated[params_type, Query()],  # type: ignore[valid-type]
        table: TableQuery = None,
    ) -> Response:  # fmt: skip
        shown = view(request, conn, flt, params, Format.csv)
        return csv_response(shown, table=table, filename=file_stem(page.name, flt))

    def api_route(
        request: Request, _user: CurrentUser, conn: ConnDep, flt: FilterDep,
        params: Annotated[params_type, Query()],  # type: ignore[valid-type]
    ) -> Any:  # fmt: skip
        return view(request, conn, flt, params, Format.json)

    api_route.__doc__ = page.summary
    router.add_api_route(page.path, html_route, methods=["GET"], name=f"{page.name}_page")
    router.add_api_route(f"{page.api_path}.csv", csv_route, methods=["GET"],
                         name=f"{page.name}_csv")  # fmt: skip
    api.add_api_route(page.api_path, api_route, methods=["GET"], response_model=page.view,
                      name=f"{page.name}_api", summary=page.summary)  # fmt: skip


def add_api_view_routes(
    *, name: str, api_path: str, view: type[V], build: Callable[[Connection, ReportFilter], V],
    summary: str, router: APIRouter, api: APIRouter,
) -> None:  # fmt: skip
    """A view without a page of its own (kinds, days, coverage): JSON and CSV only."""

    def csv_route(
        request: Request, _user: CurrentUser, conn: ConnDep, flt: FilterDep,
        table: TableQuery = None,
    ) -> Response:  # fmt: skip
        shown = view_for(request, conn, flt, key=(name, flt), build=lambda: build(conn, flt))
        return csv_response(shown, table=table, filename=file_stem(name, flt))  # type: ignore[arg-type]

    def api_route(request: Request, _user: CurrentUser, conn: ConnDep, flt: FilterDep) -> Any:
        return view_for(request, conn, flt, key=(name, flt), build=lambda: build(conn, flt))

    api_route.__doc__ = summary
    router.add_api_route(f"{api_path}.csv", csv_route, methods=["GET"], name=f"{name}_csv")
    api.add_api_route(api_path, api_route, methods=["GET"], response_model=view,
                      name=f"{name}_api", summary=summary)  # fmt: skip
