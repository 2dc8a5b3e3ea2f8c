"""What a budget is (validated), and the period it watches on a given day.

A budget watches one figure of the money vocabulary over a calendar month or a
Cursor billing cycle, for a scope:

=============  ===============================================================
figure         what is summed
=============  ===============================================================
``cost``       seats + on-demand (``reports.seats``: seats prorated by day; without a
               seat price it is on-demand alone)
``on_demand``  Σ ``chargedCents`` of chargeable events (what Cursor invoices)
``usage_value``Σ ``chargedCents`` of all events (the value of the usage, included
               or not)
=============  ===============================================================
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from devspend.errors import ConfigError
from devspend.money import to_micros

PERIODS = ("month", "cycle")
SCOPES = ("all", "integration", "team", "cost_center", "person")
FIGURES = ("cost", "on_demand", "usage_value")
DEFAULT_THRESHOLDS = (50, 80, 100)


@dataclass(frozen=True, slots=True)
class BudgetSpec:
    """A budget as asked for, checked: amount in exact micro-cents."""

    name: str
    amount_ucents: int
    period: str
    scope_kind: str
    scope_value: str | None
    figure: str
    thresholds: tuple[int, ...]
    forecast_alert: bool


def parse_dollars(text: str) -> Decimal:
    """``"1,500"`` or ``"$1500.50"`` → Decimal dollars; anything else is a ConfigError."""
    cleaned = text.strip().lstrip("$").replace(",", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ConfigError(f"{text!r} is not an amount of dollars (e.g. 1500 or 1500.50).") from None
    if not value.is_finite() or value <= 0:
        raise ConfigError("A budget amount must be a positive number of dollars.")
    return value


def budget_spec(
    *, name: str, amount: str, period: str, figure: str = "cost", team: str | None = None,
    cost_center: str | None = None, person: str | None = None, integration: int | None = None,
    thresholds: Sequence[int] = DEFAULT_THRESHOLDS, forecast_alert: bool = True,
) -> BudgetSpec:  # fmt: skip
    """Validate a budget's options (at most one scope; known period and figure)."""
    name = name.strip()
    if not name or len(name) > 200:
        raise ConfigError("A budget needs a name of 1 to 200 characters.")
    if period not in PERIODS:
        raise ConfigError(f"The period must be one of {', '.join(PERIODS)}, not {period!r}.")
    if figure not in FIGURES:
        raise ConfigError(f"The figure must be one of {', '.join(FIGURES)}, not {figure!r}.")
    scopes = [(k, v) for k, v in (("team", team), ("cost_center", cost_center),
              ("person", person), ("integration", None if integration is None else
                                    str(integration))) if v]  # fmt: skip
    if len(scopes) > 1:
        raise ConfigError("A budget has one scope: give at most one of --team, --cost-center, "
                          "--person, --integration.")  # fmt: skip
    kind, value = scopes[0] if scopes else ("all", None)
    if kind == "person" and value is not None:
        value = value.strip().lower()
    marks = tuple(sorted(set(thresholds)))
    if not marks or any(not 1 <= t <= 1000 for t in marks):
        raise ConfigError("Thresholds are percentages of the amount between 1 and 1000.")
    dollars = parse_dollars(amount)
    return BudgetSpec(name=name, amount_ucents=to_micros(dollars * 100), period=period,
                      scope_kind=kind, scope_value=value, figure=figure, thresholds=marks,
                      forecast_alert=forecast_alert)  # fmt: skip


def scope_label(kind: str, value: str | None) -> str:
    """``team:Platform``, ``person:lena@example.com`` or ``all`` (alerts and JSON)."""
    return "all" if kind == "all" else f"{kind}:{value}"


def add_months(day: date, months: int) -> date:
    """The same day-of-month ``months`` later, clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def month_bounds(today: date) -> tuple[date, date]:
    first = today.replace(day=1)
    return first, add_months(first, 1) - timedelta(days=1)


def cycle_bounds(today: date, cycle_start: datetime | None) -> tuple[date, date]:
    """The billing cycle containing ``today``: from a known cycle start rolled forward (or
    back) by whole months; the calendar month when no spend snapshot says when cycles start."""
    if cycle_start is None:
        return month_bounds(today)
    anchor = cycle_start.date()
    months = (today.year - anchor.year) * 12 + today.month - anchor.month
    if add_months(anchor, months) > today:
        months -= 1
    return add_months(anchor, months), add_months(anchor, months + 1) - timedelta(days=1)
