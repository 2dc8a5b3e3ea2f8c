"""Evaluate every rule over one read of the summaries: budgets, forecasts, limits, anomalies.

:func:`evaluate` reads (never writes) and returns what the rules found as candidate
alerts with stable ``dedupe_key``s; :mod:`devspend.alerts.check` records and sends
them. The Budgets and Alerts pages call it too, to show spent-so-far and forecasts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.engine import Connection

from devspend.alerts.anomalies import WEEKS
from devspend.alerts.budgets import cycle_bounds, month_bounds, scope_label
from devspend.alerts.forecast import (
    LOOKBACK_DAYS,
    Forecast,
    forecast_period,
    reach_day,
    weekday_rates,
)
from devspend.alerts.inputs import (
    Inputs,
    Series,
    dollars,
    fields,
    read_inputs,
    scope_emails,
    scope_series,
)
from devspend.alerts.spikes import anomaly_alerts, pattern_alerts
from devspend.money import from_micros, to_micros
from devspend.reports.seats import SEAT_PRICE_NOT_SET, cost_cents, seat_summary
from devspend.settings import Settings
from devspend.store import alert_reads as reads
from devspend.store import alerts as store

FIGURE_WORDS = {"cost": "cost", "on_demand": "on-demand spend", "usage_value": "usage value"}


@dataclass(frozen=True, slots=True)
class BudgetStatus:
    """A budget on the day of the check: spent so far, forecast, thresholds crossed."""

    budget: store.BudgetRecord
    start: date
    end: date
    spent_cents: Decimal
    forecast_cents: Decimal
    amount_cents: Decimal
    percent: Decimal
    crossed: tuple[int, ...]
    forecast_exceeds: bool
    note: str | None

    @property
    def at_risk(self) -> bool:
        return self.forecast_exceeds or bool(self.crossed and max(self.crossed) >= 100)


@dataclass(frozen=True, slots=True)
class LimitForecast:
    """A person against Cursor's per-user limit this cycle."""

    integration_id: int
    email: str
    name: str | None
    spent_cents: Decimal
    limit_dollars: int
    cycle_start: date
    cycle_end: date
    reach_day: date | None


@dataclass(frozen=True, slots=True)
class ScopeForecast:
    """Cycle-end forecast of on-demand spend for an integration, team or cost center."""

    scope: str
    start: date
    end: date
    actual_cents: Decimal
    forecast_cents: Decimal


@dataclass(frozen=True, slots=True)
class Evaluation:
    as_of: datetime
    budgets: list[BudgetStatus]
    limits: list[LimitForecast]
    forecasts: list[ScopeForecast]
    alerts: list[store.NewAlert]
    quiet_keys: set[str] = field(default_factory=set)
    """Alerts recorded without being sent (a lower threshold crossed with a higher one)."""


def data_moment(conn: Connection, *, now: datetime) -> datetime:
    """The moment the stored data reaches: the newest sync watermark, never after ``now``."""
    marks = [c.watermark_ms for c in reads.integration_clocks(conn) if c.watermark_ms]
    if not marks:
        return now
    return min(now, datetime.fromtimestamp(max(marks) / 1000, tz=UTC))


def evaluate(conn: Connection, settings: Settings, *, as_of: datetime) -> Evaluation:
    """Every rule at ``as_of`` (the data's moment: see :func:`data_moment`)."""
    today = as_of.date()
    cycles = reads.cycle_starts(conn)
    budgets = store.list_budgets(conn)
    starts = [today - timedelta(days=7 * WEEKS + 7)]
    for b in budgets:
        starts.append(_bounds(b, today, cycles)[0])
    data = read_inputs(conn, start=min(starts), end=today)
    public = settings.effective_public_url
    alerts: list[store.NewAlert] = []
    quiet: set[str] = set()
    statuses = []
    for b in budgets:
        status = _budget_status(conn, data, b, as_of=as_of, cycles=cycles)
        statuses.append(status)
        alerts.extend(_budget_alerts(status, public=public, quiet=quiet))
    limits = _limits(conn, data, as_of=as_of)
    alerts.extend(_limit_alerts(limits, public=public))
    min_ucents = to_micros(Decimal(settings.alert_anomaly_min_dollars) * 100)
    alerts.extend(anomaly_alerts(conn, data, today=today, min_ucents=min_ucents, public=public))
    alerts.extend(pattern_alerts(conn, data, today=today, min_ucents=min_ucents, public=public))
    return Evaluation(as_of=as_of, budgets=statuses, limits=limits,
                      forecasts=_scope_forecasts(data, as_of=as_of, cycles=cycles),
                      alerts=alerts, quiet_keys=quiet)  # fmt: skip


def _bounds(
    b: store.BudgetRecord, today: date, cycles: Mapping[int, datetime]
) -> tuple[date, date]:
    if b.period == "month":
        return month_bounds(today)
    if b.scope_kind == "integration" and b.scope_value is not None:
        return cycle_bounds(today, cycles.get(int(b.scope_value)))
    return cycle_bounds(today, min(cycles.values()) if cycles else None)


def _budget_status(
    conn: Connection, data: Inputs, b: store.BudgetRecord, *, as_of: datetime,
    cycles: Mapping[int, datetime],
) -> BudgetStatus:  # fmt: skip
    iid = int(b.scope_value) if b.scope_kind == "integration" and b.scope_value else None
    return budget_status(
        conn, b, series=scope_series(data, b.figure, b.scope_kind, b.scope_value), as_of=as_of,
        cycles=cycles, known=data.known_day(iid),
        emails=scope_emails(data, b.scope_kind, b.scope_value),
    )  # fmt: skip


def budget_status(
    conn: Connection, b: store.BudgetRecord, *, series: Series, as_of: datetime,
    cycles: Mapping[int, datetime], known: Callable[[date], bool] | None,
    emails: set[str] | None,
) -> BudgetStatus:  # fmt: skip
    """A budget's spent-so-far, forecast and thresholds from the daily series of its figure
    (``emails``: the people of a team/cost-center/person scope, for the seats of cost)."""
    start, end = _bounds(b, as_of.date(), cycles)
    iid = int(b.scope_value) if b.scope_kind == "integration" and b.scope_value else None
    fc = forecast_period(series, start=start, end=end, as_of=as_of, known=known)
    amount = from_micros(b.amount_ucents)
    spent, projected = fc.actual_cents, fc.forecast_cents
    note = None
    if b.figure == "cost":
        # cost = seats + on-demand: seats held so far, and over the whole period if the
        # current seats stay (reports.seats prorates them by day, like Cursor's invoice)
        so_far = seat_summary(conn, start=start, end=min(as_of.date(), end),
                              integration_id=iid, emails=emails)  # fmt: skip
        whole = seat_summary(conn, start=start, end=end, integration_id=iid, emails=emails)
        spent = cost_cents(seat_cents=so_far.seat_cents, on_demand_cents=spent)
        projected = cost_cents(seat_cents=whole.seat_cents, on_demand_cents=projected)
        note = None if so_far.price_set else f"{SEAT_PRICE_NOT_SET}: cost is on-demand alone"
    percent = (spent * 100 / amount).quantize(Decimal("0.1")) if amount else Decimal(0)
    crossed = tuple(t for t in b.thresholds if spent * 100 >= amount * t)
    return BudgetStatus(
        budget=b, start=start, end=end, spent_cents=spent, forecast_cents=projected,
        amount_cents=amount, percent=percent, crossed=crossed,
        forecast_exceeds=b.forecast_alert and projected > amount and spent < amount, note=note,
    )  # fmt: skip


def _budget_alerts(status: BudgetStatus, *, public: str, quiet: set[str]) -> list[store.NewAlert]:
    b = status.budget
    scope = scope_label(b.scope_kind, b.scope_value)
    period = f"{status.start}..{status.end}"
    words = FIGURE_WORDS[b.figure]
    link = f"{public}/budgets"
    person = b.scope_value if b.scope_kind == "person" else None
    team = b.scope_value if b.scope_kind == "team" else None
    out = []
    for t in status.crossed:
        threshold = status.amount_cents * t / 100
        text = (f"Budget “{b.name}” ({scope}, {words}, {b.period} {period}): "
                f"{dollars(status.spent_cents)} spent, {status.percent} % of "
                f"{dollars(status.amount_cents)} — crossed {t} %.")  # fmt: skip
        key = f"budget:{b.id}:{t}:{status.start}"
        if t != max(status.crossed):
            quiet.add(key)
        out.append(store.NewAlert(
            dedupe_key=key, rule=f"budget:{b.id}", kind="budget_threshold", scope=scope,
            figure=b.figure, amount_ucents=to_micros(status.spent_cents),
            threshold_ucents=to_micros(threshold), period=period, person=person, team=team,
            driver=None, message=text, link=link,
            payload=fields(rule=f"budget:{b.id}", kind="budget_threshold", scope=scope,
                            figure=b.figure, budget=b.name, amount_cents=status.spent_cents,
                            threshold_cents=threshold.quantize(Decimal("0.000001")),
                            threshold_percent=t, budget_cents=status.amount_cents,
                            period=period, person=person, team=team, driver=None, link=link,
                            text=text),
        ))  # fmt: skip
    if status.forecast_exceeds:
        cycle = "cycle end" if b.period == "cycle" else "month end"
        text = (f"Budget “{b.name}” ({scope}, {words}): forecast "
                f"{dollars(status.forecast_cents)} at {cycle} (budget "
                f"{dollars(status.amount_cents)}); {dollars(status.spent_cents)} spent so far.")
        out.append(store.NewAlert(
            dedupe_key=f"budget:{b.id}:forecast:{status.start}", rule=f"budget:{b.id}",
            kind="budget_forecast", scope=scope, figure=b.figure,
            amount_ucents=to_micros(status.forecast_cents),
            threshold_ucents=to_micros(status.amount_cents), period=period, person=person,
            team=team, driver=None, message=text, link=link,
            payload=fields(rule=f"budget:{b.id}", kind="budget_forecast", scope=scope,
                            figure=b.figure, budget=b.name, amount_cents=status.forecast_cents,
                            spent_cents=status.spent_cents,
                            threshold_cents=status.amount_cents, period=period, person=person,
                            team=team, driver=None, link=link, text=text),
        ))  # fmt: skip
    return out


def _limits(conn: Connection, data: Inputs, *, as_of: datetime) -> list[LimitForecast]:
    today = as_of.date()
    since = today - timedelta(days=LOOKBACK_DAYS)
    bounds: dict[datetime, tuple[date, date]] = {}
    out = []
    for g in reads.spend_gauges(conn):
        if not g.limit_dollars or g.limit_dollars <= 0:
            continue
        if g.cycle_start not in bounds:
            bounds[g.cycle_start] = cycle_bounds(today, g.cycle_start)
        start, end = bounds[g.cycle_start]
        if g.cycle_start.date() != start:
            continue  # the snapshot belongs to an earlier cycle: its gauge is stale
        mine = data.by_person.get((g.email, g.integration_id), [])
        limit = g.limit_dollars * 100 * 1_000_000
        recent = sum(r.chargeable_ucents for r in mine if since <= r.day < today)
        # no weekday rate can exceed (Σ recent + its mean) / 5, so when even that pace
        # cannot reach the limit by the cycle's end, skip the per-weekday projection
        ceiling = recent * (1 + 1 / LOOKBACK_DAYS) / 5 * ((end - today).days + 1)
        reach = today if g.spend_ucents >= limit else None
        if reach is None and g.spend_ucents + ceiling >= limit:
            rates = weekday_rates({r.day: r.chargeable_ucents for r in mine}, today=today)
            reach = reach_day(rates, spent=g.spend_ucents, limit=limit, as_of=as_of, until=end)
        out.append(LimitForecast(
            integration_id=g.integration_id, email=g.email, name=data.names.get(g.email),
            spent_cents=from_micros(g.spend_ucents), limit_dollars=g.limit_dollars,
            cycle_start=start, cycle_end=end, reach_day=reach,
        ))  # fmt: skip
    return out


def _limit_alerts(limits: list[LimitForecast], *, public: str) -> list[store.NewAlert]:
    out = []
    for f in limits:
        if f.reach_day is None:
            continue
        who = f.name or f.email
        limit = f"${f.limit_dollars:,}"
        if f.spent_cents >= f.limit_dollars * 100:
            text = (f"{who} has reached the {limit} Cursor limit "
                    f"({dollars(f.spent_cents)} on-demand this cycle).")  # fmt: skip
        else:
            text = (f"{who}: at this pace reaches the {limit} limit on {f.reach_day} "
                    f"({dollars(f.spent_cents)} on-demand so far this cycle, which ends "
                    f"{f.cycle_end}).")  # fmt: skip
        link = f"{public}/people/{f.email}"
        scope = f"person:{f.email}"
        period = f"{f.cycle_start}..{f.cycle_end}"
        out.append(store.NewAlert(
            dedupe_key=f"limit:{f.integration_id}:{f.email}:{f.cycle_start}", rule="limit",
            kind="limit_forecast", scope=scope, figure="on_demand",
            amount_ucents=to_micros(f.spent_cents), threshold_ucents=f.limit_dollars * 10**8,
            period=period, person=f.email, team=None, driver=f"reaches the limit on "
            f"{f.reach_day}", message=text, link=link,
            payload=fields(rule="limit", kind="limit_forecast", scope=scope,
                            figure="on_demand", amount_cents=f.spent_cents,
                            threshold_cents=Decimal(f.limit_dollars * 100),
                            limit_dollars=f.limit_dollars, reach_day=f.reach_day,
                            period=period, person=f.email, team=None,
                            driver=f"reaches the limit on {f.reach_day}", link=link, text=text),
        ))  # fmt: skip
    return out


def _scope_forecasts(
    data: Inputs, *, as_of: datetime, cycles: Mapping[int, datetime]
) -> list[ScopeForecast]:
    today = as_of.date()
    out = []
    scopes: list[tuple[str, str | None, int | None]] = [("all", None, None)]
    scopes += [("integration", str(i), i) for i in sorted(cycles)]
    scopes += [("team", t, None) for t in sorted({a[0] for a in data.allocation.values() if a[0]})]
    scopes += [("cost_center", c, None)
               for c in sorted({a[1] for a in data.allocation.values() if a[1]})]  # fmt: skip
    for kind, value, iid in scopes:
        anchor = cycles.get(iid) if iid is not None else (min(cycles.values()) if cycles else None)
        start, end = cycle_bounds(today, anchor)
        series = scope_series(data, "on_demand", kind, value)
        fc: Forecast = forecast_period(series, start=start, end=end, as_of=as_of,
                                       known=data.known_day(iid))  # fmt: skip
        out.append(ScopeForecast(scope=scope_label(kind, value), start=start, end=end,
                                 actual_cents=fc.actual_cents,
                                 forecast_cents=fc.forecast_cents))  # fmt: skip
    return out
