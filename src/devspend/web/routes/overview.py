"""Overview: the period's spend beside the previous period, a daily chart, top users
and models, included vs usage-based, Max mode share and data coverage.

``build_overview`` is the one query behind both ``/`` and ``/api/v1/overview``.
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

from devspend.store import queries
from devspend.web.charts import DailyChart, stacked_chart
from devspend.web.deps import ConnDep, CurrentUser
from devspend.web.filters import FilterDep, ReportFilter
from devspend.web.page_context import cached, filter_context
from devspend.web.rendering import render

TOP_USERS = 10
TOP_MODELS = 10
CHART_SERIES = 8


class Split(StrEnum):
    model = "model"
    kind = "kind"
    user = "user"


class PeriodTotals(BaseModel):
    start: date
    end: date
    charged_cents: Decimal
    total_cents: Decimal
    events: int
    input_tokens: int
    output_tokens: int
    cache_write_tokens: int
    cache_read_tokens: int
    usage_based_events: int
    included_events: int
    errored_events: int
    max_mode_events: int


class RankedRow(BaseModel):
    key: str
    name: str | None = None
    charged_cents: Decimal
    total_cents: Decimal
    events: int


class CategoryShare(BaseModel):
    """Events and spend of one kind category: usage_based, included, errored or other."""

    category: str
    kinds: list[str]
    events: int
    charged_cents: Decimal


class Coverage(BaseModel):
    partial_days: list[date]
    unavailable_days: list[date]
    notice: str | None


class OverviewView(BaseModel):
    period: PeriodTotals
    previous: PeriodTotals
    change_percent: Decimal | None
    chart: DailyChart
    top_users: list[RankedRow]
    top_models: list[RankedRow]
    categories: list[CategoryShare]
    max_mode_share_percent: Decimal | None
    coverage: Coverage


def _totals(conn: Connection, flt: ReportFilter) -> PeriodTotals:
    m = queries.period_totals(
        conn, integration_id=flt.integration_id, start=flt.start, end=flt.end
    )
    return PeriodTotals(
        start=flt.start, end=flt.end, charged_cents=m.charged_cents, total_cents=m.total_cents,
        events=m.events, input_tokens=m.input_tokens, output_tokens=m.output_tokens,
        cache_write_tokens=m.cache_write_tokens, cache_read_tokens=m.cache_read_tokens,
        usage_based_events=m.usage_based_events, included_events=m.included_events,
        errored_events=m.errored_events, max_mode_events=m.max_mode_events,
    )  # fmt: skip


def _percent(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def daily_chart(conn: Connection, flt: ReportFilter, split: Split) -> DailyChart:
    """The stacked daily chart of charged spend by model, kind or person."""
    series_query = {
        Split.model: queries.daily_by_model,
        Split.kind: queries.daily_by_kind,
        Split.user: queries.daily_by_user,
    }[split]
    scope = flt.scope()
    return stacked_chart(
        split=split.value, start=flt.start, end=flt.end,
        values=series_query(conn, **scope, top=CHART_SERIES),
        totals=queries.daily_report(conn, **scope),
    )  # fmt: skip


def _coverage(conn: Connection, flt: ReportFilter) -> Coverage:
    days = queries.coverage(conn, integration_id=flt.integration_id, start=flt.start, end=flt.end)
    partial = sorted({d.day for d in days if d.status == "partial"})
    unavailable = sorted({d.day for d in days if d.status == "unavailable"})
    notes = []
    if unavailable:
        notes.append(
            f"{len(unavailable)} day(s) are older than Cursor's API history: their usage is "
            "unknown (the team may also simply have had none)"
        )
    if partial:
        notes.append(
            f"{len(partial)} recent day(s) may still change: Cursor fills in usage for a while"
        )
    return Coverage(
        partial_days=partial, unavailable_days=unavailable,
        notice="; ".join(notes) + "." if notes else None,
    )  # fmt: skip


def build_overview(conn: Connection, flt: ReportFilter, *, split: Split) -> OverviewView:
    """Everything the overview shows, from the summary tables."""
    scope = flt.scope()
    period, previous = _totals(conn, flt), _totals(conn, flt.previous())
    change = None
    if previous.charged_cents:
        change = ((period.charged_cents - previous.charged_cents) * 100 / previous.charged_cents)
        change = change.quantize(Decimal("0.1"))
    users = queries.users_report(conn, **scope, limit=TOP_USERS)
    models = queries.models_report(conn, **scope)[:TOP_MODELS]
    categories: dict[str, CategoryShare] = {}
    for k in queries.kinds_report(conn, **scope):
        share = categories.setdefault(
            k.category,
            CategoryShare(category=k.category, kinds=[], events=0, charged_cents=Decimal(0)),
        )
        share.kinds.append(k.kind)
        share.events += k.events
        share.charged_cents += k.charged_cents
    return OverviewView(
        period=period, previous=previous, change_percent=change,
        chart=daily_chart(conn, flt, split),
        top_users=[
            RankedRow(key=u.email, name=u.name, charged_cents=u.charged_cents,
                      total_cents=u.total_cents, events=u.events)
            for u in users
        ],
        top_models=[
            RankedRow(key=m.model, charged_cents=m.charged_cents, total_cents=m.total_cents,
                      events=m.events)
            for m in models
        ],
        categories=sorted(categories.values(), key=lambda c: -c.events),
        max_mode_share_percent=_percent(period.max_mode_events, period.events),
        coverage=_coverage(conn, flt),
    )  # fmt: skip


def view_key(flt: ReportFilter, split: Split) -> tuple[str, ReportFilter, Split]:
    """The view cache key of this page (shared with :mod:`devspend.web.warmup`)."""
    return ("overview", flt, split)


SplitQuery = Annotated[Split, Query(description="stack the chart by model, kind or user")]

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["reports"])


@router.get("/")
def overview_page(
    request: Request, _user: CurrentUser, conn: ConnDep, flt: FilterDep,
    split: SplitQuery = Split.model,
) -> Response:  # fmt: skip
    view = cached(request, conn, view_key(flt, split),
                  lambda: build_overview(conn, flt, split=split))  # fmt: skip
    return render(request, "overview.html", {
        "view": view, "split": split.value, "active": "overview",
        "chart_json": view.chart.model_dump(mode="json"),
        **filter_context(request, conn, flt, split=split.value),
    })  # fmt: skip


@api.get("/overview", response_model=OverviewView)
def overview_api(
    request: Request, _user: CurrentUser, conn: ConnDep, flt: FilterDep,
    split: SplitQuery = Split.model,
) -> OverviewView:  # fmt: skip
    """The overview page's data: period totals vs previous, chart, top users and models."""
    return cached(request, conn, view_key(flt, split),
                  lambda: build_overview(conn, flt, split=split))  # fmt: skip
