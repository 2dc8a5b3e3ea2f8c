"""CLI for cloud costs: ``import focus``, ``export focus``, ``allocations``
(``spend-report`` is the spend view: :mod:`devspend.cli.report`)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console
from rich.table import Table

from devspend.focus.allocations import (
    list_allocations,
    load_allocations_csv,
)
from devspend.focus.exporter import export_focus
from devspend.focus.importer import import_focus
from devspend.focus.owners import reassign_owners
from devspend.reports.seats import seat_charges
from devspend.settings import load_settings
from devspend.store.engine import opened_database

IMPORT_HELP = (
    "Import FOCUS cloud-cost exports (CSV, gzip CSV or Parquet; files or folders): "
    "FOCUS 1.0–1.3 from AWS, Azure, GCP, OCI or any FOCUS-speaking SaaS.\n\n"
    "Each file is all or nothing: if any row cannot be read, every bad row is listed "
    "(file:line: reason) and nothing from that file is stored; files before it stay imported.\n\n"
    "Re-importing an export, or a newer delivery of the same billing period for the same "
    "account, replaces that period for that account (it never doubles); the files of one run "
    "(e.g. the parts of one delivery) add up."
)

ReportFormat = Literal["table", "csv", "json"]


def _parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date like 2025-01-31") from None


def register(app: typer.Typer) -> None:
    """Add ``import``/``export`` groups, ``spend-report`` and ``allocations``."""
    import_app = typer.Typer(help="Import cloud costs.", no_args_is_help=True)
    export_app = typer.Typer(help="Export AI costs.", no_args_is_help=True)
    allocations_app = typer.Typer(help="People → team and cost center.", no_args_is_help=True)

    @import_app.command("focus", help=IMPORT_HELP)
    def import_command(
        paths: Annotated[list[Path], typer.Argument(help="FOCUS files or folders.")],
        account_name: Annotated[
            str | None,
            typer.Option(
                help="Name the account of these files; replacement is then per "
                "(this name, billing period) instead of per BillingAccountId."
            ),
        ] = None,
    ) -> None:
        settings = load_settings()
        console = Console()
        with opened_database(settings.effective_database_url) as engine:
            report = import_focus(engine, paths, settings=settings, account_name=account_name)
        for result in report.files:
            if result.duplicate_of is not None:
                console.print(f"{result.path}: same content as {result.duplicate_of}, skipped")
                continue
            replaced = f", replaced {result.replaced_rows:,}" if result.replaced_rows else ""
            console.print(
                f"{result.path}: {result.rows:,} rows (FOCUS {result.focus_version}, "
                f"{len(result.groups)} account-period(s){replaced})"
            )
        console.print(f"Imported {report.rows:,} rows.")

    @export_app.command("focus")
    def export_command(
        from_: Annotated[str, typer.Option("--from", help="First UTC day (YYYY-MM-DD).")],
        to: Annotated[str, typer.Option("--to", help="Last UTC day, inclusive.")],
        fmt: Annotated[str, typer.Option("--format", help="csv or parquet.")] = "csv",
        output: Annotated[
            Path | None, typer.Option("-o", "--output", help="File (default: stdout, CSV only).")
        ] = None,
    ) -> None:
        """Export Cursor cost as FOCUS 1.2 rows: usage (one per day × user × model × kind ×
        mode; on-demand billed, included billed 0) and seats as Purchase rows per cycle."""
        if fmt not in ("csv", "parquet"):
            raise typer.BadParameter("--format must be csv or parquet")
        if fmt == "parquet" and output is None:
            raise typer.BadParameter("Parquet needs -o FILE")
        settings = load_settings()
        first, last = _parse_day(from_), _parse_day(to)
        with opened_database(settings.effective_database_url) as engine:
            with engine.connect() as conn:
                seats = seat_charges(conn, start=first, end=last)
            rows = export_focus(
                engine, settings=settings, first_day=first, last_day=last,
                fmt="csv" if fmt == "csv" else "parquet", out=output or sys.stdout, seats=seats,
            )  # fmt: skip
        if output is not None:
            Console(stderr=True).print(f"Wrote {rows:,} FOCUS rows to {output}")


    @allocations_app.command("load")
    def allocations_load(
        file: Annotated[Path, typer.Argument(help="CSV with header email,team,cost_center.")],
    ) -> None:
        """Load people → team / cost center from CSV (all rows or none)."""
        settings = load_settings()
        with opened_database(settings.effective_database_url) as engine:
            count = load_allocations_csv(engine, file)
        Console().print(f"Loaded {count:,} allocations from {file}.")

    @allocations_app.command("list")
    def allocations_list() -> None:
        """Show allocations (manual, CSV, and those filled from Cursor billing groups)."""
        settings = load_settings()
        with opened_database(settings.effective_database_url) as engine:
            rows = list_allocations(engine)
        table = Table("email", "team", "cost center", "source")
        for row in rows:
            table.add_row(row.email, row.team or "", row.cost_center or "", row.source)
        Console().print(table)

    @allocations_app.command("reassign-owners")
    def allocations_reassign_owners() -> None:
        """Re-read cloud owners from stored tags after DEVSPEND_OWNER_TAG_KEY changed."""
        settings = load_settings()
        with opened_database(settings.effective_database_url) as engine:
            changed = reassign_owners(engine, owner_tag_key=settings.owner_tag_key)
        Console().print(f"{changed:,} cloud rows now owned per tag {settings.owner_tag_key!r}.")

    app.add_typer(import_app, name="import")
    app.add_typer(export_app, name="export")
    app.add_typer(allocations_app, name="allocations")
