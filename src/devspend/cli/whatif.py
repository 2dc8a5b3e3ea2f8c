"""``devspend whatif``: a period's usage of one model re-priced on another (``reports.whatif``).

``--model`` and ``--as`` name Cursor models as they appear in the reports; ``--max-mode``
limits it to Max-mode events (e.g. "Max mode on claude-4.1-opus"). Without ``--model``,
every model used is re-priced on the cheapest other priced model in use. Prices
genai-prices lacks (Cursor's own models) are shown as unknown, never guessed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from devspend.errors import ConfigError
from devspend.money import format_dollars, from_micros, to_micros
from devspend.reports.whatif import WhatIf, build_suggestions, build_whatif
from devspend.settings import load_settings
from devspend.store.engine import opened_database
from devspend.store.model_prices import (
    ModelPrice,
    delete_model_price,
    model_price_list,
    set_model_price,
)
from devspend.store.outcome import team_emails


class Format(StrEnum):
    table = "table"
    json = "json"


def _day(value: str | None, option: str, default: date) -> date:
    if value is None:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{option} must be a date like 2026-01-31, not {value!r}") from None


def _money(cents: Decimal | None) -> str:
    return "unknown" if cents is None else format_dollars(cents)


def _table(rows: list[WhatIf], title: str) -> Table:
    table = Table(title=title)
    for header in ("Model", "As", "Token events", "Actual", "Re-priced", "Saving", "Markup"):
        table.add_column(header, justify="left" if header in ("Model", "As") else "right")
    for r in rows:
        markup = "unknown" if r.to_markup is None else f"{r.to_markup}× ({r.markup_source})"
        table.add_row(r.from_model + (" (Max)" if r.max_mode else ""), r.to_model,
                      f"{r.token_events:,}", _money(r.actual_cents), _money(r.repriced_cents),
                      _money(r.saving_cents), markup)  # fmt: skip
    return table


def _price(value: str | None, option: str) -> int:
    """$ per 1M tokens as text → micro-cents per 1M tokens (exact)."""
    if value is None:
        return 0
    try:
        dollars = Decimal(value)
    except ArithmeticError:
        raise ConfigError(f"{option} must be dollars per 1M tokens, like 1.25") from None
    if dollars < 0 or not dollars.is_finite():
        raise ConfigError(f"{option} must be dollars per 1M tokens, like 1.25")
    return to_micros(dollars * 100)


def _register_prices(app: typer.Typer) -> None:
    prices_app = typer.Typer(help="List prices for models genai-prices lacks (what-if).",
                             no_args_is_help=True)  # fmt: skip

    @prices_app.command("set")
    def set_command(
        model: Annotated[str, typer.Argument(help="The model as Cursor names it.")],
        input_: Annotated[str, typer.Option("--input", help="$ per 1M input tokens.")],
        output: Annotated[str, typer.Option("--output", help="$ per 1M output tokens.")],
        cache_write: Annotated[str | None, typer.Option(help="$ per 1M (default: input).")] = None,
        cache_read: Annotated[str | None, typer.Option(help="$ per 1M (default 0).")] = None,
    ) -> None:  # fmt: skip
        """Add or replace a model's list price (used before genai-prices' own)."""
        price = ModelPrice(model, _price(input_, "--input"), _price(output, "--output"),
                           _price(cache_write or input_, "--cache-write"),
                           _price(cache_read, "--cache-read"))  # fmt: skip
        settings = load_settings()
        with opened_database(settings.effective_database_url) as engine, engine.begin() as conn:
            set_model_price(conn, price)
        Console().print(f"Price of {model} set.")

    @prices_app.command("list")
    def list_command() -> None:
        """The prices admins added ($ per 1M tokens)."""
        settings = load_settings()
        with opened_database(settings.effective_database_url) as engine, engine.connect() as conn:
            found = model_price_list(conn)
        table = Table(title="Added model prices ($ per 1M tokens)")
        for header in ("Model", "Input", "Output", "Cache write", "Cache read"):
            table.add_column(header)
        for p in found:
            table.add_row(p.model, *(str(from_micros(getattr(p, k)) / 100)
                                     for k in ("input", "output", "cache_write", "cache_read")))
        Console().print(table)

    @prices_app.command("remove")
    def remove_command(model: Annotated[str, typer.Argument(help="The model.")]) -> None:
        """Remove an added price (genai-prices' own, if any, applies again)."""
        settings = load_settings()
        with opened_database(settings.effective_database_url) as engine, engine.begin() as conn:
            if not delete_model_price(conn, model=model):
                raise ConfigError(f"No price was added for {model}.")
        Console().print(f"Price of {model} removed.")

    app.add_typer(prices_app, name="prices")


def register(app: typer.Typer) -> None:
    """Add the ``whatif`` command and the ``prices`` group."""
    _register_prices(app)

    @app.command("whatif")
    def whatif_command(
        from_: Annotated[str | None, typer.Option("--from", help="First UTC day (YYYY-MM-DD); "
                                                  "default 30 days before --to.")] = None,
        to: Annotated[str | None, typer.Option("--to", help="Last UTC day (default: today).")]
        = None,
        model: Annotated[str | None, typer.Option("--model", help="The model to re-price "
                                                  "(default: every model used).")] = None,
        as_: Annotated[str | None, typer.Option("--as", help="The model to price it as.")] = None,
        max_mode: Annotated[bool, typer.Option("--max-mode", help="Only Max-mode events.")] = False,
        team: Annotated[str | None, typer.Option("--team", help="Only this team's people.")] = None,
        integration: Annotated[int | None, typer.Option("--integration")] = None,
        output: Annotated[Format, typer.Option("--format", help="table or json.")] = Format.table,
    ) -> None:  # fmt: skip
        """What the period's usage of a model would have cost on another model."""
        if (model is None) != (as_ is None):
            raise ConfigError("Give both --model and --as, or neither (to see every model).")
        end = _day(to, "--to", datetime.now(UTC).date())
        start = _day(from_, "--from", end - timedelta(days=29))
        if start > end:
            raise ConfigError("--from must not be after --to.")
        settings = load_settings()
        with opened_database(settings.effective_database_url) as engine, engine.connect() as conn:
            emails = None if team is None else team_emails(conn, team=team)
            if model is not None and as_ is not None:
                view = build_whatif(conn, start=start, end=end, from_model=model, to_model=as_,
                                    max_mode=True if max_mode else None,
                                    integration_id=integration, emails=emails)  # fmt: skip
                rows, unknown, dumped = [view.result], [], view.model_dump_json(indent=2)
            else:
                many = build_suggestions(conn, start=start, end=end, integration_id=integration,
                                         emails=emails)  # fmt: skip
                rows, unknown = many.rows, many.unknown_models
                dumped = many.model_dump_json(indent=2)
        if output is Format.json:
            typer.echo(dumped)
            return
        console = Console()
        title = f"What if, {start.isoformat()} – {end.isoformat()} (UTC days)"
        if team:
            title += f", team {team}"
        console.print(_table(rows, title))
        if unknown:
            console.print(f"No list price for: {', '.join(unknown)} (not re-priced).")
        for caveat in rows[0].caveats if rows else []:
            console.print(f"• {caveat}", highlight=False)
