"""``devspend fake-cursor``: serve the fake Cursor Admin API on loopback."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the ``fake-cursor`` command."""
