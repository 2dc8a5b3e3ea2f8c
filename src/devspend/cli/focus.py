"""CLI for cloud costs: ``import focus``, ``export focus``, ``spend-report``, ``allocations``."""

from __future__ import annotations

import json
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console
from rich.table import Table

from devspend.csv_writer import csv_text
from devspend.focus.allocations import (
    list_allocations,
    load_allocations_csv,
    refresh_billing_group_allocations,
)
from devspend.focus.exporter import export_focus
from devspend.focus.importer import import_focus
from devspend.focus.owners import reassign_owners
from devspend.focus.queries import (
    CostBasis,
    Grain,
    OwnershipReport,
    SpendReport,
    ownership_report,
    spend_report,
)
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


# Module level so ``devspend report spend`` registers this very function (one command,
# two names) instead of a copy. Its docstring is the command's --help: users read it.
def spend_report_command(
    from_: Annotated[
        str | None, typer.Option("--from", help="First day (default: 30 days ago).")
    ] = None,
    to: Annotated[
        str | None, typer.Option("--to", help="Last day, inclusive (default: today).")
    ] = None,
    by: Annotated[str, typer.Option(help="day, week or month.")] = "month",
    cost: Annotated[str, typer.Option(help="billed or effective cloud cost.")] = "billed",
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    owners: Annotated[bool, typer.Option(help="Also show people, teams, unattributed.")] = True,
) -> None:
    """AI (Cursor) and cloud spend side by side, with shares, per person and team.

    The AI side is on-demand: what Cursor bills beyond the plan (Σ chargedCents of
    chargeable events), like the FOCUS export's BilledCost. See /glossary or
    docs/money.md for the money words.
    """
    last = _parse_day(to) if to else date.today()
    first = _parse_day(from_) if from_ else last - timedelta(days=29)
    grain: Grain = "day" if by == "day" else "week" if by == "week" else "month"
    basis: CostBasis = "effective" if cost == "effective" else "billed"
    if by not in ("day", "week", "month") or fmt not in ("table", "csv", "json"):
        raise typer.BadParameter("--by is day|week|month and --format table|csv|json")
    settings = load_settings()
    with opened_database(settings.effective_database_url) as engine:
        refresh_billing_group_allocations(engine)
        report = spend_report(engine, first_day=first, last_day=last, grain=grain, cost=basis)
        owned = ownership_report(engine, first_day=first, last_day=last, cost=basis)
    if fmt == "json":
        typer.echo(json.dumps(_spend_json(report, owned if owners else None), indent=2))
    elif fmt == "csv":
        typer.echo(_spend_csv(report), nl=False)
    else:
        _print_spend(report, owned if owners else None)


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

    app.command("spend-report")(spend_report_command)

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
            refresh_billing_group_allocations(engine)
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


def _money(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('0.01')):,}"


def _percent(share: Decimal) -> str:
    return f"{share * 100:.1f}%"


def _print_spend(report: SpendReport, owned: OwnershipReport | None) -> None:
    console = Console()
    table = Table(
        "period", "source", "provider", "service", "currency", "amount", "share",
        title=f"Spend {report.first_day} – {report.last_day} by {report.grain}",
    )  # fmt: skip
    for line in report.lines:
        table.add_row(
            str(line.period), line.source, line.provider, line.service, line.currency,
            _money(line.amount), _percent(line.share),
        )  # fmt: skip
    console.print(table)
    totals = Table("currency", "AI", "cloud", "total", "AI share", "cloud share", title="Totals")
    for total in report.totals:
        totals.add_row(
            total.currency, _money(total.ai), _money(total.cloud), _money(total.total),
            _percent(total.ai_share), _percent(total.cloud_share),
        )  # fmt: skip
    console.print(totals)
    if owned is None:
        return
    teams = Table("team", "members", "AI", "cloud owned", "total", title="Teams (USD)")
    for team in owned.teams:
        teams.add_row(
            team.team, str(team.members), _money(team.ai), _money(team.cloud), _money(team.total)
        )
    console.print(teams)
    people = Table("person", "team", "AI", "cloud owned", "total", title="People (USD)")
    for person in owned.people:
        people.add_row(
            person.email, person.team or "", _money(person.ai), _money(person.cloud),
            _money(person.total),
        )  # fmt: skip
    console.print(people)
    unattributed = Table("owner tag value", "amount", title="Unattributed cloud spend (USD)")
    for owner, amount in sorted(owned.unattributed.items()):
        unattributed.add_row(owner, _money(amount))
    unattributed.add_row("total", _money(owned.unattributed_total))
    console.print(unattributed)


def _spend_csv(report: SpendReport) -> str:
    return csv_text(
        ["period", "source", "provider", "service", "currency", "amount", "share"],
        ([line.period, line.source, line.provider, line.service, line.currency,
          line.amount, line.share] for line in report.lines),
    )  # fmt: skip


def _spend_json(report: SpendReport, owned: OwnershipReport | None) -> dict[str, object]:
    """Exact amounts as strings, so JSON consumers never see float rounding."""
    result: dict[str, object] = {
        "from": str(report.first_day),
        "to": str(report.last_day),
        "by": report.grain,
        "lines": [
            {"period": str(x.period), "source": x.source, "provider": x.provider,
             "service": x.service, "currency": x.currency, "amount": str(x.amount),
             "share": str(x.share)}
            for x in report.lines
        ],
        "totals": [
            {"currency": t.currency, "ai": str(t.ai), "cloud": str(t.cloud),
             "total": str(t.total), "ai_share": str(t.ai_share),
             "cloud_share": str(t.cloud_share)}
            for t in report.totals
        ],
    }  # fmt: skip
    if owned is not None:
        result["people"] = [
            {"email": p.email, "team": p.team, "cost_center": p.cost_center, "ai": str(p.ai),
             "cloud": str(p.cloud), "total": str(p.total)}
            for p in owned.people
        ]  # fmt: skip
        result["teams"] = [
            {"team": t.team, "members": t.members, "ai": str(t.ai), "cloud": str(t.cloud),
             "total": str(t.total)}
            for t in owned.teams
        ]  # fmt: skip
        result["unattributed"] = {k: str(v) for k, v in sorted(owned.unattributed.items())}
    return result
