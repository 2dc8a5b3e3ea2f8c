"""``devspend alerts check|list``: evaluate every rule now, send what is new, show history."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import typer
from rich.console import Console

from devspend.alerts.check import CheckReport, run_check
from devspend.alerts.views import alert_json, check_json, summary_line
from devspend.money import format_dollars
from devspend.settings import load_settings
from devspend.store import alerts as store
from devspend.store.engine import opened_database


def _as_of(text: str | None) -> datetime | None:
    if text is None:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _check_command(
    output: str = typer.Option("table", "--format", help="table | json"),
    now: str = typer.Option(None, "--now", help="Check as of this UTC moment (ISO); for replays."),
) -> None:
    """Evaluate budgets, forecasts, Cursor limits and anomalies; send new alerts; exit 0."""
    settings = load_settings()
    with opened_database(settings.effective_database_url) as engine:
        report = run_check(engine, settings, now=_as_of(now))
    if output == "json":
        print(json.dumps(check_json(report), indent=2))
        return
    _render(Console(highlight=False), report)


def _render(console: Console, report: CheckReport) -> None:
    e = report.evaluation
    console.print(f"[bold]Alerts check[/] as of {e.as_of:%Y-%m-%d %H:%M} UTC")
    for s in e.budgets:
        mark = "[red]at risk[/]" if s.at_risk else "ok"
        console.print(f"  Budget “{s.budget.name}”: {format_dollars(s.spent_cents)} spent "
                      f"({s.percent} %), {summary_line(s)} — {mark}")  # fmt: skip
    for lim in e.limits:
        if lim.reach_day is not None:
            console.print(f"  {lim.name or lim.email}: reaches the ${lim.limit_dollars:,} "
                          f"limit on {lim.reach_day}")  # fmt: skip
    new = report.new
    console.print(f"{len(report.found)} alert(s) found, {len(new)} new:")
    for f in report.found:
        tag = "new" if f.new else "seen"
        muted = " (muted)" if f.muted else ""
        console.print(f"  [{tag}]{muted} {f.alert.message}")
    for d in report.deliveries:
        if d.error is None:
            console.print(f"  sent alert {d.alert_id} to “{d.channel}”")
        else:
            console.print(f"  [red]alert {d.alert_id} to “{d.channel}”: {d.status}[/] — {d.error}")


def _list_command(
    output: str = typer.Option("table", "--format", help="table | json"),
    limit: int = typer.Option(50, "--limit", min=1, max=1000),
) -> None:
    """Recent alerts, newest first, with their deliveries."""
    settings = load_settings()
    with opened_database(settings.effective_database_url) as engine, engine.connect() as conn:
        records = store.list_alerts(conn, limit=limit)
    if output == "json":
        print(json.dumps([alert_json(a) for a in records], indent=2))
        return
    console = Console(highlight=False)
    if not records:
        console.print("No alerts yet.")
    for a in records:
        sends = ", ".join(f"{d.channel}: {d.status}" for d in a.deliveries) or "not sent"
        console.print(f"{a.id:>5} {a.created_at:%Y-%m-%d %H:%M}  {a.message}  [{sends}]")


def register(app: typer.Typer) -> None:
    """Add the ``alerts`` command group."""
    alerts_app = typer.Typer(help="Budget, forecast and anomaly alerts.", no_args_is_help=True)
    alerts_app.command("check")(_check_command)
    alerts_app.command("list")(_list_command)
    app.add_typer(alerts_app, name="alerts")
