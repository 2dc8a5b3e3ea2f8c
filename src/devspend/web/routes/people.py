"""People: every member's usage in the period, sortable and filterable, with a CSV twin.

``build_people`` serves the HTML table, ``/people.csv`` (exactly the rows shown)
and ``/api/v1/people``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.engine import Connection

from devspend.csv_writer import csv_text
from devspend.store import queries
from devspend.store.people_queries import Member, members
from devspend.web.deps import ConnDep, CurrentUser
from devspend.web.filters import FilterDep, ReportFilter
from devspend.web.page_context import cached, filter_context
from devspend.web.rendering import render
from devspend.web.routes.teams import owned_cloud_by_email


class PersonRow(BaseModel):
    email: str
    name: str | None
    charged_cents: Decimal
    total_cents: Decimal
    events: int
    input_tokens: int
    output_tokens: int
    cache_write_tokens: int
    cache_read_tokens: int
    top_model: str | None
    usage_based_events: int
    included_events: int
    max_mode_events: int
    max_mode_share_percent: Decimal | None
    fast_premium_requests: int | None
    last_active_day: date | None


class SortKey(StrEnum):
    email = "email"
    name = "name"
    charged_cents = "charged_cents"
    total_cents = "total_cents"
    events = "events"
    input_tokens = "input_tokens"
    output_tokens = "output_tokens"
    cache_write_tokens = "cache_write_tokens"
    cache_read_tokens = "cache_read_tokens"
    top_model = "top_model"
    usage_based_events = "usage_based_events"
    included_events = "included_events"
    max_mode_share_percent = "max_mode_share_percent"
    last_active_day = "last_active_day"


class Direction(StrEnum):
    asc = "asc"
    desc = "desc"


class PeopleView(BaseModel):
    """``rows`` are the first ``limit`` of ``total`` matching members (limit 0: all)."""

    total: int
    limit: int
    rows: list[PersonRow]
    sort: SortKey
    direction: Direction
    search: str | None


def _idle(member: Member) -> PersonRow:
    """A member without usage in the period: listed with zeros so the table covers everyone."""
    zero = Decimal(0)
    return PersonRow(
        email=member.email, name=member.name, charged_cents=zero, total_cents=zero, events=0,
        input_tokens=0, output_tokens=0, cache_write_tokens=0, cache_read_tokens=0,
        top_model=None, usage_based_events=0, included_events=0, max_mode_events=0,
        max_mode_share_percent=None, fast_premium_requests=None,
        last_active_day=member.last_active_day,
    )  # fmt: skip


def build_people(
    conn: Connection, flt: ReportFilter, *, search: str | None, sort: SortKey,
    direction: Direction,
) -> PeopleView:  # fmt: skip
    """Every member (with zeros when idle in the period), filtered by ``search`` and sorted."""
    known = members(conn, integration_id=flt.integration_id)
    rows = [
        PersonRow(
            email=u.email, name=u.name, charged_cents=u.charged_cents, total_cents=u.total_cents,
            events=u.events, input_tokens=u.input_tokens, output_tokens=u.output_tokens,
            cache_write_tokens=u.cache_write_tokens, cache_read_tokens=u.cache_read_tokens,
            top_model=u.top_model, usage_based_events=u.usage_based_events,
            included_events=u.included_events, max_mode_events=u.max_mode_events,
            max_mode_share_percent=(
                (Decimal(u.max_mode_events) * 100 / u.events).quantize(Decimal("0.1"))
                if u.events else None
            ),
            fast_premium_requests=u.fast_premium_requests,
            last_active_day=(m.last_active_day if (m := known.get(u.email.lower())) else None),
        )
        for u in queries.users_report(
            conn, integration_id=flt.integration_id, start=flt.start, end=flt.end
        )
    ]  # fmt: skip
    with_usage = {r.email.lower() for r in rows}
    rows += [
        _idle(m) for key, m in sorted(known.items()) if key not in with_usage and not m.is_removed
    ]
    needle = (search or "").strip().lower()
    if needle:
        rows = [r for r in rows if needle in r.email.lower() or needle in (r.name or "").lower()]
    present = [r for r in rows if getattr(r, sort.value) is not None]
    missing = [r for r in rows if getattr(r, sort.value) is None]
    present.sort(
        key=lambda r: (getattr(r, sort.value), r.email), reverse=direction is Direction.desc
    )
    rows = present + missing
    return PeopleView(
        total=len(rows), limit=0, rows=rows, sort=sort, direction=direction,
        search=needle or None,
    )  # fmt: skip


def limited(view: PeopleView, limit: int) -> PeopleView:
    """The first ``limit`` rows of a view (0 keeps them all): what the table shows."""
    if limit <= 0 or limit >= view.total:
        return view
    return view.model_copy(update={"rows": view.rows[:limit], "limit": limit})


def view_key(
    flt: ReportFilter, *, search: str | None, sort: SortKey, direction: Direction
) -> tuple[object, ...]:
    """The view cache key of this page (shared with :mod:`devspend.web.warmup`)."""
    return ("people", flt, search, sort, direction)


def _people(
    request: Request, conn: Connection, flt: ReportFilter, *, search: str | None,
    sort: SortKey, direction: Direction,
) -> PeopleView:  # fmt: skip
    return cached(request, conn, view_key(flt, search=search, sort=sort, direction=direction),
                  lambda: build_people(conn, flt, search=search, sort=sort, direction=direction))


CSV_COLUMNS = tuple(PersonRow.model_fields)

SearchQuery = Annotated[str | None, Query(alias="q", description="part of an email or name")]
SortQuery = Annotated[SortKey, Query(description="column to sort by")]
DirectionQuery = Annotated[Direction, Query(alias="dir")]
LimitQuery = Annotated[int, Query(ge=0, description="show the first N rows (0: all)")]
PAGE_ROWS = 250

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["reports"])


@router.get("/people")
def people_page(
    request: Request, _user: CurrentUser, conn: ConnDep, flt: FilterDep,
    q: SearchQuery = None, sort: SortQuery = SortKey.charged_cents,
    dir: DirectionQuery = Direction.desc, limit: LimitQuery = PAGE_ROWS,
) -> Response:  # fmt: skip
    view = limited(_people(request, conn, flt, search=q, sort=sort, direction=dir), limit)
    return render(request, "people.html", {
        "view": view, "active": "people", "sort_keys": list(SortKey),
        "cloud_owned": owned_cloud_by_email(request, conn, flt),
        **filter_context(request, conn, flt, q=view.search, sort=sort.value, dir=dir.value,
                         limit=str(limit)),
    })  # fmt: skip


@router.get("/people.csv")
def people_csv(
    request: Request, _user: CurrentUser, conn: ConnDep, flt: FilterDep,
    q: SearchQuery = None, sort: SortQuery = SortKey.charged_cents,
    dir: DirectionQuery = Direction.desc, limit: LimitQuery = PAGE_ROWS,
) -> Response:  # fmt: skip
    """Exactly the rows the people table shows for the same query string."""
    view = limited(_people(request, conn, flt, search=q, sort=sort, direction=dir), limit)
    body = csv_text(CSV_COLUMNS, ([row.model_dump()[c] for c in CSV_COLUMNS] for row in view.rows))
    filename = f"devspend-people-{flt.start.isoformat()}-{flt.end.isoformat()}.csv"
    return Response(
        body, media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )  # fmt: skip


@api.get("/people", response_model=PeopleView)
def people_api(
    request: Request, _user: CurrentUser, conn: ConnDep, flt: FilterDep,
    q: SearchQuery = None, sort: SortQuery = SortKey.charged_cents,
    dir: DirectionQuery = Direction.desc, limit: LimitQuery = 0,
) -> PeopleView:  # fmt: skip
    """The people table: per-person spend, requests, tokens and top model in the period."""
    return limited(_people(request, conn, flt, search=q, sort=sort, direction=dir), limit)
