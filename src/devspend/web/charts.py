"""Chart data: daily series stacked by a key, top N kept and the rest folded into "other".

Folding keeps a chart readable with 2,000 people or 40 models. "other" is the
day's total minus the top series, so the stack always adds up to the real total.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from pydantic import BaseModel

from devspend.store.queries import DailyValue, DayRow

OTHER = "other"


class ChartSeries(BaseModel):
    key: str
    charged_cents: list[Decimal]


class DailyChart(BaseModel):
    """One value per day in ``days`` for each series (charged cents, exact)."""

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
    values: Iterable[DailyValue],
    totals: Iterable[DayRow],
) -> DailyChart:
    """Series per key over every day of the period, plus "other" when the top N miss some."""
    days = every_day(start, end)
    index = {d: i for i, d in enumerate(days)}
    by_key: dict[str, list[Decimal]] = {}
    shown = [Decimal(0)] * len(days)
    for v in values:
        series = by_key.setdefault(v.key, [Decimal(0)] * len(days))
        i = index[v.day]
        series[i] += v.charged_cents
        shown[i] += v.charged_cents
    other = [Decimal(0)] * len(days)
    for row in totals:
        other[index[row.day]] = row.charged_cents - shown[index[row.day]]
    order = sorted(by_key, key=lambda k: (-sum(by_key[k]), k))
    stacked = [ChartSeries(key=k, charged_cents=by_key[k]) for k in order]
    if any(other):
        stacked.append(ChartSeries(key=OTHER, charged_cents=other))
    return DailyChart(split=split, days=days, series=stacked)


def total_chart(*, start: date, end: date, totals: Iterable[DayRow]) -> DailyChart:
    """One series of the daily charged spend over every day of the period."""
    days = every_day(start, end)
    index = {d: i for i, d in enumerate(days)}
    values = [Decimal(0)] * len(days)
    for row in totals:
        values[index[row.day]] = row.charged_cents
    series = [ChartSeries(key="spend", charged_cents=values)]
    return DailyChart(split="total", days=days, series=series)
