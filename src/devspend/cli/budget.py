"""``devspend budget add|list|remove``: budgets per month or billing cycle, for a scope."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import typer
from rich.console import Console
from rich.table import Table

from devspend.alerts.budgets import budget_spec
from devspend.alerts.evaluate import data_moment, evaluate
from devspend.alerts.views import status_json, summary_line
from devspend.money import format_dollars, from_micros
from devspend.settings import load_settings
from devspend.store import alerts as store
from devspend.store.engine import opened_database


def _add_command(
    name: str = typer.Option(..., "--name", help="What the budget is called."),
    amount: str = typer.Option(..., "--amount", help="Dollars per period, e.g. 1500."),
    period: str = typer.Option("month", "--period", help="month | cycle (Cursor billing cycle)."),
    team: str = typer.Option(None, "--team", help="Only this team (from the allocations)."),
    cost_center: str = typer.Option(None, "--cost-center", help="Only this cost center."),
    person: str = typer.Option(None, "--person", help="Only this person (email)."),
    integration: int = typer.Option(None, "--integration", help="Only this integration."),
    figure: str = typer.Option("cost", "--figure", help="cost | on_demand | usage_value."),
    thresholds: str = typer.Option(
        "50,80,100", "--thresholds",
        help="Percentages of the amount that alert, comma-separated.",
    ),
    no_forecast: bool = typer.Option(False, "--no-forecast", help="No forecast-to-exceed alert."),
) -> None:
    """Add a budget; `devspend alerts check` then alerts at its thresholds and forecast."""
    try:
        marks = [int(t) for t in thresholds.split(",") if t.strip()]
    except ValueError:
        raise typer.BadParameter("thresholds are whole percentages, e.g. 50,80,100") from None
    spec = budget_spec(name=name, amount=amount, period=period, figure=figure, team=team,
                       cost_center=cost_center, person=person, integration=integration,
                       thresholds=marks, forecast_alert=not no_forecast)  # fmt: skip
    settings = load_settings()
    with opened_database(settings.effective_database_url) as engine, engine.begin() as conn:
        record = store.create_budget(
            conn, name=spec.name, amount_ucents=spec.amount_ucents, period=spec.period,
            scope_kind=spec.scope_kind, scope_value=spec.scope_value, figure=spec.figure,
            thresholds=spec.thresholds, forecast_alert=spec.forecast_alert,
            now=datetime.now(UTC),
        )  # fmt: skip
    Console(highlight=False).print(
        f"Added budget {record.id} “{record.name}”: "
        f"{format_dollars(from_micros(record.amount_ucents))} per {record.period}."
    )


def _list_command(
    output: str = typer.Option("table", "--format", help="table | json"),
) -> None:
    """List budgets with what is spent so far and the period-end forecast."""
    settings = load_settings()
    with opened_database(settings.effective_database_url) as engine, engine.connect() as conn:
        evaluation = evaluate(conn, settings, as_of=data_moment(conn, now=datetime.now(UTC)))
        budgets = store.list_budgets(conn)
    if output == "json":
        print(json.dumps([status_json(s) for s in evaluation.budgets], indent=2))
        return
    if not budgets:
        Console().print("No budgets yet; add one with `devspend budget add`.")
        return
    table = Table(title="Budgets", title_justify="left")
    for header in ("ID", "Name", "Scope", "Figure", "Period", "Amount", "Spent", "Forecast"):
        table.add_column(header)
    for s in evaluation.budgets:
        b = s.budget
        scope = "all" if b.scope_kind == "all" else f"{b.scope_kind} {b.scope_value}"
        table.add_row(
            str(b.id), b.name, scope,
            b.figure, f"{b.period} {s.start}–{s.end}", format_dollars(s.amount_cents),
            f"{format_dollars(s.spent_cents)} ({s.percent} %)",
            ("[red]" if s.forecast_exceeds else "") + summary_line(s),
        )  # fmt: skip
    Console().print(table)
    for s in evaluation.budgets:
        if s.note:
            Console(stderr=True).print(f"[dim]Note: {s.note}.[/]")
            break


def _remove_command(budget: str = typer.Argument(..., help="Budget id or name.")) -> None:
    """Remove a budget (its past alerts stay in the history)."""
    settings = load_settings()
    with opened_database(settings.effective_database_url) as engine, engine.begin() as conn:
        record = store.find_budget(conn, budget)
        store.delete_budget(conn, record.id)
    Console(highlight=False).print(f"Removed budget {record.id} “{record.name}”.")


def register(app: typer.Typer) -> None:
    """Add the ``budget`` command group."""
    budget_app = typer.Typer(help="Budgets that alert before the invoice.", no_args_is_help=True)
    budget_app.command("add")(_add_command)
    budget_app.command("list")(_list_command)
    budget_app.command("remove")(_remove_command)
    app.add_typer(budget_app, name="budget")
