"""Period-end forecasts from the days seen so far, with weekday seasonality.

A day's figure is projected from the same weekday's mean over the previous four
weeks (shrunk towards the all-days mean, so one odd Tuesday does not set every
Tuesday), because weekends are quiet and a run-rate over a period that started on a
Saturday would undershoot. What the forecast adds to what was observed:

- the rest of today, pro rata of the hours left after the data's moment (``as_of``);
- every later day of the period at its weekday's rate;
- past days of the period whose events devspend could not see (no coverage record,
  or ``unavailable``), at their weekday's rate, instead of counting them as zero.

Amounts are integer micro-cents in, :class:`~decimal.Decimal` cents out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from devspend.money import from_micros

LOOKBACK_DAYS = 28
_SHRINK = 1.0
"""Pseudo-observations of the all-days mean added to each weekday's mean."""


@dataclass(frozen=True, slots=True)
class Forecast:
    """A period's figure so far and projected at its end (``end`` inclusive)."""

    start: date
    end: date
    actual_cents: Decimal
    forecast_cents: Decimal
    days_left: int
    days_estimated: int
    """Past days of the period devspend could not see, estimated rather than counted as 0."""


def weekday_rates(
    series: Mapping[date, int], *, today: date, known: Callable[[date], bool] | None = None,
    lookback_days: int = LOOKBACK_DAYS,
) -> list[float]:  # fmt: skip
    """Mean figure per weekday (Monday = 0) over the ``lookback_days`` before ``today``.

    Only days devspend saw count (``known``); a weekday never seen takes the mean of
    all seen days.
    """
    sums = [0.0] * 7
    counts = [0] * 7
    for back in range(1, lookback_days + 1):
        day = today - timedelta(days=back)
        if known is not None and not known(day):
            continue
        sums[day.weekday()] += series.get(day, 0)
        counts[day.weekday()] += 1
    seen = sum(counts)
    overall = sum(sums) / seen if seen else 0.0
    return [(sums[w] + _SHRINK * overall) / (counts[w] + _SHRINK) for w in range(7)]


def day_fraction(as_of: datetime) -> float:
    """How much of ``as_of``'s UTC day has passed (0 at midnight, nearly 1 at 23:59)."""
    midnight = datetime.combine(as_of.date(), time(0), tzinfo=as_of.tzinfo)
    return min(max((as_of - midnight).total_seconds() / 86_400, 0.0), 1.0)


def forecast_period(
    series: Mapping[date, int], *, start: date, end: date, as_of: datetime,
    known: Callable[[date], bool] | None = None, rates: list[float] | None = None,
) -> Forecast:  # fmt: skip
    """The figure of ``start``..``end`` so far and at the end, seen at moment ``as_of``.

    ``series`` maps days to micro-cents; ``known(day)`` says whether devspend has the
    day's events (None: every day is known); ``rates`` overrides the weekday rates.
    """
    today = as_of.date()
    observed = sum(v for d, v in series.items() if start <= d <= min(end, today))
    if today > end:
        value = from_micros(observed)
        return Forecast(start, end, value, value, 0, 0)
    if rates is None:
        rates = weekday_rates(series, today=today, known=known)
    projected = 0.0
    estimated = 0
    day = start
    while day < today:
        if known is not None and not known(day):
            projected += rates[day.weekday()]
            estimated += 1
        day += timedelta(days=1)
    if today >= start:
        projected += rates[today.weekday()] * (1.0 - day_fraction(as_of))
    day = max(today + timedelta(days=1), start)
    left = 0
    while day <= end:
        projected += rates[day.weekday()]
        left += 1
        day += timedelta(days=1)
    return Forecast(
        start=start, end=end, actual_cents=from_micros(observed),
        forecast_cents=from_micros(observed + round(projected)), days_left=left,
        days_estimated=estimated,
    )  # fmt: skip


def run_rate(series: Mapping[date, int], *, start: date, end: date, as_of: datetime) -> Decimal:
    """The naive baseline: the period's mean day so far × its length (cents)."""
    observed = sum(v for d, v in series.items() if start <= d <= min(end, as_of.date()))
    elapsed = (as_of - datetime.combine(start, time(0), tzinfo=as_of.tzinfo)).total_seconds()
    if elapsed <= 0:
        return from_micros(observed)
    length = ((end - start).days + 1) * 86_400
    return from_micros(round(observed * length / elapsed))


def reach_day(
    rates: list[float], *, spent: int, limit: int, as_of: datetime, until: date
) -> date | None:
    """The first day the running total (``spent`` at ``as_of``) reaches ``limit`` at these
    weekday rates, if it does by ``until``; ``as_of``'s day when it already has."""
    if spent >= limit:
        return as_of.date()
    total = spent + rates[as_of.weekday()] * (1.0 - day_fraction(as_of))
    day = as_of.date()
    while True:
        if total >= limit:
            return day
        day += timedelta(days=1)
        if day > until:
            return None
        total += rates[day.weekday()]
