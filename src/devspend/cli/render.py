"""Rich rendering shared by CLI commands: report tables, exact JSON and CSV, sync progress.

Money leaves devspend in two forms only: exact decimal cents in JSON/CSV (6 places at
most, written from the ``Decimal`` itself so no binary-float artefact can creep in)
and dollars rounded for people in tables.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Sequence
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

from devspend.csv_writer import csv_text
from devspend.money import format_dollars
from devspend.sync.progress import SyncProgress

HIDDEN_FIELDS = frozenset({"person_id"})


def decimal_text(value: Decimal) -> str:
    """A Decimal as a plain JSON number: fixed point, at most 6 places, no trailing zeros."""
    text = format(value.quantize(Decimal("0.000001")), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _json_value(value: Any) -> str:
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, date | datetime):
        return json.dumps(value.isoformat())
    return json.dumps(value, ensure_ascii=False)


def row_dict(row: Any) -> dict[str, Any]:
    """A report dataclass as an ordered dict of its public fields (identity keys first)."""
    values = {f.name: getattr(row, f.name) for f in dataclasses.fields(row)}
    own = [f.name for f in dataclasses.fields(row) if f.name not in _MEASURE_ORDER]
    ordered = {k: values[k] for k in own if k not in HIDDEN_FIELDS}
    ordered.update({k: values[k] for k in _MEASURE_ORDER if k in values})
    return ordered


def rows_to_json(rows: Iterable[Any]) -> str:
    """A JSON array of objects with snake_case keys; money as exact decimal numbers."""
    objects = [
        "{" + ", ".join(f"{json.dumps(k)}: {_json_value(v)}" for k, v in row_dict(r).items()) + "}"
        for r in rows
    ]
    if not objects:
        return "[]"
    return "[\n  " + ",\n  ".join(objects) + "\n]"


def rows_to_csv(rows: Sequence[Any]) -> str:
    """CSV with a header row; same columns and exact values as the JSON."""
    if not rows:
        return ""
    dicts = [row_dict(r) for r in rows]
    return csv_text(list(dicts[0]), ([
        decimal_text(v) if isinstance(v, Decimal) else v for v in d.values()
    ] for d in dicts))  # fmt: skip


_MEASURE_ORDER = (
    "events", "input_tokens", "output_tokens", "cache_write_tokens", "cache_read_tokens",
    "total_cents", "charged_cents", "cursor_token_fee_cents", "requests_costs",
    "usage_based_events", "included_events", "errored_events", "other_kind_events",
    "chargeable_events", "max_mode_events", "headless_events", "token_based_events",
)  # fmt: skip


def _tokens(value: int) -> str:
    for unit, size in (("B", 1_000_000_000), ("M", 1_000_000), ("k", 1_000)):
        if value >= size:
            return f"{value / size:.1f}{unit}"
    return str(value)


def report_table(title: str, key_columns: Sequence[tuple[str, str]], rows: Sequence[Any]) -> Table:
    """A people-friendly table: the row's identity columns, then events, tokens and dollars."""
    table = Table(title=title, title_justify="left")
    for header, _ in key_columns:
        table.add_column(header, overflow="fold")
    for header in ("Events", "Usage-based", "Included", "Input", "Output", "Cache read",
                   "Charged", "Model cost"):  # fmt: skip
        table.add_column(header, justify="right")
    charged = Decimal(0)
    for row in rows:
        charged += row.charged_cents
        table.add_row(
            *(_cell(getattr(row, attr)) for _, attr in key_columns),
            f"{row.events:,}", f"{row.usage_based_events:,}", f"{row.included_events:,}",
            _tokens(row.input_tokens), _tokens(row.output_tokens), _tokens(row.cache_read_tokens),
            format_dollars(row.charged_cents), format_dollars(row.total_cents),
        )  # fmt: skip
    table.caption = f"{len(rows)} rows · charged {format_dollars(charged)} · UTC days"
    return table


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


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
