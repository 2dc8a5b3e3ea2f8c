"""Date range presets, custom ranges and the previous period, as kept in the URL."""

from __future__ import annotations

from datetime import date

import pytest

from devspend.errors import ReportFilterError
from devspend.reports.filters import parse_filter

TODAY = date(2026, 3, 15)


@pytest.mark.parametrize(
    ("preset", "start", "end"),
    [
        ("7d", date(2026, 3, 9), TODAY),
        ("30d", date(2026, 2, 14), TODAY),
        ("90d", date(2025, 12, 16), TODAY),
        ("365d", date(2025, 3, 16), TODAY),
        ("this_month", date(2026, 3, 1), TODAY),
        ("last_month", date(2026, 2, 1), date(2026, 2, 28)),
    ],
)
def test_presets_end_today(preset: str, start: date, end: date) -> None:
    flt = parse_filter(preset=preset, start=None, end=None, integration_id=None, today=TODAY)
    assert (flt.start, flt.end) == (start, end)


def test_default_is_30_days_and_custom_days_round_trip_through_the_url() -> None:
    assert parse_filter(preset=None, start=None, end=None, integration_id=None,
                        today=TODAY).preset == "30d"  # fmt: skip
    flt = parse_filter(preset=None, start=date(2026, 1, 1), end=date(2026, 1, 10),
                       integration_id=3, today=TODAY)  # fmt: skip
    assert flt.preset == "custom"
    assert flt.days == 10
    assert flt.query() == "range=custom&start=2026-01-01&end=2026-01-10&integration=3"
    assert "sort=events" in flt.query(sort="events")


def test_previous_period_has_the_same_length_just_before() -> None:
    flt = parse_filter(preset="last_month", start=None, end=None, integration_id=None,
                       today=TODAY).previous()  # fmt: skip
    assert (flt.start, flt.end) == (date(2026, 1, 4), date(2026, 1, 31))


def test_bad_ranges_are_refused_with_a_message() -> None:
    with pytest.raises(ReportFilterError, match="Unknown date range"):
        parse_filter(preset="fortnight", start=None, end=None, integration_id=None, today=TODAY)
    with pytest.raises(ReportFilterError, match="start day"):
        parse_filter(preset="custom", start=date(2026, 2, 2), end=date(2026, 2, 1),
                     integration_id=None, today=TODAY)  # fmt: skip


def test_team_cost_center_person_and_model_round_trip_through_the_url() -> None:
    flt = parse_filter(preset="7d", start=None, end=None, today=TODAY, team=" Platform ",
                       cost_center="cc-1", person="Ada@X.io", model="opus")  # fmt: skip
    assert (flt.team, flt.cost_center, flt.person, flt.model) == (
        "Platform", "cc-1", "ada@x.io", "opus")  # fmt: skip
    assert flt.query() == "range=7d&team=Platform&cost_center=cc-1&person=ada%40x.io&model=opus"
    assert flt.narrows_people
    assert not parse_filter(preset="7d", start=None, end=None, today=TODAY,
                            model="opus").narrows_people  # fmt: skip
    blank = parse_filter(preset=None, start=None, end=None, today=TODAY, team="  ")
    assert blank.team is None
