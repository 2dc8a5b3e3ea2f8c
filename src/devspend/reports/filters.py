"""Report filters: a period of UTC days and who/what it covers, validated once.

Every view takes a :class:`ReportFilter`; the web builds it from the query string
(``range``, ``start``, ``end``, ``integration``, ``team``, ``cost_center``, ``person``,
``model``), the CLI from its options (``--range``/``--from``/``--to``, ``--integration``,
``--team``, ``--cost-center``, ``--person``, ``--model``), both through
:func:`parse_filter`, so a period means the same on every face (default: last 30 days).
A limited viewer's teams (``visible_teams``) are added by the face from the signed-in
user and narrow every figure the same way a team filter does.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from urllib.parse import urlencode

from devspend.errors import ReportFilterError
from devspend.store.person_scope import PeopleFilter
from devspend.store.usage import UsageScope

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
# days and ids a database can hold (a fuzzer's year 1 or 10**30 must be a 400, not a 500)
EARLIEST_DAY, LATEST_DAY = date(2000, 1, 1), date(2999, 12, 31)
MAX_ID = 2**31 - 1


@dataclass(frozen=True, slots=True)
class ReportFilter:
    """A period of UTC days (``end`` inclusive) and optional narrowing; hashable, so it
    keys the view cache."""

    preset: str
    start: date
    end: date
    integration_id: int | None = None
    team: str | None = None
    cost_center: str | None = None
    person: str | None = None
    model: str | None = None
    visible_teams: frozenset[str] | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        return f"{self.start.isoformat()} – {self.end.isoformat()}"

    @property
    def people(self) -> PeopleFilter:
        """Whose usage this filter covers (team, cost center, person, viewer limit)."""
        return PeopleFilter(email=self.person, team=self.team, cost_center=self.cost_center,
                            visible_teams=self.visible_teams)  # fmt: skip

    @property
    def narrows_people(self) -> bool:
        return not self.people.is_everyone()

    def scope(self) -> UsageScope:
        """This filter as the store's usage scope."""
        return UsageScope(start=self.start, end=self.end, integration_id=self.integration_id,
                          people=self.people, model=self.model)  # fmt: skip

    def previous(self) -> ReportFilter:
        """The period of the same length just before this one (for "vs previous")."""
        end = self.start - timedelta(days=1)
        return replace(self, preset="custom", start=end - timedelta(days=self.days - 1), end=end)

    def for_person(self, email: str) -> ReportFilter:
        return replace(self, person=email)

    def params(self) -> dict[str, str]:
        """The query parameters that reproduce this filter (the viewer limit is not one)."""
        values = {"range": self.preset}
        if self.preset == "custom":
            values["start"] = self.start.isoformat()
            values["end"] = self.end.isoformat()
        optional = {
            "integration": self.integration_id, "team": self.team,
            "cost_center": self.cost_center, "person": self.person, "model": self.model,
        }  # fmt: skip
        values.update({k: str(v) for k, v in optional.items() if v is not None})
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
    raise ReportFilterError(f"Unknown date range {preset!r}; use one of {', '.join(PRESETS)}.")


def _clean(value: str | None) -> str | None:
    text = (value or "").strip()
    return text or None


def parse_filter(
    *,
    preset: str | None,
    start: date | None,
    end: date | None,
    today: date,
    integration_id: int | None = None,
    team: str | None = None,
    cost_center: str | None = None,
    person: str | None = None,
    model: str | None = None,
    visible_teams: frozenset[str] | None = None,
) -> ReportFilter:
    """Build a filter from its parts; explicit days imply ``custom``."""
    chosen = preset or ("custom" if start or end else DEFAULT_PRESET)
    if chosen not in PRESETS:
        raise ReportFilterError(
            f"Unknown date range {chosen!r}; use one of {', '.join(PRESETS)}."
        )
    for day in (start, end):
        if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY:
            raise ReportFilterError(f"Choose days between {EARLIEST_DAY} and {LATEST_DAY}.")
    if integration_id is not None and not 0 <= integration_id <= MAX_ID:
        raise ReportFilterError(f"There is no integration {integration_id}.")
    if chosen == "custom" and start is None and end is None:
        chosen = DEFAULT_PRESET
    if chosen == "custom":
        end = end or today
        start = start or end - timedelta(days=29)
        if start > end:
            raise ReportFilterError("The start day must not be after the end day.")
        if (end - start).days > MAX_CUSTOM_DAYS:
            raise ReportFilterError(f"Choose at most {MAX_CUSTOM_DAYS} days.")
    else:
        start, end = preset_period(chosen, today=today)
    email = _clean(person)
    return ReportFilter(
        chosen, start, end, integration_id, team=_clean(team), cost_center=_clean(cost_center),
        person=email.lower() if email else None, model=_clean(model),
        visible_teams=visible_teams,
    )  # fmt: skip
