"""``devspend cursor check``: what a Cursor Admin API key can read, in plain words.

The key comes from ``CURSOR_API_KEY`` or, with ``--api-key-stdin``, from standard
input — never from an argument, where shell history and ``ps`` would keep it.
"""

from __future__ import annotations

import getpass
import os
import sys
import time

import typer
from rich.console import Console

from devspend.cursor.check import KeyCheck, check_key, key_prefix_warning
from devspend.cursor.client import CursorClient, RetryPolicy
from devspend.errors import ConfigError
from devspend.settings import load_settings

KEY_ENV = "CURSOR_API_KEY"
# A check is interactive: give up on an unreachable Cursor in seconds, not minutes.
CHECK_RETRY = RetryPolicy(max_attempts=3, max_rate_limited_attempts=6, cap_seconds=4.0)


def read_api_key(*, from_stdin: bool) -> str:
    """The key from stdin (first line) or the environment; a clear error when missing."""
    if from_stdin:
        # Typed at a terminal: do not echo it. Piped in: read the first line.
        raw = getpass.getpass("Cursor API key: ") if sys.stdin.isatty() else sys.stdin.readline()
    else:
        raw = os.environ.get(KEY_ENV, "")
    key = raw.strip()
    if not key:
        where = "standard input" if from_stdin else f"the {KEY_ENV} environment variable"
        raise ConfigError(
            f"No Cursor API key found in {where}. Set {KEY_ENV}, or pipe the key into "
            "'devspend cursor check --api-key-stdin'."
        )
    return key


def render_check(console: Console, result: KeyCheck) -> None:
    """Print a key check as a short checklist followed by its problems."""
    for label, ok in result.readable.items():
        mark = "[green]✓ readable[/]" if ok else "[red]✗ not readable[/]"
        console.print(f"  {label:<15} {mark}")
    if result.history_start is not None:
        console.print(f"Usage events go back to {result.history_start.isoformat()} (UTC).")
    elif result.can_read_events:
        console.print("No usage events found in the last year.")
    for problem in result.problems:
        console.print(f"[yellow]•[/] {problem}", highlight=False)
    if result.can_read_events:
        console.print("[bold green]This key can be used by devspend.[/]")
    else:
        console.print("[bold red]devspend cannot read usage events with this key.[/]")


def register(app: typer.Typer) -> None:
    """Add the ``cursor`` command group."""
    cursor_app = typer.Typer(help="Talk to Cursor's Admin API.", no_args_is_help=True)

    @cursor_app.command("check")
    def check_command(
        api_key_stdin: bool = typer.Option(
            False, "--api-key-stdin", help=f"Read the key from stdin instead of {KEY_ENV}."
        ),
    ) -> None:
        """Show what an Admin API key can read; exit 0 only if it can read usage events."""
        console = Console(highlight=False)
        settings = load_settings()
        key = read_api_key(from_stdin=api_key_stdin)
        warning = key_prefix_warning(key)
        if warning:
            console.print(f"[yellow]Warning:[/] {warning}")
        console.print(f"Checking the key against {settings.cursor_base_url} …")
        with CursorClient.from_settings(settings, api_key=key, retry=CHECK_RETRY) as client:
            result = check_key(client, now_ms=int(time.time() * 1000))
        render_check(console, result)
        raise typer.Exit(code=0 if result.can_read_events else 1)

    app.add_typer(cursor_app, name="cursor")
