"""Chart data: daily series stacked by a key, top N kept and the rest folded into "other".

Folding keeps a chart readable with 2,000 people or 40 models. "other" is the
day's total minus the top series, so the stack always adds up to the real total.
Values are usage value (Σ chargedCents) per day, exact.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal

from pydantic import BaseModel

from devspend.money import Money
from devspend.store.series import DayUsage

OTHER = "other"


class ChartSeries(BaseModel):
    key: str
    charged_cents: list[Money]


class DailyChart(BaseModel):
    """One value per day (or period) in ``days`` for each series (exact cents)."""

    split: str
    days: list[date]
    series: list[ChartSeries]


def every_day(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def stacked_chart(
    *,
    split: str,
    start: date,
    end: date,
    values: Iterable[DayUsage],
    names: Mapping[int, str],
    totals: Iterable[DayUsage],
) -> DailyChart:
    """Series per key (named by ``names``) over every day of the period, plus "other"
    when the top N miss some of a day's total."""
    days = every_day(start, end)
    index = {d: i for i, d in enumerate(days)}
    by_key: dict[str, list[Decimal]] = {}
    shown = [Decimal(0)] * len(days)
    for v in values:
        name = names.get(v.key, str(v.key)) if v.key is not None else "total"
        series = by_key.setdefault(name, [Decimal(0)] * len(days))
        i = index[v.day]
        series[i] += v.usage.charged_cents
        shown[i] += v.usage.charged_cents
    other = [Decimal(0)] * len(days)
    for row in totals:
        other[index[row.day]] = row.usage.charged_cents - shown[index[row.day]]
    order = sorted(by_key, key=lambda k: (-sum(by_key[k]), k))
    stacked = [ChartSeries(key=k, charged_cents=by_key[k]) for k in order]
    if any(other):
        stacked.append(ChartSeries(key=OTHER, charged_cents=other))
    return DailyChart(split=split, days=days, series=stacked)


def total_chart(*, start: date, end: date, totals: Iterable[DayUsage]) -> DailyChart:
    """One series of the daily usage value over every day of the period."""
    days = every_day(start, end)
    index = {d: i for i, d in enumerate(days)}
    values = [Decimal(0)] * len(days)
    for row in totals:
        values[index[row.day]] = row.usage.charged_cents
    return DailyChart(split="total", days=days, series=[ChartSeries(key="spend",
                                                                     charged_cents=values)])
