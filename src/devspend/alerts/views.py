"""The alerts' views as plain JSON-ready data: one shape for the CLI's ``--format json``,
the JSON API and the pages (money as exact decimal text of cents, never a float)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from devspend.alerts.check import CheckReport
from devspend.alerts.evaluate import BudgetStatus, Evaluation, LimitForecast, ScopeForecast
from devspend.alerts.inputs import money_text
from devspend.money import format_dollars, from_micros
from devspend.store.alerts import AlertRecord, BudgetRecord, ChannelRecord


def money(value: Decimal | None) -> str | None:
    """Cents as exact decimal text (``"1234.5"``), or None."""
    return None if value is None else money_text(value)


def _iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def budget_json(b: BudgetRecord) -> dict[str, Any]:
    return {
        "id": b.id, "name": b.name, "amount_cents": money(from_micros(b.amount_ucents)),
        "period": b.period, "scope": b.scope_kind, "scope_value": b.scope_value,
        "figure": b.figure, "thresholds": list(b.thresholds), "forecast_alert": b.forecast_alert,
    }  # fmt: skip


def status_json(s: BudgetStatus) -> dict[str, Any]:
    return {
        **budget_json(s.budget), "start": _iso(s.start), "end": _iso(s.end),
        "spent_cents": money(s.spent_cents), "forecast_cents": money(s.forecast_cents),
        "percent": money(s.percent), "crossed": list(s.crossed),
        "forecast_exceeds": s.forecast_exceeds, "at_risk": s.at_risk, "note": s.note,
        "summary": summary_line(s),
    }  # fmt: skip


def summary_line(s: BudgetStatus) -> str:
    """"forecast $X at cycle end (budget $Y)" — the line pages and the CLI show."""
    end = "cycle end" if s.budget.period == "cycle" else "month end"
    return (f"forecast {format_dollars(s.forecast_cents)} at {end} "
            f"(budget {format_dollars(s.amount_cents)})")  # fmt: skip


def limit_json(f: LimitForecast) -> dict[str, Any]:
    return {
        "integration_id": f.integration_id, "email": f.email, "name": f.name,
        "spent_cents": money(f.spent_cents), "limit_dollars": f.limit_dollars,
        "cycle_start": _iso(f.cycle_start), "cycle_end": _iso(f.cycle_end),
        "reach_day": _iso(f.reach_day),
    }  # fmt: skip


def forecast_json(f: ScopeForecast) -> dict[str, Any]:
    return {"scope": f.scope, "start": _iso(f.start), "end": _iso(f.end),
            "actual_cents": money(f.actual_cents), "forecast_cents": money(f.forecast_cents)}


def evaluation_json(e: Evaluation) -> dict[str, Any]:
    return {
        "as_of": _iso(e.as_of),
        "budgets": [status_json(s) for s in e.budgets],
        "forecasts": [forecast_json(f) for f in e.forecasts],
        "limits": [limit_json(f) for f in e.limits if f.reach_day is not None],
    }


def check_json(report: CheckReport) -> dict[str, Any]:
    return {
        **evaluation_json(report.evaluation),
        "alerts": [{**f.alert.payload, "new": f.new, "muted": f.muted} for f in report.found],
        "deliveries": [{"alert_id": d.alert_id, "channel": d.channel, "status": d.status,
                        "error": d.error} for d in report.deliveries],
    }


def channel_json(c: ChannelRecord) -> dict[str, Any]:
    return {"id": c.id, "name": c.name, "hint": c.hint, "created_at": _iso(c.created_at)}


def alert_json(a: AlertRecord) -> dict[str, Any]:
    return {
        "id": a.id, **a.payload, "muted": a.muted, "created_at": _iso(a.created_at),
        "acknowledged_at": _iso(a.acknowledged_at), "acknowledged_by": a.acknowledged_by,
        "deliveries": [{"channel": d.channel, "status": d.status, "attempts": d.attempts,
                        "last_error": d.last_error, "sent_at": _iso(d.sent_at)}
                       for d in a.deliveries],
    }  # fmt: skip
