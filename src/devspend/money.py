"""Exact money: Cursor's fractional cents and FOCUS costs as integers of a small unit.

Cursor reports cents with fractions (``7.5``, ``0.0123``). devspend stores every
amount of cents as an integer count of **micro-cents** (10⁻⁶ cent) so both
SQLite and PostgreSQL sum them exactly and fast; six decimal places of a cent is
also the precision reports promise. A value finer than that is rounded half-even
once, on the way in, and the raw JSON keeps the original.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Annotated

from pydantic import PlainSerializer

MICROS_PER_UNIT = 1_000_000
_MICRO = Decimal("0.000001")


def to_micros(value: Decimal | int | None) -> int:
    """Cents (or request units) as an exact integer of millionths; ``None`` counts as 0."""
    if value is None:
        return 0
    return int((Decimal(value) * MICROS_PER_UNIT).to_integral_value(rounding=ROUND_HALF_EVEN))


def from_micros(micros: int | None) -> Decimal:
    """The exact decimal value (6 places) of an integer of millionths."""
    if micros is None:
        return Decimal(0).quantize(_MICRO)
    return (Decimal(int(micros)) / MICROS_PER_UNIT).quantize(_MICRO)


# FOCUS costs are stored as whole nano-units of their currency plus 0–999 picos below
PICOS_PER_NANO = 1000
_PICO = Decimal("1e-12")


def join_money(nanos: int | None, picos: int | None) -> Decimal:
    """The exact amount of a stored (nanos, picos) pair or of their sums."""
    return (Decimal(int(nanos or 0)) * PICOS_PER_NANO + int(picos or 0)) * _PICO


def cents_to_dollars(cents: Decimal) -> Decimal:
    return cents / 100


def format_dollars(cents: Decimal | int) -> str:
    """Cents as a human string like ``$1,234.57`` (display only, never for sums)."""
    dollars = (Decimal(cents) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
    sign = "-" if dollars < 0 else ""
    return f"{sign}${abs(dollars):,.2f}"


def decimal_text(value: Decimal) -> str:
    """A Decimal as plain decimal text: fixed point, every digit it has, no trailing zeros.

    ``str(Decimal)`` can give ``0E+2`` or ``1E-8``; JSON, CSV and CLI output must never
    show scientific notation or binary-float artefacts, so every face writes this.
    """
    text = format(Decimal(value), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# Money in pydantic models: exact Decimal in Python, plain decimal text in JSON.
Money = Annotated[Decimal, PlainSerializer(decimal_text, return_type=str, when_used="json")]
