"""``devspend db upgrade``: run migrations explicitly (they also run on every start)."""

from __future__ import annotations

import typer
from rich.console import Console

from devspend.settings import load_settings
from devspend.store.engine import opened_database


def register(app: typer.Typer) -> None:
    """Add the ``db`` command group."""
    db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)

    @db_app.command("upgrade")
    def upgrade_command() -> None:
        """Bring the database schema up to date."""
        settings = load_settings()
        with opened_database(settings.effective_database_url):
            pass
        Console().print("Database is up to date.")

    app.add_typer(db_app, name="db")
