"""``devspend report users|models|daily|kinds|spend|coverage``: stored usage, in the terminal.

Periods are UTC days with ``--to`` inclusive; without ``--from``/``--to`` the report
covers every stored day. ``--format json`` prints an array of snake_case objects
with money as exact decimal cents (what scripts should parse); ``table`` is for people.

``report spend`` is the FOCUS spend report (AI next to cloud costs), the very command
behind ``devspend spend-report``: :func:`devspend.cli.focus.spend_report_command`,
imported and registered here, not copied.
``report coverage`` says which days are complete, still changing, or unknowable
(older than Cursor's API history), so an empty day is never mistaken for no usage.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from devspend.cli.focus import spend_report_command
from devspend.cli.render import report_table, rows_to_csv, rows_to_json
from devspend.errors import ConfigError
from devspend.settings import load_settings
from devspend.store import queries
from devspend.store.engine import opened_database


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


_REPORTS: dict[str, tuple[Callable[..., Sequence[Any]], list[tuple[str, str]], str]] = {
    "users": (queries.users_report, [("Email", "email"), ("Name", "name"),
                                     ("Top model", "top_model")], "Usage by person"),
    "models": (queries.models_report, [("Model", "model")], "Usage by model"),
    "daily": (queries.daily_report, [("Day", "day")], "Usage by day"),
    "kinds": (queries.kinds_report, [("Kind", "kind"), ("Category", "category")],
              "Usage by kind"),
}  # fmt: skip


def _parse_day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{option} must be a date like 2026-01-31, not {value!r}") from None


def _make_command(name: str) -> Callable[..., None]:
    query, key_columns, title = _REPORTS[name]

    def command(
        integration: int = typer.Option(None, "--integration", help="Only this integration."),
        from_: str = typer.Option(None, "--from", help="First UTC day (YYYY-MM-DD)."),
        to: str = typer.Option(None, "--to", help="Last UTC day, inclusive (YYYY-MM-DD)."),
        user: str = typer.Option(None, "--user", help="Only this person's usage (email)."),
        output: Format = typer.Option(Format.table, "--format", help="table, csv or json."),
    ) -> None:
        start = _parse_day(from_, "--from")
        end = _parse_day(to, "--to")
        settings = load_settings()
        url = settings.effective_database_url
        with opened_database(url) as engine, engine.connect() as conn:
            if start is None or end is None:
                stored = queries.data_range(conn, integration_id=integration)
                today = datetime.now(UTC).date()
                start = start or (stored[0] if stored else today)
                end = end or max(today, stored[1] if stored else today)
            if end < start:
                raise ConfigError(f"--to {end} is before --from {start}")
            rows = query(conn, integration_id=integration, start=start, end=end,
                         user_email=user)  # fmt: skip
        if output is Format.json:
            print(rows_to_json(rows))
        elif output is Format.csv:
            print(rows_to_csv(rows), end="")
        else:
            Console().print(report_table(f"{title}, {start} – {end}", key_columns, rows))

    command.__doc__ = f"{title} over UTC days (--to inclusive)."
    return command


def coverage_command(
    integration: int = typer.Option(None, "--integration", help="Only this integration."),
    from_: str = typer.Option(None, "--from", help="First UTC day (YYYY-MM-DD)."),
    to: str = typer.Option(None, "--to", help="Last UTC day, inclusive (YYYY-MM-DD)."),
    output: Format = typer.Option(Format.table, "--format", help="table, csv or json."),
) -> None:
    """Which days hold complete usage, which may still change, which Cursor no longer serves."""
    start = _parse_day(from_, "--from")
    end = _parse_day(to, "--to")
    settings = load_settings()
    with opened_database(settings.effective_database_url) as engine, engine.connect() as conn:
        span = queries.coverage_span(conn, integration_id=integration)
        today = datetime.now(UTC).date()
        start = start or (span[0] if span else today)
        end = end or (span[1] if span else today)
        if end < start:
            raise ConfigError(f"--to {end} is before --from {start}")
        ranges = queries.coverage_ranges(conn, integration_id=integration, start=start,
                                         end=end)  # fmt: skip
    if output is Format.json:
        print(rows_to_json(ranges))
    elif output is Format.csv:
        print(rows_to_csv(ranges), end="")
    else:
        table = Table(title=f"Data coverage, {start} – {end}", title_justify="left")
        for header in ("Integration", "From", "To", "Days", "Status", "Meaning"):
            table.add_column(header, overflow="fold")
        for r in ranges:
            table.add_row(str(r.integration_id), str(r.first_day), str(r.last_day), str(r.days),
                          r.status, r.meaning)  # fmt: skip
        Console().print(table)


def register(app: typer.Typer) -> None:
    """Add the ``report`` command group."""
    report_app = typer.Typer(help="Summaries of stored usage.", no_args_is_help=True)
    for name in _REPORTS:
        report_app.command(name)(_make_command(name))
    report_app.command("spend")(spend_report_command)
    report_app.command("coverage")(coverage_command)
    app.add_typer(report_app, name="report")
