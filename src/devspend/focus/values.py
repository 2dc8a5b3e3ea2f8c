"""Parsing single FOCUS values the way real exports write them.

Every parser takes what a CSV cell or a Parquet value can be and returns an exact
Python value, raising :class:`ValueError` with a short reason the importer puts next
to the file and line. Money never passes through ``float`` except when a Parquet
file itself stores a double (then its shortest ``repr`` is the value meant).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from functools import lru_cache

from devspend.money import PICOS_PER_NANO

_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2}|UTC)?$"
)
_US = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_MONEY_JUNK = re.compile(r"[\s$,]")


def parse_timestamp(value: object) -> datetime:
    """A UTC-aware datetime from ISO (with or without ``T``/``Z``/seconds/millis) or ``5/1/25``.

    FOCUS says UTC, so a missing zone means UTC; an explicit offset is honoured.
    """
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if not isinstance(value, str):
        raise ValueError(f"not a timestamp: {value!r}")
    return _parse_timestamp_text(value.strip())


@lru_cache(maxsize=65536)
def _parse_timestamp_text(text: str) -> datetime:
    # Cached: billing files repeat the same hourly timestamps millions of times.
    match = _ISO.match(text)
    if match:
        year, month, day, hour, minute, second, fraction, zone = match.groups()
        micros = int((fraction or "0")[:6].ljust(6, "0"))
        try:
            parsed = datetime(
                int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                int(second or 0), micros, tzinfo=UTC,
            )  # fmt: skip
        except ValueError as exc:
            raise ValueError(f"not a valid timestamp: {text!r}") from exc
        return parsed - _offset(zone)
    match = _US.match(text)
    if match:
        month, day, year, hour, minute, second = match.groups()
        full_year = int(year) + (2000 if len(year) == 2 else 0)
        try:
            return datetime(
                full_year, int(month), int(day), int(hour or 0), int(minute or 0),
                int(second or 0), tzinfo=UTC,
            )  # fmt: skip
        except ValueError as exc:
            raise ValueError(f"not a valid date: {text!r}") from exc
    raise ValueError(f"not a timestamp: {text!r}")


def _offset(zone: str | None) -> timedelta:
    if zone is None or zone in ("Z", "UTC"):
        return timedelta(0)
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    return sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))


def parse_decimal(value: object) -> Decimal:
    """An exact Decimal from ``12.5``, ``"$1,234.00 "``, ``(5.00)`` or a Parquet number."""
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, str):
        result = _parse_decimal_text(value)
    else:
        raise ValueError(f"not a number: {value!r}")
    if not result.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return result


def _parse_decimal_text(text: str) -> Decimal:
    try:
        return Decimal(text)  # the common case, at C speed
    except InvalidOperation:
        pass
    cleaned = _MONEY_JUNK.sub("", text)
    negative = cleaned.startswith("(") and cleaned.endswith(")")
    if negative:
        cleaned = cleaned[1:-1]
    if cleaned.startswith("-$"):
        cleaned = "-" + cleaned[2:]
    try:
        result = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"not a number: {text!r}") from None
    return -result if negative else result


def split_money(amount: Decimal) -> tuple[int, int]:
    """``amount`` as (nano-units, picos below the nano) so SQL sums stay exact integers.

    One BIGINT of 10⁻¹² would overflow SQLite's SUM at about 9 million; cloud files
    carry 11 decimals. Whole nanos plus a 0–999 pico remainder keep both exact.
    Finer digits are rounded half-even once; the raw row keeps the original text.
    """
    picos = int(amount.scaleb(12).to_integral_value(rounding=ROUND_HALF_EVEN))
    nanos, remainder = divmod(picos, PICOS_PER_NANO)
    return nanos, remainder


def parse_tags(value: object) -> dict[str, object]:
    """FOCUS ``Tags`` as a dict of scalars, from a JSON object or a key/value array (GCP).

    A valueless tag becomes ``True`` as the spec says; nested values are kept as JSON text.
    """
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return {}
        try:
            loaded: object = json.loads(text)
        except json.JSONDecodeError:
            try:
                loaded = json.loads("{" + text + "}")  # Azure's brace-less variant
            except json.JSONDecodeError:
                raise ValueError(f"Tags is not JSON: {text[:60]!r}") from None
        return parse_tags(loaded) if not isinstance(loaded, str) else parse_tags({loaded: True})
    if isinstance(value, dict):
        return {str(key): _scalar(item) for key, item in value.items()}
    if isinstance(value, list):
        return dict(_pair(item) for item in value)
    raise ValueError(f"Tags must be a JSON object or key/value array, not {value!r}")


def _pair(item: object) -> tuple[str, object]:
    if isinstance(item, dict):
        key = item.get("key", item.get("Key"))
        if key is None:
            raise ValueError(f"tag entry without a key: {item!r}")
        return str(key), _scalar(item.get("value", item.get("Value", True)))
    if isinstance(item, list | tuple) and len(item) == 2:
        return str(item[0]), _scalar(item[1])
    raise ValueError(f"tag entry is not a key/value pair: {item!r}")


def _scalar(value: object) -> object:
    if value is None:
        return True
    if isinstance(value, str | int | float | bool):
        return value
    return json.dumps(value, default=str, sort_keys=True)
