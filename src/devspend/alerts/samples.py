"""The demo's budgets: one comfortably within its amount, one whose forecast exceeds it.

Amounts come from the demo's own data (each budget's period-end forecast), so the
"at risk" budget is at risk whatever team size or history the demo was asked for.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from sqlalchemy import Engine

from devspend.alerts.evaluate import data_moment, evaluate
from devspend.money import to_micros
from devspend.settings import Settings
from devspend.store import alerts as store

_PROBE = 10**15
"""A placeholder amount (micro-cents) while the forecast the real amount derives from is read."""


def add_demo_budgets(engine: Engine, settings: Settings, *, now: datetime) -> list[str]:
    """Add the two demo budgets unless budgets exist; the names of those added."""
    with engine.connect() as conn:
        if store.list_budgets(conn):
            return []
        forecasts = evaluate(conn, settings, as_of=data_moment(conn, now=now)).forecasts
    teams = [f for f in forecasts if f.scope.startswith("team:") and f.forecast_cents > 0]
    team = max(teams, key=lambda f: f.forecast_cents).scope.partition(":")[2] if teams else None
    plans = [
        ("All AI cost", "all", None, "cost", Decimal("1.4"), ROUND_CEILING),
        (f"{team or 'Everyone'} on-demand", "team" if team else "all", team, "on_demand",
         Decimal("0.85"), ROUND_FLOOR),
    ]  # fmt: skip
    with engine.begin() as conn:
        ids = [store.create_budget(conn, name=name, amount_ucents=_PROBE, period="cycle",
                                   scope_kind=kind, scope_value=value, figure=figure,
                                   thresholds=(50, 80, 100), forecast_alert=True,
                                   now=now).id
               for name, kind, value, figure, _f, _r in plans]  # fmt: skip
    with engine.connect() as conn:
        statuses = {s.budget.id: s for s in
                    evaluate(conn, settings, as_of=data_moment(conn, now=now)).budgets}  # fmt: skip
    with engine.begin() as conn:
        for budget_id, (_n, _k, _v, _fig, factor, rounding) in zip(ids, plans, strict=True):
            dollars = (statuses[budget_id].forecast_cents * factor / 100).quantize(
                Decimal(1), rounding=rounding)  # fmt: skip
            store.set_budget_amount(conn, budget_id,
                                    amount_ucents=to_micros(max(dollars, Decimal(1)) * 100))
    return [p[0] for p in plans]
