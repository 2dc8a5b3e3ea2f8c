"""Report filters kept in the URL: a date range preset (or custom days) and an integration.

Every page and API twin takes the same query parameters (``range``, ``start``,
``end``, ``integration``) so any view can be bookmarked, shared, or fetched as JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Annotated, TypedDict
from urllib.parse import urlencode

from fastapi import Depends, Query

from devspend.web.deps import ClockDep
from devspend.web.errors import WebError

PRESETS: dict[str, str] = {
    "7d": "Last 7 days",
    "30d": "Last 30 days",
    "90d": "Last 90 days",
    "this_month": "This month",
    "last_month": "Last month",
    "365d": "Last 365 days",
    "custom": "Custom",
}
DEFAULT_PRESET = "30d"
MAX_CUSTOM_DAYS = 3660


class Scope(TypedDict):
    """The keyword arguments every report query takes."""

    integration_id: int | None
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class ReportFilter:
    """A period of UTC days (``end`` inclusive) and an optional integration."""

    preset: str
    start: date
    end: date
    integration_id: int | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        return f"{self.start.isoformat()} – {self.end.isoformat()}"

    def scope(self) -> Scope:
        """This filter as report-query keyword arguments."""
        return Scope(integration_id=self.integration_id, start=self.start, end=self.end)

    def previous(self) -> ReportFilter:
        """The period of the same length just before this one (for "vs previous")."""
        end = self.start - timedelta(days=1)
        return replace(self, preset="custom", start=end - timedelta(days=self.days - 1), end=end)

    def params(self) -> dict[str, str]:
        """The query parameters that reproduce this filter."""
        values = {"range": self.preset}
        if self.preset == "custom":
            values["start"] = self.start.isoformat()
            values["end"] = self.end.isoformat()
        if self.integration_id is not None:
            values["integration"] = str(self.integration_id)
        return values

    def query(self, **extra: str | int | None) -> str:
        """A query string for this filter plus ``extra`` parameters (``None`` drops one)."""
        values: dict[str, str] = self.params()
        for key, value in extra.items():
            if value is None:
                values.pop(key, None)
            else:
                values[key] = str(value)
        return urlencode(values)


def preset_period(preset: str, *, today: date) -> tuple[date, date]:
    """The days a named preset covers, ending today (UTC)."""
    if preset.endswith("d") and preset[:-1].isdigit():
        days = int(preset[:-1])
        return today - timedelta(days=days - 1), today
    if preset == "this_month":
        return today.replace(day=1), today
    if preset == "last_month":
        last_day = today.replace(day=1) - timedelta(days=1)
        return last_day.replace(day=1), last_day
    raise WebError(f"Unknown date range {preset!r}; use one of {', '.join(PRESETS)}.")


def parse_filter(
    *,
    preset: str | None,
    start: date | None,
    end: date | None,
    integration_id: int | None,
    today: date,
) -> ReportFilter:
    """Build a filter from query parameters; explicit days imply ``custom``."""
    chosen = preset or ("custom" if start or end else DEFAULT_PRESET)
    if chosen not in PRESETS:
        raise WebError(f"Unknown date range {chosen!r}; use one of {', '.join(PRESETS)}.")
    if chosen == "custom":
        if start is None and end is None:
            chosen = DEFAULT_PRESET
        else:
            end = end or today
            start = start or end - timedelta(days=29)
            if start > end:
                raise WebError("The start day must not be after the end day.")
            if (end - start).days > MAX_CUSTOM_DAYS:
                raise WebError(f"Choose at most {MAX_CUSTOM_DAYS} days.")
            return ReportFilter("custom", start, end, integration_id)
    first, last = preset_period(chosen, today=today)
    return ReportFilter(chosen, first, last, integration_id)


def report_filter(
    clock: ClockDep,
    range_: Annotated[
        str | None,
        Query(alias="range", description="7d, 30d, 90d, this_month, last_month, 365d or custom"),
    ] = None,
    start: Annotated[date | None, Query(description="first day (custom range)")] = None,
    end: Annotated[date | None, Query(description="last day, inclusive (custom range)")] = None,
    integration: Annotated[int | None, Query(description="one integration's id")] = None,
) -> ReportFilter:
    """The filter of the current request, from its query string."""
    return parse_filter(
        preset=range_, start=start, end=end, integration_id=integration, today=clock().date()
    )


FilterDep = Annotated[ReportFilter, Depends(report_filter)]
