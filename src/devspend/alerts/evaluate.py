"""Evaluate every rule over one read of the summaries: budgets, forecasts, limits, anomalies.

:func:`evaluate` reads (never writes) and returns what the rules found as candidate
alerts with stable ``dedupe_key``s; :mod:`devspend.alerts.check` records and sends
them. The Budgets and Alerts pages call it too, to show spent-so-far and forecasts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.engine import Connection

from devspend.alerts.anomalies import WEEKS, Slice, detect, driver_words
from devspend.alerts.budgets import cycle_bounds, month_bounds, scope_label
from devspend.alerts.forecast import Forecast, forecast_period, reach_day, weekday_rates
from devspend.money import format_dollars, from_micros, to_micros
from devspend.reports.seats import SEAT_PRICE_NOT_SET, cost_cents, seat_summary
from devspend.settings import Settings
from devspend.store import alert_reads as reads
from devspend.store import alerts as store

FIGURE_WORDS = {"cost": "cost", "on_demand": "on-demand spend", "usage_value": "usage value"}
_PATTERN_LOOKBACK = 28


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


Series = dict[date, int]


@dataclass
class _Data:
    """The check's one read, indexed: per-person series by figure, and who is who."""

    rows: list[reads.PersonDay]
    names: dict[str, str | None]
    first_day: dict[str, date]
    allocation: dict[str, tuple[str | None, str | None]]
    known: dict[int, set[date]]

    def __post_init__(self) -> None:
        self.by_person: dict[tuple[str, int], list[reads.PersonDay]] = defaultdict(list)
        for r in self.rows:
            self.by_person[(r.email, r.integration_id)].append(r)

    def series(
        self, figure: str, *, emails: set[str] | None = None, integration_id: int | None = None
    ) -> Series:
        """Σ of a figure per day over the people (and integration) of a scope."""
        out: Series = defaultdict(int)
        usage = figure == "usage_value"
        for (email, iid), days in self.by_person.items():
            if (emails is not None and email not in emails) or (
                integration_id is not None and iid != integration_id
            ):
                continue
            for r in days:
                out[r.day] += r.charged_ucents if usage else r.chargeable_ucents
        return out

    def known_day(self, integration_id: int | None) -> Callable[[date], bool]:
        if integration_id is not None:
            days = self.known.get(integration_id, set())
        else:
            days = set().union(*self.known.values()) if self.known else set()
        return days.__contains__

    def team_of(self, email: str) -> str | None:
        return self.allocation.get(email, (None, None))[0]


def _scope_emails(data: _Data, kind: str, value: str | None) -> set[str] | None:
    """The people a person/team/cost-center scope covers (None: not narrowed by person)."""
    if kind == "person" and value is not None:
        return {value.lower()}
    if kind in ("team", "cost_center") and value is not None:
        slot = 0 if kind == "team" else 1
        name = value.casefold()
        return {e for e, a in data.allocation.items() if (a[slot] or "").casefold() == name}
    return None


def _scope_series(data: _Data, figure: str, kind: str, value: str | None) -> Series:
    if kind == "integration" and value is not None:
        return data.series(figure, integration_id=int(value))
    return data.series(figure, emails=_scope_emails(data, kind, value))


def _dollars(ucents: int | Decimal) -> str:
    cents = from_micros(ucents) if isinstance(ucents, int) else ucents
    return format_dollars(cents)


def _read(conn: Connection, *, start: date, end: date) -> _Data:
    rows = reads.person_days(conn, start=start, end=end)
    names: dict[str, str | None] = {}
    first: dict[str, date] = {}
    for r in rows:
        if r.name and not names.get(r.email):
            names[r.email] = r.name
        names.setdefault(r.email, None)
        if r.email not in first or r.day < first[r.email]:
            first[r.email] = r.day
    known: dict[int, set[date]] = defaultdict(set)
    for (iid, day), status in reads.coverage_statuses(conn, start=start, end=end).items():
        if status in ("complete", "partial"):
            known[iid].add(day)
    return _Data(rows, names, first, reads.allocation_map(conn), dict(known))


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
    data = _read(conn, start=min(starts), end=today)
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
    alerts.extend(_anomaly_alerts(conn, data, today=today, min_ucents=min_ucents, public=public))
    alerts.extend(_pattern_alerts(conn, data, today=today, min_ucents=min_ucents, public=public))
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
    conn: Connection, data: _Data, b: store.BudgetRecord, *, as_of: datetime,
    cycles: Mapping[int, datetime],
) -> BudgetStatus:  # fmt: skip
    start, end = _bounds(b, as_of.date(), cycles)
    iid = int(b.scope_value) if b.scope_kind == "integration" and b.scope_value else None
    series = _scope_series(data, b.figure, b.scope_kind, b.scope_value)
    fc = forecast_period(series, start=start, end=end, as_of=as_of, known=data.known_day(iid))
    amount = from_micros(b.amount_ucents)
    spent, projected = fc.actual_cents, fc.forecast_cents
    note = None
    if b.figure == "cost":
        # cost = seats + on-demand: seats held so far, and over the whole period if the
        # current seats stay (reports.seats prorates them by day, like Cursor's invoice)
        emails = _scope_emails(data, b.scope_kind, b.scope_value)
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


def money_text(value: Decimal) -> str:
    """Cents as fixed-point text, at most 6 places, no trailing zeros (``"1234.5"``)."""
    text = format(value.quantize(Decimal("0.000001")), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _fields(**values: object) -> dict[str, object]:
    """The structured payload: money as decimal text, days as ISO text."""
    out: dict[str, object] = {}
    for k, v in values.items():
        out[k] = money_text(v) if isinstance(v, Decimal) else str(v) if isinstance(v, date) else v
    return out


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
                f"{_dollars(status.spent_cents)} spent, {status.percent} % of "
                f"{_dollars(status.amount_cents)} — crossed {t} %.")  # fmt: skip
        key = f"budget:{b.id}:{t}:{status.start}"
        if t != max(status.crossed):
            quiet.add(key)
        out.append(store.NewAlert(
            dedupe_key=key, rule=f"budget:{b.id}", kind="budget_threshold", scope=scope,
            figure=b.figure, amount_ucents=to_micros(status.spent_cents),
            threshold_ucents=to_micros(threshold), period=period, person=person, team=team,
            driver=None, message=text, link=link,
            payload=_fields(rule=f"budget:{b.id}", kind="budget_threshold", scope=scope,
                            figure=b.figure, budget=b.name, amount_cents=status.spent_cents,
                            threshold_cents=threshold.quantize(Decimal("0.000001")),
                            threshold_percent=t, budget_cents=status.amount_cents,
                            period=period, person=person, team=team, driver=None, link=link,
                            text=text),
        ))  # fmt: skip
    if status.forecast_exceeds:
        cycle = "cycle end" if b.period == "cycle" else "month end"
        text = (f"Budget “{b.name}” ({scope}, {words}): forecast "
                f"{_dollars(status.forecast_cents)} at {cycle} (budget "
                f"{_dollars(status.amount_cents)}); {_dollars(status.spent_cents)} spent so far.")
        out.append(store.NewAlert(
            dedupe_key=f"budget:{b.id}:forecast:{status.start}", rule=f"budget:{b.id}",
            kind="budget_forecast", scope=scope, figure=b.figure,
            amount_ucents=to_micros(status.forecast_cents),
            threshold_ucents=to_micros(status.amount_cents), period=period, person=person,
            team=team, driver=None, message=text, link=link,
            payload=_fields(rule=f"budget:{b.id}", kind="budget_forecast", scope=scope,
                            figure=b.figure, budget=b.name, amount_cents=status.forecast_cents,
                            spent_cents=status.spent_cents,
                            threshold_cents=status.amount_cents, period=period, person=person,
                            team=team, driver=None, link=link, text=text),
        ))  # fmt: skip
    return out


def _limits(conn: Connection, data: _Data, *, as_of: datetime) -> list[LimitForecast]:
    today = as_of.date()
    out = []
    for g in reads.spend_gauges(conn):
        if not g.limit_dollars or g.limit_dollars <= 0:
            continue
        start, end = cycle_bounds(today, g.cycle_start)
        if g.cycle_start.date() != start:
            continue  # the snapshot belongs to an earlier cycle: its gauge is stale
        mine = data.by_person.get((g.email, g.integration_id), [])
        rates = weekday_rates({r.day: r.chargeable_ucents for r in mine}, today=today)
        limit = g.limit_dollars * 100 * 1_000_000
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
                    f"({_dollars(f.spent_cents)} on-demand this cycle).")  # fmt: skip
        else:
            text = (f"{who}: at this pace reaches the {limit} limit on {f.reach_day} "
                    f"({_dollars(f.spent_cents)} on-demand so far this cycle, which ends "
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
            payload=_fields(rule="limit", kind="limit_forecast", scope=scope,
                            figure="on_demand", amount_cents=f.spent_cents,
                            threshold_cents=Decimal(f.limit_dollars * 100),
                            limit_dollars=f.limit_dollars, reach_day=f.reach_day,
                            period=period, person=f.email, team=None,
                            driver=f"reaches the limit on {f.reach_day}", link=link, text=text),
        ))  # fmt: skip
    return out


def _by_email(data: _Data) -> dict[str, Series]:
    out: dict[str, Series] = defaultdict(lambda: defaultdict(int))
    for r in data.rows:
        out[r.email][r.day] += r.charged_ucents
    return out


def _anomaly_alerts(
    conn: Connection, data: _Data, *, today: date, min_ucents: int, public: str
) -> list[store.NewAlert]:
    days = [today - timedelta(days=1), today]
    found: list[tuple[str, str, date, int, int, float | None]] = []
    people = _by_email(data)
    for email, series in people.items():
        for day in days:
            a = detect(series, day, min_ucents=min_ucents, first_day=data.first_day.get(email))
            if a is not None:
                found.append(("person", email, day, a.value, a.usual, a.ratio))
    teams: dict[str, Series] = defaultdict(lambda: defaultdict(int))
    for email, series in people.items():
        team = data.team_of(email)
        if team:
            for day, v in series.items():
                teams[team][day] += v
    for team, series in teams.items():
        for day in days:
            a = detect(series, day, min_ucents=min_ucents * 2)
            if a is not None:
                found.append(("team", team, day, a.value, a.usual, a.ratio))
    start = today - timedelta(days=7 * WEEKS + 7)
    model_series: dict[str, Series] = defaultdict(lambda: defaultdict(int))
    for m in reads.model_days(conn, start=start, end=today):
        model_series[m.model][m.day] += m.charged_ucents
    for model, series in model_series.items():
        for day in days:
            a = detect(series, day, min_ucents=min_ucents * 2)
            if a is not None:
                found.append(("model", model, day, a.value, a.usual, a.ratio))
    out = []
    for kind, key, day, value, usual, ratio in found:
        driver = None
        if kind == "person":
            slices = [Slice(s.model, s.max_mode, s.charged_ucents) for s in
                      reads.person_detail(conn, emails=[key], start=day, end=day)]  # fmt: skip
            driver = driver_words(slices)
        who = (data.names.get(key) or key) if kind == "person" else (
            f"Team {key}" if kind == "team" else f"Model {key}")  # fmt: skip
        usual_words = (f"{ratio:.1f}× the usual {day:%A}" if ratio is not None
                       else f"usually {_dollars(0)} on {day:%A}s")  # fmt: skip
        text = f"{who}: {_dollars(value)} on {day}, {usual_words}" + (
            f"; {driver}" if driver else "") + "."  # fmt: skip
        link = (f"{public}/people/{key}" if kind == "person" else
                f"{public}/teams" if kind == "team" else f"{public}/models")  # fmt: skip
        scope = f"{kind}:{key}"
        rule = f"anomaly:{kind}"
        out.append(store.NewAlert(
            dedupe_key=f"{rule}:{key}:{day}", rule=rule, kind="anomaly", scope=scope,
            figure="usage_value", amount_ucents=value, threshold_ucents=usual,
            period=str(day), person=key if kind == "person" else None,
            team=key if kind == "team" else (data.team_of(key) if kind == "person" else None),
            driver=driver, message=text, link=link,
            payload=_fields(rule=rule, kind="anomaly", scope=scope, figure="usage_value",
                            amount_cents=from_micros(value), threshold_cents=from_micros(usual),
                            usual_cents=from_micros(usual),
                            ratio=None if ratio is None else round(ratio, 2), period=day,
                            person=key if kind == "person" else None,
                            team=key if kind == "team" else None, driver=driver, link=link,
                            text=text),
        ))  # fmt: skip
    return out


def _pattern_alerts(
    conn: Connection, data: _Data, *, today: date, min_ucents: int, public: str
) -> list[store.NewAlert]:
    """A person's first heavy use of Max mode, or of an expensive model, in four weeks."""
    day = today
    heavy = {r.email for r in data.rows if r.day == day and r.charged_ucents >= min_ucents}
    if not heavy:
        return []
    before_start = day - timedelta(days=_PATTERN_LOOKBACK)
    today_slices = reads.person_detail(conn, emails=sorted(heavy), start=day, end=day)
    earlier = reads.person_detail(conn, emails=sorted(heavy), start=before_start,
                                  end=day - timedelta(days=1))  # fmt: skip
    expensive = _expensive_models(earlier + today_slices)
    seen_max: dict[str, int] = defaultdict(int)
    seen_model: dict[tuple[str, str], int] = defaultdict(int)
    for s in earlier:
        if s.max_mode:
            seen_max[s.email] += s.charged_ucents
        seen_model[(s.email, s.model)] += s.charged_ucents
    now_max: dict[str, int] = defaultdict(int)
    now_model: dict[tuple[str, str], int] = defaultdict(int)
    for s in today_slices:
        if s.max_mode:
            now_max[s.email] += s.charged_ucents
        now_model[(s.email, s.model)] += s.charged_ucents
    out = []
    for email, value in now_max.items():
        if value >= min_ucents and seen_max[email] * 10 < value:
            out.append(_pattern(data, email=email, what="Max mode", rule="pattern:max_mode",
                                key=f"{email}:{day}", value=value, day=day, public=public))
    for (email, model), value in now_model.items():
        if model in expensive and value >= min_ucents and seen_model[(email, model)] * 10 < value:
            out.append(_pattern(data, email=email, what=model, rule="pattern:expensive_model",
                                key=f"{email}:{model}:{day}", value=value, day=day,
                                public=public))  # fmt: skip
    return out


def _expensive_models(slices: list[reads.DetailSlice]) -> set[str]:
    """Models whose spend per person-day is at least 3× the median model's."""
    per: dict[str, list[int]] = defaultdict(list)
    for s in slices:
        per[s.model].append(s.charged_ucents)
    means = {m: sum(v) / len(v) for m, v in per.items() if v}
    if len(means) < 3:
        return set()
    ordered = sorted(means.values())
    middle = ordered[len(ordered) // 2]
    return {m for m, v in means.items() if v >= 3 * middle}


def _pattern(
    data: _Data, *, email: str, what: str, rule: str, key: str, value: int, day: date, public: str
) -> store.NewAlert:
    who = data.names.get(email) or email
    text = (f"{who}: first heavy use of {what} in {_PATTERN_LOOKBACK} days — "
            f"{_dollars(value)} on {day}.")  # fmt: skip
    driver = f"{_dollars(value)} of {what}"
    link = f"{public}/people/{email}"
    scope = f"person:{email}"
    return store.NewAlert(
        dedupe_key=f"{rule}:{key}", rule=rule, kind="new_pattern", scope=scope,
        figure="usage_value", amount_ucents=value, threshold_ucents=None, period=str(day),
        person=email, team=data.team_of(email), driver=driver, message=text, link=link,
        payload=_fields(rule=rule, kind="new_pattern", scope=scope, figure="usage_value",
                        amount_cents=from_micros(value), threshold_cents=None, period=day,
                        person=email, team=data.team_of(email), driver=driver, link=link,
                        text=text),
    )  # fmt: skip


def _scope_forecasts(
    data: _Data, *, as_of: datetime, cycles: Mapping[int, datetime]
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
        series = _scope_series(data, "on_demand", kind, value)
        fc: Forecast = forecast_period(series, start=start, end=end, as_of=as_of,
                                       known=data.known_day(iid))  # fmt: skip
        out.append(ScopeForecast(scope=scope_label(kind, value), start=start, end=end,
                                 actual_cents=fc.actual_cents,
                                 forecast_cents=fc.forecast_cents))  # fmt: skip
    return out
