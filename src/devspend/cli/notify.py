"""``devspend notify add|list|remove|test``: where alerts go (Apprise URLs, stored encrypted)."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime

import typer
from rich.console import Console
from rich.table import Table

from devspend.alerts.channels import add_channel, test_channel
from devspend.alerts.views import channel_json
from devspend.settings import load_settings
from devspend.store import alerts as store
from devspend.store.engine import opened_database


def _add_command(
    url: str = typer.Argument(None, help="An Apprise URL (or '-' to read it from stdin)."),
    name: str = typer.Option(None, "--name", help="A name for the channel."),
) -> None:
    """Add a channel: json://host/path, mailto://…, slack://…, msteams://…, ntfy://… ."""
    if url is None or url == "-":
        url = sys.stdin.readline().strip()
    settings = load_settings()
    with opened_database(settings.effective_database_url) as engine:
        record = add_channel(engine, settings, url=url, name=name, now=datetime.now(UTC))
    Console(highlight=False).print(
        f"Added channel {record.id} “{record.name}” ({record.hint}); the URL is stored "
        "encrypted. Try it: devspend notify test " + str(record.id)
    )


def _list_command(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List channels (their URLs are never shown: only the service and host)."""
    settings = load_settings()
    with opened_database(settings.effective_database_url) as engine, engine.connect() as conn:
        channels = store.list_channels(conn)
    if as_json:
        print(json.dumps([channel_json(c) for c in channels], indent=2))
        return
    if not channels:
        Console().print("No channels; add one with `devspend notify add URL`.")
        return
    table = Table(title="Channels", title_justify="left")
    for header in ("ID", "Name", "Service", "Added (UTC)"):
        table.add_column(header)
    for c in channels:
        table.add_row(str(c.id), c.name, c.hint, c.created_at.strftime("%Y-%m-%d %H:%M"))
    Console().print(table)


def _remove_command(channel: str = typer.Argument(..., help="Channel id or name.")) -> None:
    """Remove a channel."""
    settings = load_settings()
    with opened_database(settings.effective_database_url) as engine, engine.begin() as conn:
        record = store.find_channel(conn, channel)
        store.delete_channel(conn, record.id)
    Console(highlight=False).print(f"Removed channel {record.id} “{record.name}”.")


def _test_command(channel: str = typer.Argument(..., help="Channel id or name.")) -> None:
    """Send a test message to a channel; exit status 1 when it did not arrive."""
    settings = load_settings()
    with opened_database(settings.effective_database_url) as engine:
        with engine.connect() as conn:
            record = store.find_channel(conn, channel)
        error = test_channel(engine, settings, channel_id=record.id)
    console = Console(highlight=False)
    if error is None:
        console.print(f"Sent a test message to “{record.name}”.")
        return
    console.print(f"[red]Could not reach “{record.name}”:[/] {error}")
    raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    """Add the ``notify`` command group."""
    notify_app = typer.Typer(help="Alert channels (Apprise URLs).", no_args_is_help=True)
    notify_app.command("add")(_add_command)
    notify_app.command("list")(_list_command)
    notify_app.command("remove")(_remove_command)
    notify_app.command("test")(_test_command)
    app.add_typer(notify_app, name="notify")
