"""Spend: AI (Cursor) and cloud (per provider and service) side by side, with shares.

``build_spend`` turns :func:`devspend.focus.queries.spend_report` into the one view
behind both ``/spend`` and ``/api/v1/spend``, so the page, its JSON twin and
``devspend spend-report`` always show the same figures. Amounts are exact cents
(the report's currency units × 100); shares are percentages of each period's total
in the same currency (AI is USD, so other currencies only ever hold cloud spend).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, TypeVar

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import Engine

from devspend.focus import queries
from devspend.focus.queries import AI_CURRENCY, AI_SOURCE, SpendReport, SpendTotal, spend_report
from devspend.web.charts import OTHER, ChartSeries, DailyChart
from devspend.web.deps import ConnDep, CurrentUser, EngineDep
from devspend.web.filters import FilterDep, ReportFilter
from devspend.web.page_context import cached, filter_context
from devspend.web.rendering import render

T = TypeVar("T")
CHART_CLOUD_SERIES = 7
AI_SERIES = "AI · Cursor"
INTEGRATION_NOTICE = (
    "The team filter does not apply to this page: AI spend covers every connected "
    "Cursor team, cloud spend every imported account."
)


class Grain(StrEnum):
    day = "day"
    week = "week"
    month = "month"


class CostBasis(StrEnum):
    billed = "billed"
    effective = "effective"


GRAINS: dict[Grain, queries.Grain] = {Grain.day: "day", Grain.week: "week", Grain.month: "month"}
COST_BASES: dict[CostBasis, queries.CostBasis] = {
    CostBasis.billed: "billed",
    CostBasis.effective: "effective",
}


class SourceTotals(BaseModel):
    """AI and cloud spend of one period (``period`` None: the whole range) in one currency."""

    period: date | None
    currency: str
    ai_cents: Decimal
    cloud_cents: Decimal
    total_cents: Decimal
    ai_share_percent: Decimal
    cloud_share_percent: Decimal


class SpendLineOut(BaseModel):
    """One source/provider/service in one period, with its share of that period's total."""

    period: date
    source: str
    provider: str
    service: str
    currency: str
    cents: Decimal
    share_percent: Decimal


class SpendView(BaseModel):
    start: date
    end: date
    grain: Grain
    cost: CostBasis
    totals: list[SourceTotals]
    periods: list[SourceTotals]
    lines: list[SpendLineOut]
    chart: DailyChart
    notice: str | None


def _cents(amount: Decimal) -> Decimal:
    return amount.scaleb(2)


def _percent(share: Decimal) -> Decimal:
    return share.scaleb(2)


def _totals(total: SpendTotal) -> SourceTotals:
    return SourceTotals(
        period=total.period, currency=total.currency, ai_cents=_cents(total.ai),
        cloud_cents=_cents(total.cloud), total_cents=_cents(total.total),
        ai_share_percent=_percent(total.ai_share),
        cloud_share_percent=_percent(total.cloud_share),
    )  # fmt: skip


def every_period(start: date, end: date, grain: Grain) -> list[date]:
    """The first day of every day/week/month touching ``start``..``end`` (gaps included)."""
    found, current = [], queries.period_start(start, GRAINS[grain])
    while current <= end:
        found.append(current)
        if grain is Grain.month:
            current = (current + timedelta(days=32)).replace(day=1)
        else:
            current += timedelta(days=7 if grain is Grain.week else 1)
    return found


def spend_chart(report: SpendReport, *, periods: list[date]) -> DailyChart:
    """Stacked bars per period in the AI currency: AI, the top cloud providers, other cloud."""
    index = {p: i for i, p in enumerate(periods)}
    by_provider: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * len(periods))
    ai = [Decimal(0)] * len(periods)
    for line in report.lines:
        if line.currency != AI_CURRENCY:
            continue
        target = ai if line.source == AI_SOURCE else by_provider[line.provider]
        target[index[line.period]] += _cents(line.amount)
    order = sorted(by_provider, key=lambda k: (-sum(by_provider[k]), k))
    series = [ChartSeries(key=AI_SERIES, charged_cents=ai)]
    series += [
        ChartSeries(key=f"Cloud · {k}", charged_cents=by_provider[k])
        for k in order[:CHART_CLOUD_SERIES]
    ]
    rest = order[CHART_CLOUD_SERIES:]
    if rest:
        folded = [sum((by_provider[k][i] for k in rest), Decimal(0)) for i in range(len(periods))]
        series.append(ChartSeries(key=OTHER, charged_cents=folded))
    return DailyChart(split="source", days=periods, series=series)


def build_spend(engine: Engine, flt: ReportFilter, *, grain: Grain, cost: CostBasis) -> SpendView:
    """Everything the Spend page shows, from the FOCUS spend report for the filter's days."""
    report = spend_report(
        engine, first_day=flt.start, last_day=flt.end, grain=GRAINS[grain], cost=COST_BASES[cost]
    )
    periods = every_period(flt.start, flt.end, grain)
    return SpendView(
        start=flt.start, end=flt.end, grain=grain, cost=cost,
        totals=[_totals(t) for t in report.totals],
        periods=[_totals(t) for t in report.period_totals],
        lines=[
            SpendLineOut(period=x.period, source=x.source, provider=x.provider,
                         service=x.service, currency=x.currency, cents=_cents(x.amount),
                         share_percent=_percent(x.share))
            for x in report.lines
        ],
        chart=spend_chart(report, periods=periods),
        notice=INTEGRATION_NOTICE if flt.integration_id is not None else None,
    )  # fmt: skip


GrainQuery = Annotated[Grain, Query(alias="by", description="group by day, week or month")]
CostQuery = Annotated[CostBasis, Query(description="cloud cost basis: billed or effective")]

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["reports"])


@router.get("/spend")
def spend_page(
    request: Request, _user: CurrentUser, engine: EngineDep, conn: ConnDep, flt: FilterDep,
    by: GrainQuery = Grain.month, cost: CostQuery = CostBasis.billed,
) -> Response:  # fmt: skip
    view = cached(request, conn, ("spend", flt, by, cost),
                        lambda: build_spend(engine, flt, grain=by, cost=cost))  # fmt: skip
    return render(request, "spend.html", {
        "view": view, "active": "spend", "chart_json": view.chart.model_dump(mode="json"),
        "grains": list(Grain), "cost_bases": list(CostBasis),
        **filter_context(request, conn, flt, by=by.value, cost=cost.value),
    })  # fmt: skip


@api.get("/spend", response_model=SpendView)
def spend_api(
    request: Request, _user: CurrentUser, engine: EngineDep, conn: ConnDep, flt: FilterDep,
    by: GrainQuery = Grain.month, cost: CostQuery = CostBasis.billed,
) -> SpendView:  # fmt: skip
    """AI and cloud spend side by side per day, week or month, with totals and shares."""
    return cached(request, conn, ("spend", flt, by, cost),
                        lambda: build_spend(engine, flt, grain=by, cost=cost))  # fmt: skip
