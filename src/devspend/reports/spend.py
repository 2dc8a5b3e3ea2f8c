"""Spend: AI (Cursor cost) and cloud (per provider and service) side by side per
day, week or month, with shares — the Spend page, ``/api/v1/spend`` and
``devspend spend-report`` / ``report spend``.

The AI side is **cost** (``docs/money.md``): two lines, ``Cursor on-demand`` (Σ
chargedCents of chargeable events, what Cursor bills beyond the plan) and ``Cursor
seats`` (the seat price prorated by day, when set), like the FOCUS export's Σ
BilledCost. Amounts are exact cents of their currency; shares are percentages of each
period's total in the same currency (AI is USD, so other currencies only ever hold cloud
spend). With a people filter the cloud
side is what those people and their teams own.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel
from sqlalchemy.engine import Connection

from devspend.money import Money
from devspend.reports.charts import OTHER, ChartSeries, DailyChart
from devspend.reports.filters import ReportFilter
from devspend.reports.ownership import AI_CURRENCY
from devspend.reports.seats import seat_cents_by_period
from devspend.reports.tables import Column, Table
from devspend.store import cloud_spend, names, series, usage

CHART_CLOUD_SERIES = 7
AI_SOURCE = "ai"
CLOUD_SOURCE = "cloud"
AI_SERIES = "AI · Cursor"
ON_DEMAND_SERVICE = "Cursor on-demand"
SEATS_SERVICE = "Cursor seats"
HUNDRED = Decimal(100)
INTEGRATION_NOTICE = (
    "The Cursor team filter narrows the AI side only: cloud costs belong to no Cursor team."
)


class Grain(StrEnum):
    day = "day"
    week = "week"
    month = "month"


class CostBasis(StrEnum):
    billed = "billed"
    effective = "effective"


class SourceTotals(BaseModel):
    """AI and cloud spend of one period (``period`` None: the whole range) in one currency."""

    period: date | None
    currency: str
    ai_cents: Money
    cloud_cents: Money
    total_cents: Money
    ai_share_percent: Money
    cloud_share_percent: Money


class SpendLineOut(BaseModel):
    """One source/provider/service in one period, with its share of that period's total."""

    period: date
    source: str
    provider: str
    service: str
    currency: str
    cents: Money
    share_percent: Money


class SpendView(BaseModel):
    start: date
    end: date
    grain: Grain
    cost: CostBasis
    totals: list[SourceTotals]
    periods: list[SourceTotals]
    lines: list[SpendLineOut]
    chart: DailyChart
    has_cloud_costs: bool
    notice: str | None

    def tables(self) -> list[Table]:
        money = [Column("Currency", "currency"), Column("AI", "ai_cents", "money"),
                 Column("Cloud", "cloud_cents", "money"), Column("Total", "total_cents", "money"),
                 Column("AI %", "ai_share_percent", "percent")]  # fmt: skip
        return [
            Table("periods", "Spend per period", SourceTotals, self.periods,
                  [Column("Period", "period", "day"), *money]),
            Table("lines", "Spend per provider and service", SpendLineOut, self.lines, [
                Column("Period", "period", "day"), Column("Source", "source"),
                Column("Provider", "provider"), Column("Service", "service"),
                Column("Currency", "currency"), Column("Amount", "cents", "money"),
                Column("Share %", "share_percent", "percent")]),
            Table("totals", "Totals", SourceTotals, self.totals, money),
        ]  # fmt: skip


def period_start(day: date, grain: Grain) -> date:
    """The first day of the day/week (Monday)/month containing ``day``."""
    if grain is Grain.week:
        return day - timedelta(days=day.weekday())
    if grain is Grain.month:
        return day.replace(day=1)
    return day


def every_period(start: date, end: date, grain: Grain) -> list[date]:
    """The first day of every day/week/month touching ``start``..``end`` (gaps included)."""
    found, current = [], period_start(start, grain)
    while current <= end:
        found.append(current)
        if grain is Grain.month:
            current = (current + timedelta(days=32)).replace(day=1)
        else:
            current += timedelta(days=7 if grain is Grain.week else 1)
    return found


def _next_period(start: date, grain: Grain) -> date:
    if grain is Grain.month:
        return (start + timedelta(days=32)).replace(day=1)
    return start + timedelta(days=7 if grain is Grain.week else 1)


def _share(part: Decimal, whole: Decimal) -> Decimal:
    if not whole:
        return Decimal(0)
    return (part * 100 / whole).quantize(Decimal("0.01"))


def _owners(conn: Connection, flt: ReportFilter) -> set[str] | None:
    """Owner tag values whose cloud spend a narrowed filter covers (None: all spend)."""
    if not flt.narrows_people:
        return None
    emails = {p.email.lower() for p in names.person_names(
        conn, usage.measure_by(conn, flt.scope(), dim="person", measure="events")
    ).values()}  # fmt: skip
    allocated = cloud_spend.allocation_by_email(conn)
    teams = {a.team.lower() for e, a in allocated.items() if e in emails and a.team}
    if flt.team:
        teams.add(flt.team.lower())
    return emails | teams


def spend_lines(
    conn: Connection, flt: ReportFilter, *, grain: Grain, cost: CostBasis
) -> dict[tuple[date, str, str, str, str], Decimal]:
    """Cents per (period, source, provider, service, currency) over the filter's days."""
    sums: dict[tuple[date, str, str, str, str], Decimal] = defaultdict(Decimal)
    for day in series.daily_series(conn, flt.scope()):
        key = (period_start(day.day, grain), AI_SOURCE, "Cursor", ON_DEMAND_SERVICE, AI_CURRENCY)
        sums[key] += day.usage.on_demand_cents
    starts = every_period(flt.start, flt.end, grain)
    bounds = [(max(p, flt.start), min(n - timedelta(days=1), flt.end))
              for p, n in zip(starts, [*starts[1:], _next_period(starts[-1], grain)],
                              strict=True)]  # fmt: skip
    seats = None if flt.model else seat_cents_by_period(
        conn, periods=bounds, integration_id=flt.integration_id, who=flt.people)  # fmt: skip
    for period, cents in zip(starts, seats or [], strict=False):
        if cents:
            sums[(period, AI_SOURCE, "Cursor", SEATS_SERVICE, AI_CURRENCY)] += cents
    for c in cloud_spend.cloud_by_day(conn, start=flt.start, end=flt.end, cost=cost.value,
                                      owners=_owners(conn, flt)):  # fmt: skip
        key = (period_start(c.day, grain), CLOUD_SOURCE, c.provider, c.service, c.currency)
        sums[key] += c.amount * HUNDRED
    return sums


def _totals(period: date | None, currency: str, ai: Decimal, cloud: Decimal) -> SourceTotals:
    return SourceTotals(period=period, currency=currency, ai_cents=ai, cloud_cents=cloud,
                        total_cents=ai + cloud, ai_share_percent=_share(ai, ai + cloud),
                        cloud_share_percent=_share(cloud, ai + cloud))  # fmt: skip


def spend_chart(lines: list[SpendLineOut], *, periods: list[date]) -> DailyChart:
    """Stacked bars per period in the AI currency: AI, the top cloud providers, other cloud."""
    index = {p: i for i, p in enumerate(periods)}
    by_provider: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * len(periods))
    ai = [Decimal(0)] * len(periods)
    for line in lines:
        if line.currency != AI_CURRENCY:
            continue
        target = ai if line.source == AI_SOURCE else by_provider[line.provider]
        target[index[line.period]] += line.cents
    order = sorted(by_provider, key=lambda k: (-sum(by_provider[k]), k))
    chart = [ChartSeries(key=AI_SERIES, charged_cents=ai)]
    chart += [ChartSeries(key=f"Cloud · {k}", charged_cents=by_provider[k])
              for k in order[:CHART_CLOUD_SERIES]]  # fmt: skip
    rest = order[CHART_CLOUD_SERIES:]
    if rest:
        folded = [sum((by_provider[k][i] for k in rest), Decimal(0)) for i in range(len(periods))]
        chart.append(ChartSeries(key=OTHER, charged_cents=folded))
    return DailyChart(split="source", days=periods, series=chart)


def build_spend(
    conn: Connection, flt: ReportFilter, *, grain: Grain = Grain.month,
    cost: CostBasis = CostBasis.billed,
) -> SpendView:  # fmt: skip
    """AI and cloud spend per period of the filter's days, with totals and shares."""
    sums = spend_lines(conn, flt, grain=grain, cost=cost)
    per_period: dict[tuple[date, str], list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 2)
    for (period, source, _p, _s, currency), amount in sums.items():
        per_period[(period, currency)][source == CLOUD_SOURCE] += amount
    lines = [
        SpendLineOut(period=period, source=source, provider=provider, service=service,
                     currency=currency, cents=amount,
                     share_percent=_share(amount, sum(per_period[(period, currency)],
                                                      Decimal(0))))
        for (period, source, provider, service, currency), amount in sorted(sums.items())
    ]  # fmt: skip
    periods = [_totals(p, c, ai, cloud) for (p, c), (ai, cloud) in sorted(per_period.items())]
    overall: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 2)
    for t in periods:
        overall[t.currency][0] += t.ai_cents
        overall[t.currency][1] += t.cloud_cents
    has_cloud = cloud_spend.has_cloud_costs(conn)
    notices = []
    if not has_cloud:
        notices.append("No cloud costs imported yet: import a FOCUS export with "
                       "`devspend import focus FILE` or under Settings → Cloud costs.")
    if flt.integration_id is not None:
        notices.append(INTEGRATION_NOTICE)
    return SpendView(
        start=flt.start, end=flt.end, grain=grain, cost=cost,
        totals=[_totals(None, c, ai, cloud) for c, (ai, cloud) in sorted(overall.items())],
        periods=periods, lines=lines,
        chart=spend_chart(lines, periods=every_period(flt.start, flt.end, grain)),
        has_cloud_costs=has_cloud, notice=" ".join(notices) or None,
    )  # fmt: skip
