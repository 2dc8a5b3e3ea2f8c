"""The pure rules: period bounds, weekday-aware forecasts, limit pace, robust anomalies."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from devspend.alerts.anomalies import Slice, detect, driver_words
from devspend.alerts.budgets import budget_spec, cycle_bounds, month_bounds
from devspend.alerts.forecast import forecast_period, reach_day, run_rate, weekday_rates
from devspend.errors import ConfigError

CENT = 1_000_000  # micro-cents


def _weekly(start: date, days: int, weekday: int, weekend: int) -> dict[date, int]:
    out = {}
    for i in range(days):
        d = start + timedelta(days=i)
        out[d] = (weekend if d.weekday() >= 5 else weekday) * CENT
    return out


def test_cycle_and_month_bounds() -> None:
    anchor = datetime(2026, 10, 17, tzinfo=UTC)
    assert cycle_bounds(date(2026, 12, 1), anchor) == (date(2026, 11, 17), date(2026, 12, 16))
    assert cycle_bounds(date(2026, 12, 17), anchor) == (date(2026, 12, 17), date(2027, 1, 16))
    assert cycle_bounds(date(2026, 3, 5), None) == month_bounds(date(2026, 3, 5))
    assert month_bounds(date(2028, 2, 10)) == (date(2028, 2, 1), date(2028, 2, 29))
    end_of_month = datetime(2026, 1, 31, tzinfo=UTC)
    assert cycle_bounds(date(2026, 2, 28), end_of_month) == (date(2026, 2, 28), date(2026, 3, 30))


def test_budget_spec_is_exact_and_strict() -> None:
    spec = budget_spec(name=" AI ", amount="$1,234.56", period="month", person="Lena@Example.com")
    assert spec.amount_ucents == 123_456 * CENT
    assert (spec.scope_kind, spec.scope_value) == ("person", "lena@example.com")
    assert spec.figure == "cost"
    with pytest.raises(ConfigError):
        budget_spec(name="x", amount="-5", period="month")
    with pytest.raises(ConfigError):
        budget_spec(name="x", amount="5", period="week")
    with pytest.raises(ConfigError):
        budget_spec(name="x", amount="5", period="month", figure="vibes")


def test_weekday_seasonality_beats_run_rate_after_a_weekend_start() -> None:
    # a period starting on a Saturday: run-rate over the quiet weekend undershoots
    start = date(2026, 8, 1)
    assert start.weekday() == 5
    series = _weekly(start - timedelta(days=28), 28 + 31, weekday=100, weekend=10)
    actual = Decimal(sum(v for d, v in series.items() if d >= start)) / CENT
    as_of = datetime(2026, 8, 3, 0, 0, tzinfo=UTC)  # two weekend days seen
    seen = {d: v for d, v in series.items() if d < as_of.date()}
    fc = forecast_period(seen, start=start, end=date(2026, 8, 31), as_of=as_of)
    naive = run_rate(seen, start=start, end=date(2026, 8, 31), as_of=as_of)
    assert abs(fc.forecast_cents - actual) < abs(naive - actual)
    assert abs(fc.forecast_cents - actual) / actual < Decimal("0.05")
    assert fc.actual_cents == Decimal(20)


def test_unseen_days_are_estimated_not_zero() -> None:
    start = date(2026, 8, 3)
    series = _weekly(start - timedelta(days=28), 28 + 10, weekday=100, weekend=100)
    series = {d: v for d, v in series.items() if d < date(2026, 8, 13)}
    seen = {d for d in series if d != start + timedelta(days=2)}
    del series[start + timedelta(days=2)]
    as_of = datetime(2026, 8, 13, tzinfo=UTC)
    fc = forecast_period(series, start=start, end=date(2026, 8, 16), as_of=as_of,
                         known=seen.__contains__)  # fmt: skip
    assert fc.days_estimated == 1
    assert fc.forecast_cents == Decimal(1400)


def test_partial_day_counts_only_the_hours_left() -> None:
    series = _weekly(date(2026, 7, 1), 40, weekday=240, weekend=240)
    series[date(2026, 8, 10)] = 180 * CENT  # what the first 3/4 of the day brought
    as_of = datetime(2026, 8, 10, 18, 0, tzinfo=UTC)  # 3/4 of the day gone
    fc = forecast_period(series, start=date(2026, 8, 10), end=date(2026, 8, 10), as_of=as_of)
    assert fc.forecast_cents == Decimal(180 + 60)


def test_reach_day_of_a_limit() -> None:
    rates = weekday_rates(_weekly(date(2026, 7, 1), 60, weekday=1000, weekend=0),
                          today=date(2026, 8, 31))  # fmt: skip
    as_of = datetime(2026, 9, 1, 0, 0, tzinfo=UTC)  # a Tuesday
    day = reach_day(rates, spent=20_000 * CENT, limit=25_000 * CENT, as_of=as_of,
                    until=date(2026, 9, 30))  # fmt: skip
    assert day is not None
    assert date(2026, 9, 4) <= day <= date(2026, 9, 9)
    assert reach_day(rates, spent=0, limit=10**9 * CENT, as_of=as_of,
                     until=date(2026, 9, 30)) is None  # fmt: skip


def test_robust_anomaly_is_weekday_aware_and_has_a_floor() -> None:
    series = _weekly(date(2026, 6, 1), 70, weekday=2000, weekend=100)
    saturday = date(2026, 8, 8)
    assert saturday.weekday() == 5
    # a weekday-sized Saturday is 20× the usual Saturday
    series[saturday] = 2000 * CENT
    found = detect(series, saturday, min_ucents=2500 * CENT // 2)
    assert found is not None
    assert found.ratio == pytest.approx(20)
    # the same day under the minimum amount pages nobody
    assert detect(series, saturday, min_ucents=2500 * CENT) is None
    # an ordinary Monday is not an anomaly
    assert detect(series, date(2026, 8, 3), min_ucents=100 * CENT) is None
    # a new joiner has no baseline yet
    assert detect(series, saturday, min_ucents=CENT, first_day=saturday - timedelta(days=5)) is None


def test_driver_words() -> None:
    words = driver_words([Slice("claude-4.1-opus", True, 78), Slice("gpt-5", False, 22)])
    assert words == "78 % from claude-4.1-opus in Max mode"
    assert driver_words([]) is None
