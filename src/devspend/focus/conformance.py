"""Our own FOCUS 1.2 conformance checks for an export (CSV or Parquet).

The FinOps Foundation's validator is an optional extra; these checks are the ones
devspend promises and tests: every mandatory 1.2 column (and the two 1.3 provider
columns) present, custom columns ``x_``-prefixed and last, non-null rules, number
and timestamp formats (UTC ``…Z``), allowed values, exclusive period ends.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from devspend.focus.columns import (
    CHARGE_CATEGORIES,
    CHARGE_CLASSES,
    CHARGE_FREQUENCIES,
    COLUMNS_1_3,
    ISO_CURRENCIES,
    KNOWN_COLUMNS,
    MANDATORY_1_2,
    PRICING_CATEGORIES,
    SERVICE_CATEGORIES,
)
from devspend.focus.exporter import TIMESTAMP_FORMAT, focus_text

NULLABLE: frozenset[str] = frozenset({"ChargeClass"})
DECIMAL_COLUMNS: tuple[str, ...] = (
    "BilledCost", "EffectiveCost", "ListCost", "ContractedCost", "PricingQuantity",
    "ConsumedQuantity",
)  # fmt: skip
TIMESTAMP_COLUMNS: tuple[str, ...] = (
    "BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd",
)  # fmt: skip
ENUMS: dict[str, tuple[str, ...]] = {
    "ChargeCategory": CHARGE_CATEGORIES,
    "ChargeClass": CHARGE_CLASSES,
    "ChargeFrequency": CHARGE_FREQUENCIES,
    "PricingCategory": PRICING_CATEGORIES,
    "ServiceCategory": SERVICE_CATEGORIES,
}
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_UTC_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def check_file(path: Path) -> list[str]:
    """Every conformance violation in a devspend export (empty list = conformant)."""
    with path.open("rb") as probe:
        is_parquet = probe.read(4) == b"PAR1"
    if is_parquet:
        return check_parquet(path)
    return check_csv(path)


def check_csv(path: Path) -> list[str]:
    """Check a FOCUS CSV: all values as written (strings, empty = null)."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        problems = check_columns(header)
        for line, cells in enumerate(reader, start=2):
            row = {name: (cell or None) for name, cell in zip(header, cells, strict=False)}
            problems.extend(f"line {line}: {p}" for p in check_row(row))
    return problems


def check_parquet(path: Path) -> list[str]:
    """Check a FOCUS Parquet file: column types, then every value rendered as CSV would be."""
    table = pq.read_table(path)
    problems = check_columns(table.column_names)
    for field in table.schema:
        problems.extend(_type_problem(field))
    for number, record in enumerate(_records(table), start=1):
        problems.extend(f"row {number}: {p}" for p in check_row(record))
    return problems


def check_columns(columns: list[str]) -> list[str]:
    """Presence of mandatory columns and the placement of custom ones."""
    problems = [f"missing column {c}" for c in (*MANDATORY_1_2, *COLUMNS_1_3) if c not in columns]
    known = set(KNOWN_COLUMNS)
    seen_custom = False
    for column in columns:
        if column.startswith("x_"):
            seen_custom = True
        elif column not in known:
            problems.append(f"column {column} is neither FOCUS nor x_-prefixed")
        elif seen_custom:
            problems.append(f"FOCUS column {column} comes after custom (x_) columns")
    return problems


def check_row(row: dict[str, str | None]) -> list[str]:
    """Value rules for one row whose values are strings (``None`` = null)."""
    problems: list[str] = []
    for column in (*MANDATORY_1_2, *COLUMNS_1_3):
        if column in row and row[column] is None and column not in NULLABLE:
            problems.append(f"{column} is null")
    for column in DECIMAL_COLUMNS:
        value = row.get(column)
        if value is not None and not _NUMBER.match(value):
            problems.append(f"{column} {value!r} is not a plain decimal number")
    for column, allowed in ENUMS.items():
        value = row.get(column)
        if value is not None and value not in allowed:
            problems.append(f"{column} {value!r} is not an allowed value")
    currency = row.get("BillingCurrency")
    if currency is not None and currency not in ISO_CURRENCIES:
        problems.append(f"BillingCurrency {currency!r} is not an ISO 4217 currency")
    problems.extend(_period_problems(row))
    if row.get("ChargeCategory") == "Usage" and row.get("ChargeClass") is None:
        for column in ("ConsumedQuantity", "ConsumedUnit"):
            if column in row and row[column] is None:
                problems.append(f"{column} is null on a Usage row")
    problems.extend(_tags_problems(row.get("Tags")))
    return problems


def _period_problems(row: dict[str, str | None]) -> list[str]:
    problems: list[str] = []
    parsed: dict[str, datetime] = {}
    for column in TIMESTAMP_COLUMNS:
        value = row.get(column)
        if value is None:
            continue
        if not _UTC_TIMESTAMP.match(value):
            problems.append(f"{column} {value!r} is not YYYY-MM-DDTHH:mm:ssZ")
            continue
        parsed[column] = datetime.strptime(value, TIMESTAMP_FORMAT)
    for kind in ("Billing", "Charge"):
        start, end = parsed.get(f"{kind}PeriodStart"), parsed.get(f"{kind}PeriodEnd")
        if start is not None and end is not None and end <= start:
            problems.append(f"{kind}PeriodEnd is not after its start (ends are exclusive)")
    charge_start, charge_end = parsed.get("ChargePeriodStart"), parsed.get("ChargePeriodEnd")
    bill_start, bill_end = parsed.get("BillingPeriodStart"), parsed.get("BillingPeriodEnd")
    if charge_start and bill_start and charge_start < bill_start:
        problems.append("ChargePeriodStart is before BillingPeriodStart")
    if charge_end and bill_end and charge_end > bill_end:
        problems.append("ChargePeriodEnd is after BillingPeriodEnd")
    return problems


def _tags_problems(value: str | None) -> list[str]:
    if value is None:
        return []
    try:
        tags = json.loads(value)
    except json.JSONDecodeError:
        return [f"Tags {value[:40]!r} is not JSON"]
    if not isinstance(tags, dict):
        return ["Tags is not a JSON object"]
    return [
        f"tag {key!r} has a non-scalar value"
        for key, item in tags.items()
        if isinstance(item, dict | list)
    ]


def _type_problem(field: pa.Field) -> list[str]:
    if field.name in DECIMAL_COLUMNS and not (
        pa.types.is_decimal(field.type) or pa.types.is_floating(field.type)
    ):
        return [f"{field.name} has type {field.type}, expected a decimal"]
    if field.name in TIMESTAMP_COLUMNS and not (
        pa.types.is_timestamp(field.type) and str(field.type.tz) in ("UTC", "+00:00")
    ):
        return [f"{field.name} has type {field.type}, expected a UTC timestamp"]
    return []


def _records(table: pa.Table) -> Iterator[dict[str, str | None]]:
    for batch in table.to_batches(max_chunksize=10_000):
        for record in batch.to_pylist():
            yield {name: focus_text(value) or None for name, value in record.items()}
