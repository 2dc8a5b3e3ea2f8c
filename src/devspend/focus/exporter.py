"""Cursor usage as FOCUS 1.2 rows (+ the two 1.3 provider columns), as CSV or Parquet.

Grain: one row per UTC day × person × model × kind × max mode, read from
``usage_daily_detail`` so an export never scans raw events. Mapping (see
``shared/reference/focus.md``): BilledCost = EffectiveCost = Σ ``chargedCents`` / 100
of *chargeable* events only (``chargeable_ucents``: what Cursor invoices, so included
usage bills 0 even though Cursor reports ``chargedCents`` on it), ListCost =
ContractedCost = Σ ``tokenUsage.totalCents`` / 100, ConsumedQuantity = tokens (or request
units for request-priced rows), periods as UTC ``…Z`` with exclusive ends, the billing
period is the UTC month. Money stays Decimal end to end (exact: micro-cents / 10⁸).

Seats (given by the caller, from ``reports.seats.seat_charges``) follow the usage rows
as ``Purchase`` / ``Recurring`` rows, one per person and billing cycle, charged over the
days held: BilledCost = EffectiveCost = ListCost = ContractedCost = the prorated seat
price, BillingPeriod = the Cursor cycle, PricingQuantity = seat-days. So Σ BilledCost of
an export = *cost* (seats + on-demand); included usage stays Usage rows billed 0 with its
model cost in ListCost. The mapping is stated in ``docs/money.md``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Literal, Protocol, TextIO

import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa

from devspend.csv_writer import write_csv as write_csv_rows
from devspend.settings import Settings
from devspend.store.cloud_spend import allocation_by_email
from devspend.store.usage_export import detail_rows, integration_names

ExportFormat = Literal["csv", "parquet"]
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
CURSOR = "Cursor"

FOCUS_COLUMNS: tuple[str, ...] = (
    "BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency",
    "BillingPeriodEnd", "BillingPeriodStart", "ChargeCategory", "ChargeClass",
    "ChargeDescription", "ChargeFrequency", "ChargePeriodEnd", "ChargePeriodStart",
    "ConsumedQuantity", "ConsumedUnit", "ContractedCost", "EffectiveCost", "HostProviderName",
    "InvoiceIssuerName", "ListCost", "PricingQuantity", "PricingUnit", "ProviderName",
    "PublisherName", "ServiceCategory", "ServiceName", "ServiceProviderName",
    "ServiceSubcategory", "SkuId", "SkuPriceId", "Tags",
)  # fmt: skip
CUSTOM_COLUMNS: tuple[str, ...] = (
    "x_UserEmail", "x_InputTokens", "x_OutputTokens", "x_CacheWriteTokens",
    "x_CacheReadTokens", "x_RequestsCosts", "x_Kind", "x_MaxMode", "x_CursorTokenFeeCents",
    "x_Events",
)  # fmt: skip
EXPORT_COLUMNS: tuple[str, ...] = FOCUS_COLUMNS + CUSTOM_COLUMNS

_MONEY = pa.decimal128(38, 10)
_TIME = pa.timestamp("s", tz="UTC")
_ARROW_TYPES: dict[str, pa.DataType] = {
    **{c: _MONEY for c in ("BilledCost", "ContractedCost", "EffectiveCost", "ListCost")},
    **{c: _MONEY for c in ("ConsumedQuantity", "PricingQuantity", "x_RequestsCosts")},
    "x_CursorTokenFeeCents": _MONEY,
    **{c: _TIME for c in FOCUS_COLUMNS if c.endswith(("PeriodStart", "PeriodEnd"))},
    **{c: pa.int64() for c in CUSTOM_COLUMNS if c.endswith(("Tokens", "Events"))},
    "x_MaxMode": pa.bool_(),
}
PARQUET_SCHEMA = pa.schema([(c, _ARROW_TYPES.get(c, pa.string())) for c in EXPORT_COLUMNS])


class SeatCharge(Protocol):
    """One person's seat in one billing cycle (``reports.seats.SeatCharge`` is one)."""

    @property
    def integration_id(self) -> int: ...
    @property
    def email(self) -> str: ...
    @property
    def cycle_start(self) -> date: ...
    @property
    def cycle_end(self) -> date: ...
    @property
    def charge_start(self) -> date: ...
    @property
    def charge_end(self) -> date: ...
    @property
    def seat_days(self) -> int: ...
    @property
    def seat_price_dollars(self) -> int: ...
    @property
    def seat_cents(self) -> Decimal: ...


def export_focus(
    engine: sa.Engine,
    *,
    settings: Settings,
    first_day: date,
    last_day: date,
    fmt: ExportFormat,
    out: Path | TextIO,
    chunk_rows: int = 5000,
    seats: Sequence[SeatCharge] = (),
) -> int:
    """Write Cursor usage for ``first_day``..``last_day`` (inclusive) as FOCUS, then the
    ``seats`` as Purchase rows; return rows."""
    with engine.connect() as conn:
        rows = focus_rows(conn, settings=settings, first_day=first_day, last_day=last_day,
                          seats=seats)  # fmt: skip
        if fmt == "csv":
            if isinstance(out, Path):
                with out.open("w", newline="", encoding="utf-8") as handle:
                    return write_csv(rows, handle)
            return write_csv(rows, out)
        if not isinstance(out, Path):
            raise ValueError("Parquet needs a file to write to")
        return write_parquet(rows, out, chunk_rows=chunk_rows)


def focus_rows(
    conn: sa.Connection,
    *,
    settings: Settings,
    first_day: date,
    last_day: date,
    seats: Sequence[SeatCharge] = (),
) -> Iterator[dict[str, object]]:
    """FOCUS rows (typed: Decimal, datetime, int, bool, str) for the days asked, in day
    order, then one Purchase row per seat charge."""
    for row in detail_rows(conn, start=first_day, end=last_day):
        yield _focus_row(row, invoice_issuer=settings.invoice_issuer_name)
    if seats:
        labels = {
            email: {k: v for k, v in (("team", a.team), ("cost_center", a.cost_center)) if v}
            for email, a in allocation_by_email(conn).items()
        }  # fmt: skip
        accounts = integration_names(conn)
        for seat in sorted(seats, key=lambda s: (s.charge_start, s.integration_id, s.email)):
            yield _seat_row(seat, account=accounts.get(seat.integration_id),
                            tags=labels.get(seat.email.lower(), {}),
                            invoice_issuer=settings.invoice_issuer_name)  # fmt: skip


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _seat_row(
    seat: SeatCharge, *, account: str | None, tags: dict[str, str], invoice_issuer: str
) -> dict[str, object]:
    cost = seat.seat_cents.scaleb(-2)
    cycle_days = (seat.cycle_end - seat.cycle_start).days
    return {
        **dict.fromkeys(EXPORT_COLUMNS),
        "BilledCost": cost,
        "BillingAccountId": str(seat.integration_id),
        "BillingAccountName": account or f"Cursor team {seat.integration_id}",
        "BillingCurrency": "USD",
        "BillingPeriodEnd": _midnight(seat.cycle_end),
        "BillingPeriodStart": _midnight(seat.cycle_start),
        "ChargeCategory": "Purchase",
        "ChargeClass": None,
        "ChargeDescription": f"Cursor seat, ${seat.seat_price_dollars} per cycle "
        f"({seat.seat_days} of {cycle_days} days)",
        "ChargeFrequency": "Recurring",
        "ChargePeriodEnd": _midnight(seat.charge_end),
        "ChargePeriodStart": _midnight(seat.charge_start),
        "ContractedCost": cost,
        "EffectiveCost": cost,
        "HostProviderName": CURSOR,
        "InvoiceIssuerName": invoice_issuer,
        "ListCost": cost,
        "PricingQuantity": Decimal(seat.seat_days),
        "PricingUnit": "Seat-Days",
        "ProviderName": CURSOR,
        "PublisherName": CURSOR,
        "ServiceCategory": "AI and Machine Learning",
        "ServiceName": CURSOR,
        "ServiceProviderName": CURSOR,
        "ServiceSubcategory": "Generative AI",
        "SkuId": "cursor-seat",
        "SkuPriceId": f"seat:{seat.seat_price_dollars}usd",
        "Tags": json.dumps(tags, sort_keys=True),
        "x_UserEmail": seat.email,
    }


def _focus_row(row: sa.RowMapping, *, invoice_issuer: str) -> dict[str, object]:
    day: date = row["day"]
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    period_start = start.replace(day=1)
    period_end = (period_start + timedelta(days=32)).replace(day=1)
    billed = Decimal(row["chargeable_ucents"]).scaleb(-8)  # chargeable events only
    listed = Decimal(row["total_ucents"]).scaleb(-8)
    tokens = sum(
        int(row[c]) for c in ("input_tokens", "output_tokens", "cache_write_tokens",
                              "cache_read_tokens")
    )  # fmt: skip
    requests = Decimal(row["requests_costs_micros"]).scaleb(-6)
    by_request = row["token_based_events"] == 0 and row["requests_costs_micros"] > 0
    quantity, unit = (requests, "Requests") if by_request else (Decimal(tokens), "Tokens")
    max_mode = bool(row["max_mode"])
    mode = "max" if max_mode else "std"
    tags = {k: row[k] for k in ("team", "cost_center") if row[k]}
    return {
        "BilledCost": billed,
        "BillingAccountId": str(row["integration_id"]),
        "BillingAccountName": row["display_name"] or f"Cursor team {row['integration_id']}",
        "BillingCurrency": "USD",
        "BillingPeriodEnd": period_end,
        "BillingPeriodStart": period_start,
        "ChargeCategory": "Usage",
        "ChargeClass": None,
        "ChargeDescription": f"Cursor {row['model']} {row['kind']} ({mode})",
        "ChargeFrequency": "Usage-Based",
        "ChargePeriodEnd": start + timedelta(days=1),
        "ChargePeriodStart": start,
        "ConsumedQuantity": quantity,
        "ConsumedUnit": unit,
        "ContractedCost": listed,
        "EffectiveCost": billed,
        "HostProviderName": CURSOR,
        "InvoiceIssuerName": invoice_issuer,
        "ListCost": listed,
        "PricingQuantity": quantity,
        "PricingUnit": unit,
        "ProviderName": CURSOR,
        "PublisherName": CURSOR,
        "ServiceCategory": "AI and Machine Learning",
        "ServiceName": CURSOR,
        "ServiceProviderName": CURSOR,
        "ServiceSubcategory": "Generative AI",
        "SkuId": row["model"],
        "SkuPriceId": f"{row['model']}:{row['kind']}:{mode}",
        "Tags": json.dumps(tags, sort_keys=True),
        "x_UserEmail": row["email"],
        "x_InputTokens": int(row["input_tokens"]),
        "x_OutputTokens": int(row["output_tokens"]),
        "x_CacheWriteTokens": int(row["cache_write_tokens"]),
        "x_CacheReadTokens": int(row["cache_read_tokens"]),
        "x_RequestsCosts": requests,
        "x_Kind": row["kind"],
        "x_MaxMode": max_mode,
        "x_CursorTokenFeeCents": Decimal(row["token_fee_ucents"]).scaleb(-6),
        "x_Events": int(row["events"]),
    }


def write_csv(rows: Iterator[dict[str, object]], out: TextIO) -> int:
    """Stream ``rows`` as FOCUS CSV (``Z`` timestamps, plain decimals, empty = null).

    Through the shared writer, so text cells a spreadsheet would run as formulas (a
    member email or model name starting ``=``) are neutralised; numbers stay numbers.
    """
    return write_csv_rows(out, EXPORT_COLUMNS, ([focus_text(row[c]) for c in EXPORT_COLUMNS]
                                                for row in rows))  # fmt: skip


def focus_text(value: object) -> str:
    """A typed export value as FOCUS CSV writes it (also how conformance reads Parquet)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime(TIMESTAMP_FORMAT)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def write_parquet(rows: Iterator[dict[str, object]], path: Path, *, chunk_rows: int) -> int:
    """Stream ``rows`` to a Parquet file with FOCUS types (decimal money, UTC timestamps)."""
    count = 0
    with pq.ParquetWriter(path, PARQUET_SCHEMA) as writer:
        chunk: list[dict[str, object]] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= chunk_rows:
                writer.write_table(pa.Table.from_pylist(chunk, schema=PARQUET_SCHEMA))
                count += len(chunk)
                chunk = []
        if chunk or count == 0:
            writer.write_table(pa.Table.from_pylist(chunk, schema=PARQUET_SCHEMA))
            count += len(chunk)
    return count
