""""forecast $X at cycle end (budget $Y)": the line the overview, teams and person pages
show for the scope they are filtered to.

Cheaper than a whole check: one daily series of the scope (the store's usage series,
narrowed like the page) and only the budgets of exactly that scope. Without such a
budget the line is the on-demand forecast alone.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.engine import Connection

from devspend.alerts.budgets import cycle_bounds
from devspend.alerts.evaluate import FIGURE_WORDS, budget_status, data_moment
from devspend.alerts.forecast import LOOKBACK_DAYS, forecast_period, weekday_rates
from devspend.alerts.inputs import Series, dollars
from devspend.money import from_micros, to_micros
from devspend.store import alert_reads as reads
from devspend.store import alerts as store
from devspend.store.person_scope import PeopleFilter
from devspend.store.series import daily_series
from devspend.store.usage import UsageScope


@dataclass(frozen=True, slots=True)
class ForecastLine:
    text: str
    at_risk: bool


def _scope(*, integration_id: int | None, team: str | None, cost_center: str | None,
           person: str | None) -> tuple[str, str | None]:  # fmt: skip
    if person:
        return "person", person.lower()
    if team:
        return "team", team
    if cost_center:
        return "cost_center", cost_center
    if integration_id is not None:
        return "integration", str(integration_id)
    return "all", None


def _series(conn: Connection, scope: UsageScope) -> dict[str, Series]:
    out: dict[str, Series] = {"on_demand": defaultdict(int), "usage_value": defaultdict(int)}
    for d in daily_series(conn, scope):
        out["on_demand"][d.day] += to_micros(d.usage.on_demand_cents)
        out["usage_value"][d.day] += to_micros(d.usage.charged_cents)
    out["cost"] = out["on_demand"]
    return out


def forecast_lines(
    conn: Connection, *, now: datetime, integration_id: int | None = None,
    team: str | None = None, cost_center: str | None = None, person: str | None = None,
    visible_teams: frozenset[str] | None = None,
) -> list[ForecastLine]:  # fmt: skip
    """The forecast lines for a page filtered to this scope (budgets of that scope first).

    A viewer limited to some teams (``visible_teams``) sees the forecast of what they may
    see, and only the budgets of one of their teams.
    """
    as_of = data_moment(conn, now=now)
    today = as_of.date()
    cycles = reads.cycle_starts(conn)
    kind, value = _scope(integration_id=integration_id, team=team, cost_center=cost_center,
                         person=person)  # fmt: skip
    mine = [b for b in store.list_budgets(conn) if b.scope_kind == kind and (
        (b.scope_value or "").casefold() == (value or "").casefold())]  # fmt: skip
    if visible_teams is not None and not (kind == "team" and visible(value, visible_teams)):
        mine = []
    anchor = cycles.get(integration_id) if integration_id is not None else (
        min(cycles.values()) if cycles else None)  # fmt: skip
    start, end = cycle_bounds(today, anchor)
    earliest = min(start, today - timedelta(days=LOOKBACK_DAYS), date(today.year, today.month, 1))
    people = PeopleFilter(email=person, team=None if person else team,
                          cost_center=None if person or team else cost_center,
                          visible_teams=visible_teams)  # fmt: skip
    series = _series(conn, UsageScope(start=earliest, end=today, integration_id=integration_id,
                                      people=people))  # fmt: skip
    emails = _emails(conn, kind, value)
    lines = []
    for b in mine:
        s = budget_status(conn, b, series=series[b.figure], as_of=as_of, cycles=cycles,
                          known=None, emails=emails)  # fmt: skip
        end_word = "cycle end" if b.period == "cycle" else "month end"
        lines.append(ForecastLine(
            text=(f"{FIGURE_WORDS[b.figure].capitalize()}: forecast "
                  f"{dollars(s.forecast_cents)} at {end_word} (budget “{b.name}” "
                  f"{dollars(s.amount_cents)}; {dollars(s.spent_cents)} so far)"),
            at_risk=s.at_risk,
        ))  # fmt: skip
    if not lines:
        fc = forecast_period(series["on_demand"], start=start, end=end, as_of=as_of)
        lines.append(ForecastLine(
            text=(f"On-demand spend: forecast {dollars(fc.forecast_cents)} at cycle end "
                  f"({start} – {end}; {dollars(fc.actual_cents)} so far)"),
            at_risk=False,
        ))  # fmt: skip
    return lines


def forecast_days(
    conn: Connection, *, now: datetime, integration_id: int | None = None,
    team: str | None = None, cost_center: str | None = None, person: str | None = None,
    visible_teams: frozenset[str] | None = None,
) -> list[tuple[date, Decimal]]:
    """The usage value (cents) each day from tomorrow to the cycle's end is forecast to
    bring, at the scope's weekday rates: the dashed line continuing the daily chart."""
    as_of = data_moment(conn, now=now)
    today = as_of.date()
    cycles = reads.cycle_starts(conn)
    anchor = cycles.get(integration_id) if integration_id is not None else (
        min(cycles.values()) if cycles else None)  # fmt: skip
    _start, end = cycle_bounds(today, anchor)
    people = PeopleFilter(email=person, team=None if person else team,
                          cost_center=None if person or team else cost_center,
                          visible_teams=visible_teams)  # fmt: skip
    scope = UsageScope(start=today - timedelta(days=LOOKBACK_DAYS), end=today,
                       integration_id=integration_id, people=people)  # fmt: skip
    rates = weekday_rates(_series(conn, scope)["usage_value"], today=today)
    days = [today + timedelta(days=i) for i in range(1, (end - today).days + 1)]
    return [(d, from_micros(round(rates[d.weekday()]))) for d in days]


def visible(team: str | None, teams: frozenset[str] | None) -> bool:
    """Whether a limited viewer (``teams``; None: not limited) may see this team's figures."""
    return teams is None or (team is not None and team.casefold() in {t.casefold() for t in teams})


def _emails(conn: Connection, kind: str, value: str | None) -> set[str] | None:
    if kind == "person" and value:
        return {value}
    if kind in ("team", "cost_center") and value:
        slot = 0 if kind == "team" else 1
        return {e for e, a in reads.allocation_map(conn).items()
                if (a[slot] or "").casefold() == value.casefold()}  # fmt: skip
    return None
