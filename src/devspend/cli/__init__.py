"""The ``devspend`` command: a thin Typer app whose command groups live one per module.

Each module exposes ``register(app)``; commands parse arguments, call into
``sync``/``store``/``focus``/``web`` and render results with :mod:`devspend.cli.render`.
Any :class:`~devspend.errors.DevspendError` becomes a plain message and exit status 1.
"""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.markup import escape

from devspend.cli import (
    alerts,
    budget,
    cursor,
    db,
    fake,
    focus,
    notify,
    reconcile,
    report,
    sync,
    web,
    whatif,
)
from devspend.errors import DevspendError


def build_app() -> typer.Typer:
    app = typer.Typer(
        name="devspend",
        help="See where your team's Cursor AI spend goes, next to your cloud bill.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )
    for module in (cursor, fake, db, sync, report, reconcile, web, focus, budget, notify,
                   alerts, whatif):  # fmt: skip
        module.register(app)
    return app


def main() -> None:
    """Console-script entry point."""
    app = build_app()
    try:
        app()
    except DevspendError as exc:
        console = Console(stderr=True, soft_wrap=True, highlight=False)
        console.print(f"[bold red]Error:[/] {escape(str(exc))}")  # one line, however long
        sys.exit(1)
