"""Stacked chart series: every day present, top N kept, the rest folded into "other"."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from devspend.reports.charts import stacked_chart
from devspend.store.series import DayUsage
from devspend.store.usage import Usage

D1, D2, D3 = date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 3)


NAMES = {1: "a", 2: "b", 3: "x"}


def _value(day: date, key: str, cents: str) -> DayUsage:
    key_id = next(i for i, name in NAMES.items() if name == key)
    return DayUsage(day=day, key=key_id, usage=Usage(events=1, charged_cents=Decimal(cents)))


def _total(day: date, cents: str) -> DayUsage:
    return DayUsage(day=day, key=None, usage=Usage(charged_cents=Decimal(cents)))


def test_top_series_plus_other_add_up_to_each_days_total() -> None:
    chart = stacked_chart(
        split="model", start=D1, end=D3,
        values=[_value(D1, "a", "10.5"), _value(D1, "b", "1"), _value(D3, "b", "30")],
        names=NAMES, totals=[_total(D1, "12.5"), _total(D3, "31")],
    )  # fmt: skip
    assert chart.days == [D1, D2, D3]
    assert [s.key for s in chart.series] == ["b", "a", "other"]
    by_key = {s.key: s.charged_cents for s in chart.series}
    assert by_key["other"] == [Decimal("1"), Decimal(0), Decimal("1")]
    for i, total in enumerate([Decimal("12.5"), Decimal(0), Decimal("31")]):
        assert sum(s.charged_cents[i] for s in chart.series) == total


def test_no_other_series_when_the_top_covers_everything() -> None:
    chart = stacked_chart(split="kind", start=D1, end=D1, values=[_value(D1, "x", "2")],
                          names=NAMES, totals=[_total(D1, "2")])  # fmt: skip
    assert [s.key for s in chart.series] == ["x"]
