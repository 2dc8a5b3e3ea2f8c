"""Person: one member's daily chart, model mix, kinds, recent events and cycle spend.

``build_person`` serves ``/people/{email}`` and ``/api/v1/people/{email}``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.engine import Connection

from devspend.errors import NotFoundError
from devspend.store import people_queries, queries
from devspend.web.charts import DailyChart, total_chart
from devspend.web.deps import ConnDep, CurrentUser
from devspend.web.filters import FilterDep, ReportFilter
from devspend.web.page_context import cached, filter_context
from devspend.web.rendering import render
from devspend.web.routes.teams import owned_spend

EVENTS_PER_PAGE = 50


class MixRow(BaseModel):
    key: str
    charged_cents: Decimal
    total_cents: Decimal
    events: int


class EventOut(BaseModel):
    at: datetime
    model: str
    kind: str
    max_mode: bool
    input_tokens: int
    output_tokens: int
    cache_write_tokens: int
    cache_read_tokens: int
    total_cents: Decimal
    charged_cents: Decimal


class CycleOut(BaseModel):
    cycle_start: datetime
    spend_cents: Decimal
    overall_spend_cents: Decimal | None
    fast_premium_requests: int | None
    limit_dollars: int | None
    used_percent: Decimal | None


class PersonView(BaseModel):
    email: str
    name: str | None
    last_active_day: date | None
    charged_cents: Decimal
    total_cents: Decimal
    events: int
    chart: DailyChart
    models: list[MixRow]
    kinds: list[MixRow]
    events_page: int
    events_per_page: int
    recent_events: list[EventOut]
    has_more_events: bool
    cycle: CycleOut | None


def _cycle(found: people_queries.CycleSpend | None) -> CycleOut | None:
    if found is None:
        return None
    used = None
    if found.limit_dollars:
        used = (found.spend_cents / (found.limit_dollars * 100) * 100).quantize(Decimal("0.1"))
    return CycleOut(
        cycle_start=found.cycle_start, spend_cents=found.spend_cents,
        overall_spend_cents=found.overall_spend_cents,
        fast_premium_requests=found.fast_premium_requests,
        limit_dollars=found.limit_dollars, used_percent=used,
    )  # fmt: skip


def build_person(conn: Connection, flt: ReportFilter, *, email: str, page: int) -> PersonView:
    """One person's usage in the period; raises ``NotFoundError`` for unknown people."""
    info = people_queries.person_info(conn, email=email, integration_id=flt.integration_id)
    if info is None:
        raise NotFoundError(f"No one with the email {email} has used Cursor here.")
    scope = flt.scope()
    days = queries.daily_report(conn, **scope, user_email=info.email)
    models = queries.models_report(conn, **scope, user_email=info.email)
    kinds = queries.kinds_report(conn, **scope, user_email=info.email)
    events = people_queries.recent_events(
        conn, person_ids=info.person_ids, start=flt.start, end=flt.end,
        offset=(page - 1) * EVENTS_PER_PAGE, limit=EVENTS_PER_PAGE + 1,
    )  # fmt: skip
    return PersonView(
        email=info.email, name=info.name, last_active_day=info.last_active_day,
        charged_cents=sum((d.charged_cents for d in days), Decimal(0)),
        total_cents=sum((d.total_cents for d in days), Decimal(0)),
        events=sum(d.events for d in days),
        chart=total_chart(start=flt.start, end=flt.end, totals=days),
        models=[MixRow(key=m.model, charged_cents=m.charged_cents, total_cents=m.total_cents,
                       events=m.events) for m in models],
        kinds=[MixRow(key=k.kind, charged_cents=k.charged_cents, total_cents=k.total_cents,
                      events=k.events) for k in kinds],
        events_page=page, events_per_page=EVENTS_PER_PAGE,
        recent_events=[
            EventOut(at=e.at, model=e.model, kind=e.kind, max_mode=e.max_mode,
                     input_tokens=e.input_tokens, output_tokens=e.output_tokens,
                     cache_write_tokens=e.cache_write_tokens,
                     cache_read_tokens=e.cache_read_tokens, total_cents=e.total_cents,
                     charged_cents=e.charged_cents)
            for e in events[:EVENTS_PER_PAGE]
        ],
        has_more_events=len(events) > EVENTS_PER_PAGE,
        cycle=_cycle(people_queries.cycle_spend(
            conn, email=info.email, integration_id=flt.integration_id)),
    )  # fmt: skip


PageQuery = Annotated[int, Query(ge=1, le=100_000, description="page of recent events")]

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["reports"])


@router.get("/people/{email}")
def person_page(
    request: Request, email: str, _user: CurrentUser, conn: ConnDep, flt: FilterDep,
    page: PageQuery = 1,
) -> Response:  # fmt: skip
    view = cached(request, conn, ("person", flt, email.lower(), page),
                  lambda: build_person(conn, flt, email=email, page=page))
    return render(request, "person.html", {
        "view": view, "active": "people", "chart_json": view.chart.model_dump(mode="json"),
        "owned": owned_spend(request, conn, flt, email=view.email),
        **filter_context(request, conn, flt),
    })  # fmt: skip


@api.get("/people/{email}", response_model=PersonView)
def person_api(
    request: Request, email: str, _user: CurrentUser, conn: ConnDep, flt: FilterDep,
    page: PageQuery = 1,
) -> PersonView:  # fmt: skip
    """One person: daily spend, model and kind mix, recent events (paged), cycle spend."""
    return cached(request, conn, ("person", flt, email.lower(), page),
                  lambda: build_person(conn, flt, email=email, page=page))
