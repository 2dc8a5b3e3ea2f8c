"""Spend far above its own recent baseline, and the words for what drove it.

The baseline of a day is the same weekday over the previous eight weeks (a Monday is
compared with Mondays: weekends are quiet), summarised robustly by the median and
the median absolute deviation, so one earlier spike does not hide the next. A day is
an anomaly when all of these hold:

- it is at least ``min_ucents`` (cents should not page anyone);
- it is at least ``RATIO`` × the usual (median) day;
- it is more than ``Z`` robust deviations above the usual, where a deviation is
  1.4826 × MAD but never less than a quarter of the usual day nor a tenth of the
  minimum amount (a perfectly steady series must not turn every cent into a spike).

``bench/bench_alerts_backtest.py`` counts how often this fires on the fake's
ordinary year (anomalies per 100 person-weeks); the constants are set from it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import median

WEEKS = 8
RATIO = 3.0
Z = 6.0
MIN_HISTORY_DAYS = 14
"""A series younger than this (a new joiner) has no baseline yet; "new pattern" rules cover it."""


@dataclass(frozen=True, slots=True)
class Anomaly:
    day: date
    value: int
    usual: int
    """The median of the same weekday over the previous weeks (micro-cents)."""
    ratio: float | None
    """``value / usual``; None when the usual day is zero."""


def same_weekday_history(series: Mapping[date, int], day: date, *, weeks: int = WEEKS) -> list[int]:
    return [series.get(day - timedelta(days=7 * k), 0) for k in range(1, weeks + 1)]


def detect(
    series: Mapping[date, int], day: date, *, min_ucents: int, first_day: date | None = None
) -> Anomaly | None:
    """The anomaly on ``day``, if its value is far above its own baseline.

    ``first_day`` is when the series started (its first usage); before
    ``MIN_HISTORY_DAYS`` of history there is no baseline to compare with.
    """
    value = series.get(day, 0)
    if value < min_ucents:
        return None
    if first_day is not None and (day - first_day).days < MIN_HISTORY_DAYS:
        return None
    history = same_weekday_history(series, day)
    usual = median(history)
    mad = median(abs(v - usual) for v in history)
    scale = max(1.4826 * mad, 0.25 * usual, min_ucents / 10)
    if value < RATIO * usual or (value - usual) / scale < Z:
        return None
    return Anomaly(day=day, value=value, usual=round(usual),
                   ratio=value / usual if usual > 0 else None)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Slice:
    """A part of a day's spend: a model, with or without Max mode."""

    model: str
    max_mode: bool
    ucents: int


def driver_words(slices: Sequence[Slice]) -> str | None:
    """"78 % from claude-4.1-opus in Max mode": the biggest part of a day, in words."""
    total = sum(s.ucents for s in slices)
    if total <= 0:
        return None
    top = max(slices, key=lambda s: s.ucents)
    share = round(100 * top.ucents / total)
    mode = " in Max mode" if top.max_mode else ""
    return f"{share} % from {top.model}{mode}"
