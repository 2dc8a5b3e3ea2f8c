"""``devspend connect cursor``, ``devspend sync`` and ``devspend integrations list``.

Thin wrappers over :mod:`devspend.sync.service`: parse options, read the key from
the environment or stdin (never an argument), render progress and results.
"""

from __future__ import annotations

import json
import sys

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import Engine

from devspend.alerts.check import check_quietly
from devspend.cli.cursor import read_api_key, render_check
from devspend.cli.render import SyncProgressBar, json_progress_line
from devspend.errors import SyncLockedError
from devspend.reports.history import integration_history
from devspend.reports.seats import SEAT_PRICE_NOT_SET
from devspend.settings import Settings, load_settings
from devspend.store.engine import opened_database
from devspend.sync.progress import SyncProgress
from devspend.sync.service import (
    STOPPED_STATUSES,
    Integration,
    SyncResult,
    connect_cursor,
    list_integrations,
    run_sync,
    set_seat_price,
)


def _connect_cursor_command(
    team_name: str = typer.Option(None, "--team-name", help="A display name for this team."),
    api_key_stdin: bool = typer.Option(
        False, "--api-key-stdin", help="Read the key from stdin instead of CURSOR_API_KEY."
    ),
    seat_price: int = typer.Option(
        None, "--seat-price", min=0, max=1_000_000,
        help="Whole dollars per seat per billing cycle (cost = seats + on-demand); unset "
        "by default.",
    ),
) -> None:
    """Connect a Cursor team with its Admin API key (validated first, stored encrypted)."""
    console = Console(highlight=False)
    settings = load_settings()
    key = read_api_key(from_stdin=api_key_stdin)
    with opened_database(settings.effective_database_url) as engine:
        result = connect_cursor(engine, settings, api_key=key, team_name=team_name)
        if seat_price is not None:
            set_seat_price(engine, integration_id=result.integration_id, dollars=seat_price)
    if result.warning:
        console.print(f"[yellow]Warning:[/] {result.warning}")
    console.print(f"Connected as integration [bold]{result.integration_id}[/] "
                  f"(key {result.key_hint}).")  # fmt: skip
    render_check(console, result.check)
    console.print(f"Next: [bold]devspend sync --integration {result.integration_id}[/]")


def _print_result(console: Console, result: SyncResult) -> None:
    if result.ok:
        console.print(
            f"Integration {result.integration_id}: synced {result.events:,} events in "
            f"{result.windows} windows ({result.days} days) in {result.seconds:.1f} s."
        )
    else:
        console.print(f"[red]Integration {result.integration_id}: {result.status}[/] — "
                      f"{result.message}")  # fmt: skip
    for note in result.notes:
        console.print(f"  [yellow]•[/] {note}")


def _sync_command(
    integration: int = typer.Option(None, "--integration", help="Sync only this integration."),
    days: int = typer.Option(None, "--days", min=1, max=365, help="Backfill depth (default 365)."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar; errors only."),
    json_progress: bool = typer.Option(
        False, "--json-progress", help="Progress as JSON lines on stdout (for scripts)."
    ),
) -> None:
    """Backfill and then incrementally sync connected Cursor teams."""
    console = Console(highlight=False, stderr=json_progress, quiet=quiet and not json_progress)
    settings = load_settings()
    failed = False
    with opened_database(settings.effective_database_url) as engine:
        with engine.connect() as conn:
            known = list_integrations(conn)
        targets = _targets(known, integration)
        if not targets:
            console.print("No integrations to sync; connect one with `devspend connect cursor`.")
        for target in targets:
            try:
                result = _run_one(engine, settings, target, days=days, quiet=quiet,
                                  json_progress=json_progress, console=console)  # fmt: skip
            except SyncLockedError as exc:
                Console(stderr=True, highlight=False).print(str(exc))
                continue
            if quiet and not result.ok:
                Console(stderr=True, highlight=False).print(
                    f"Integration {result.integration_id}: {result.status} — {result.message}"
                )
            _print_result(console, result)
            failed = failed or not result.ok
        check_quietly(engine, settings)  # alerts after every sync (h9)
    raise typer.Exit(code=1 if failed else 0)


def _targets(known: list[Integration], integration: int | None) -> list[int]:
    if integration is not None:
        return [integration]
    return [i.id for i in known if i.status not in STOPPED_STATUSES]


def _run_one(
    engine: Engine,
    settings: Settings,
    integration_id: int,
    *,
    days: int | None,
    quiet: bool,
    json_progress: bool,
    console: Console,
) -> SyncResult:
    if json_progress:

        def emit(update: SyncProgress) -> None:
            sys.stdout.write(json_progress_line(update) + "\n")
            sys.stdout.flush()

        return run_sync(engine, settings, integration_id=integration_id, days=days, progress=emit)
    if quiet:
        return run_sync(engine, settings, integration_id=integration_id, days=days)
    with SyncProgressBar(console) as bar:
        return run_sync(engine, settings, integration_id=integration_id, days=days, progress=bar)


def _seat_text(dollars: int | None) -> str:
    return SEAT_PRICE_NOT_SET if dollars is None else f"${dollars} per seat per cycle"


def _list_command(
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """List connected teams with status, last sync, seat price and the history held."""
    settings = load_settings()
    with opened_database(settings.effective_database_url) as engine, engine.connect() as conn:
        rows = [(i, integration_history(conn, integration_id=i.id, api_first=i.history_start))
                for i in list_integrations(conn)]  # fmt: skip
    if as_json:
        print(json.dumps([{
            "id": i.id, "name": i.name, "provider": i.provider, "key_hint": i.key_hint,
            "status": i.status, "status_message": i.status_message,
            "last_sync_at": i.last_sync_at.isoformat() if i.last_sync_at else None,
            "history_start": i.history_start.isoformat() if i.history_start else None,
            "held_days": h.held_days,
            "held_first_day": h.held_first.isoformat() if h.held_first else None,
            "held_last_day": h.held_last.isoformat() if h.held_last else None,
            "api_days_not_held": h.not_held_days,
            "seat_price_dollars": i.seat_price_dollars,
            "backfill_days_done": i.backfill_days_done,
            "backfill_days_total": i.backfill_days_total,
        } for i, h in rows], indent=2))  # fmt: skip
        return
    table = Table(title="Integrations", title_justify="left")
    for header in ("ID", "Team", "Key", "Status", "Last sync (UTC)", "History held",
                   "API history", "Seat price"):  # fmt: skip
        table.add_column(header)
    for i, h in rows:
        status = i.status + (f": {i.status_message}" if i.status_message else "")
        if i.status == "backfilling" and i.backfill_days_total:
            status += f" ({i.backfill_days_done}/{i.backfill_days_total} days)"
        table.add_row(
            str(i.id), i.name, i.key_hint, status,
            i.last_sync_at.strftime("%Y-%m-%d %H:%M") if i.last_sync_at else "never",
            h.held_text, h.api_text, _seat_text(i.seat_price_dollars),
        )  # fmt: skip
    Console().print(table)


def _set_command(
    integration: int = typer.Argument(..., help="The integration's id (`integrations list`)."),
    seat_price: int = typer.Option(
        None, "--seat-price", min=0, max=1_000_000,
        help="Whole dollars per seat per billing cycle (cost = seats + on-demand).",
    ),
    clear_seat_price: bool = typer.Option(
        False, "--clear-seat-price", help="Unset the seat price (cost = on-demand alone)."
    ),
) -> None:
    """Change an integration's settings (its seat price)."""
    if seat_price is None and not clear_seat_price:
        raise typer.BadParameter("give --seat-price DOLLARS or --clear-seat-price")
    settings = load_settings()
    dollars = None if clear_seat_price else seat_price
    with opened_database(settings.effective_database_url) as engine:
        set_seat_price(engine, integration_id=integration, dollars=dollars)
    Console(highlight=False).print(f"Integration {integration}: {_seat_text(dollars)}.")


def register(app: typer.Typer) -> None:
    """Add ``connect``, ``sync`` and ``integrations``."""
    connect_app = typer.Typer(help="Connect a data source.", no_args_is_help=True)
    connect_app.command("cursor")(_connect_cursor_command)
    app.add_typer(connect_app, name="connect")
    app.command("sync")(_sync_command)
    integrations_app = typer.Typer(help="Connected teams.", no_args_is_help=True)
    integrations_app.command("list")(_list_command)
    integrations_app.command("set")(_set_command)
    app.add_typer(integrations_app, name="integrations")
