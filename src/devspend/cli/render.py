"""Rich rendering shared by CLI commands: a view's tables, and sync progress.

Money leaves devspend in two forms only: exact decimal cents in JSON/CSV (written by
the views' serialisers and :mod:`devspend.csv_writer`) and dollars rounded for people
in these tables.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from devspend.money import format_dollars
from devspend.reports.tables import Table as ReportTable
from devspend.sync.progress import SyncProgress


def _tokens(value: int) -> str:
    for unit, size in (("B", 1_000_000_000), ("M", 1_000_000), ("k", 1_000)):
        if value >= size:
            return f"{value / size:.1f}{unit}"
    return str(value)


def cell(value: Any, kind: str) -> str:
    """One value as people read it: dollars for money, short token counts, ISO days."""
    if value is None:
        return "—"
    if kind == "money":
        return format_dollars(Decimal(value))
    if kind == "tokens":
        return _tokens(int(value))
    if kind == "count":
        return f"{int(value):,}"
    if kind == "percent":
        return f"{Decimal(value):.1f}%"
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def view_tables(tables: Sequence[ReportTable], *, title: str) -> list[Table]:
    """The view's tables as Rich tables: the columns people see, totals of money below."""
    rendered = []
    for number, spec in enumerate(tables):
        table = Table(title=f"{title} — {spec.title}" if number == 0 else spec.title,
                      title_justify="left")  # fmt: skip
        for column in spec.columns:
            right = column.kind in ("money", "tokens", "count", "percent")
            table.add_column(column.header, justify="right" if right else "left",
                             overflow="fold")  # fmt: skip
        for row in spec.rows:
            table.add_row(*(cell(getattr(row, c.key, None), c.kind) for c in spec.columns))
        table.caption = f"{len(spec.rows)} rows"
        rendered.append(table)
    return rendered


class SyncProgressBar:
    """Turns :class:`SyncProgress` callbacks into a Rich progress bar (days, events, ETA)."""

    def __init__(self, console: Console) -> None:
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("days · {task.fields[windows]} windows · {task.fields[events]:,} events"),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        )
        self._tasks: dict[int, TaskID] = {}

    def __enter__(self) -> SyncProgressBar:
        self._progress.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._progress.stop()

    def __call__(self, update: SyncProgress) -> None:
        task = self._tasks.get(update.integration_id)
        if task is None:
            task = self._progress.add_task(
                f"integration {update.integration_id}", total=None, events=0, windows=0
            )
            self._tasks[update.integration_id] = task
        label = {"events": "usage events", "done": "done"}.get(update.phase, update.phase)
        self._progress.update(
            task,
            description=f"#{update.integration_id} {label}",
            completed=update.days_done,
            total=update.days_total or None,
            events=update.events,
            windows=update.windows,
        )


def json_progress_line(update: SyncProgress) -> str:
    """One progress update as a JSON line (``--json-progress`` for scripts)."""
    return json.dumps(update.as_dict(), sort_keys=True)
