"""What a view shows as tables: rows plus the columns people see, for CSV and the CLI.

A view's result lists its tables (:class:`Table`); the web's ``.csv`` twin writes one
of them with every field of its rows (exactly the rows the page shows) and the CLI's
``table`` format prints its :class:`Column` selection with Rich. JSON is the whole view.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable

from pydantic import BaseModel

from devspend.csv_writer import csv_text
from devspend.store.usage import Usage

ColumnKind = Literal["text", "count", "money", "tokens", "percent", "day"]


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    key: str
    kind: ColumnKind = "text"


@dataclass(frozen=True, slots=True)
class Table:
    """``name`` selects it (``?table=NAME`` on a ``.csv`` twin); the first is the main one."""

    name: str
    title: str
    row_type: type[BaseModel]
    rows: Sequence[BaseModel]
    columns: Sequence[Column]


@runtime_checkable
class TabularView(Protocol):
    def tables(self) -> list[Table]: ...


def flat_fields(row: BaseModel) -> dict[str, Any]:
    """A row's scalar fields as JSON values (nested objects and lists are left out)."""
    values = row.model_dump(mode="json")
    return {k: v for k, v in values.items() if not isinstance(v, dict | list)}


USAGE_COLUMNS: tuple[Column, ...] = (
    Column("Events", "events", "count"),
    Column("Usage-based", "usage_based_events", "count"),
    Column("Included", "included_events", "count"),
    Column("Input", "input_tokens", "tokens"),
    Column("Output", "output_tokens", "tokens"),
    Column("Cache read", "cache_read_tokens", "tokens"),
    Column("Usage value", "usage_value_cents", "money"),
    Column("On-demand", "on_demand_cents", "money"),
    Column("Model cost", "model_cost_cents", "money"),
)



def header_of(row_type: type[BaseModel]) -> list[str]:
    """The scalar field names of a row model, declared then computed (CSV header)."""
    fields = {**row_type.model_fields, **row_type.model_computed_fields}
    found = []
    for name, info in fields.items():
        annotation = getattr(info, "annotation", None) or getattr(info, "return_type", None)
        text = str(annotation)
        if "list[" in text or "dict[" in text or (
            isinstance(annotation, type) and issubclass(annotation, BaseModel)
        ):
            continue
        found.append(name)
    # a row's own keys (email, model, day …) first, then the usage figures it inherits
    shared = {*Usage.model_fields, *Usage.model_computed_fields}
    return [n for n in found if n not in shared] + [n for n in found if n in shared]


def table_csv(table: Table) -> str:
    """One table as CSV text: a header of every scalar field, then exactly its rows."""
    header = header_of(table.row_type)
    return csv_text(header, ([flat_fields(r).get(k) for k in header] for r in table.rows))
