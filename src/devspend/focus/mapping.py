"""FOCUS rows (canonical columns, raw cells) → ``cloud_costs`` records.

Kept apart from the importer so the rules for what makes a row acceptable live in
one place: required values present, money exact, periods readable and in order,
enums in their allowed set (case-blind), tags a JSON object or a key/value array.
A row that breaks a rule raises :class:`ValueError` with the reason.

Speed matters here (a month of cloud billing is millions of rows), so a
:class:`RowMapper` is built once per file: it resolves column positions once and
memoises what real files repeat on almost every row — the descriptive columns
(account, service, SKU, region, enums, currency), timestamps, amounts and tag sets —
so most rows cost a few dictionary look-ups instead of dozens of parser calls.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any

from devspend.focus.columns import (
    CHARGE_CATEGORIES,
    CHARGE_CLASSES,
    CHARGE_FREQUENCIES,
    SERVICE_CATEGORIES,
    canonical_enum,
)
from devspend.focus.values import parse_decimal, parse_tags, parse_timestamp, split_money

REQUIRED_COLUMNS: tuple[str, ...] = (
    "BilledCost",
    "BillingCurrency",
    "ChargePeriodStart",
    "ChargePeriodEnd",
)
# Memos are emptied when they reach these sizes, so memory stays flat on any file:
# a short text value costs ~0.2 KB, a descriptive combination ~2.5 KB (≈25 MB at most).
MEMO_LIMIT = 50_000
DESCRIBED_LIMIT = 10_000
MEMO_TEXT_CHARS = 256  # x MEMO_LIMIT: ≤ 13 MB of text per memo
MEMO_KEY_CHARS = 4_096  # x DESCRIBED_LIMIT: ≤ 41 MB of text
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_OPTIONAL_MONEY = {
    "effective_cost": "EffectiveCost",
    "list_cost": "ListCost",
    "contracted_cost": "ContractedCost",
}
# Stored as the trimmed text of their column.
_TEXT_COLUMNS = {
    "invoice_issuer": "InvoiceIssuerName",
    "billing_account_id": "BillingAccountId",
    "billing_account_name": "BillingAccountName",
    "sub_account_id": "SubAccountId",
    "sub_account_name": "SubAccountName",
    "service_name": "ServiceName",
    "service_subcategory": "ServiceSubcategory",
    "region_id": "RegionId",
    "sku_id": "SkuId",
}
# Columns whose values repeat across rows and decide only the record's descriptive part.
_DESCRIPTIVE_COLUMNS: tuple[str, ...] = (
    *_TEXT_COLUMNS.values(),
    "ServiceProviderName",
    "ProviderName",
    "HostProviderName",
    "PublisherName",
    "ServiceCategory",
    "ChargeCategory",
    "ChargeClass",
    "ChargeFrequency",
    "BillingCurrency",
)

BatchKey = tuple[str, date]
Cells = Sequence[object]
# Raw rows keep every non-null source value; Parquet's dates and decimals become text.
_RAW_JSON = json.JSONEncoder(
    default=str, ensure_ascii=False, check_circular=False, separators=(",", ":")
)


class RowMapper:
    """Turns the rows of one file (cells in ``columns`` order) into ``cloud_costs`` records."""

    def __init__(
        self, columns: Sequence[str], *, owner_tag_key: str, account_name: str | None
    ) -> None:
        position = {name: index for index, name in enumerate(columns)}
        missing = [c for c in REQUIRED_COLUMNS if c not in position]
        if missing:
            raise ValueError(f"missing FOCUS column(s) {', '.join(missing)}")
        self._columns = tuple(columns)
        self._owner_tag_key = owner_tag_key
        self._account_name = account_name
        self._has_charge_category = "ChargeCategory" in position
        self._billed = position["BilledCost"]
        self._charge_start = position["ChargePeriodStart"]
        self._charge_end = position["ChargePeriodEnd"]
        self._billing_start = position.get("BillingPeriodStart")
        self._billing_end = position.get("BillingPeriodEnd")
        self._resource = position.get("ResourceId")
        self._tags = position.get("Tags")
        self._money = [
            (name, column, position[column])
            for name, column in _OPTIONAL_MONEY.items()
            if column in position
        ]
        self._absent_money = {
            f"{name}_{unit}": None
            for name, column in _OPTIONAL_MONEY.items()
            if column not in position
            for unit in ("nanos", "picos")
        }
        self._descriptive_names = tuple(c for c in _DESCRIPTIVE_COLUMNS if c in position)
        self._descriptive = _picker([position[c] for c in self._descriptive_names])
        self._described: dict[tuple[object, ...], tuple[dict[str, object], str]] = {}
        self._times: dict[str, datetime] = {}
        self._amounts: dict[str, tuple[int, int]] = {}

    def map(self, cells: Cells) -> tuple[BatchKey, dict[str, object]]:
        """The replacement key (account, billing period start) and the record to insert."""
        billed_value = cells[self._billed]
        if billed_value is None:
            raise ValueError("BilledCost is empty")
        billed = self._amount(billed_value, "BilledCost")
        start = self._time(cells[self._charge_start], "ChargePeriodStart")
        end = self._time(cells[self._charge_end], "ChargePeriodEnd")
        if start is None or end is None:
            raise ValueError("ChargePeriodStart and ChargePeriodEnd must both be set")
        if end < start:
            raise ValueError(f"ChargePeriodEnd {end:%Y-%m-%d %H:%M} is before its start")
        period_start = self._optional_time(cells, self._billing_start, "BillingPeriodStart")
        period_end = self._optional_time(cells, self._billing_end, "BillingPeriodEnd")
        billing_start = period_start.date() if period_start else start.date().replace(day=1)
        described, account = self._describe(self._descriptive(cells))
        record: dict[str, object] = {
            **described,
            **self._absent_money,
            "resource_id": None if self._resource is None else _text(cells[self._resource]),
            "charge_period_start": start,
            "charge_period_end": end,
            "day": start.date(),
            "billing_period_start": billing_start,
            "billing_period_end": period_end.date() if period_end else None,
            "billed_cost_text": _text(billed_value),
            "billed_cost_nanos": billed[0],
            "billed_cost_picos": billed[1],
        }
        for name, column, index in self._money:
            value = cells[index]
            nanos, picos = (None, None) if value is None else self._amount(value, column)
            record[f"{name}_nanos"], record[f"{name}_picos"] = nanos, picos
        tags = None if self._tags is None else cells[self._tags]
        record["tags"], record["owner"] = _tags_and_owner(tags, self._owner_tag_key)
        raw = zip(self._columns, cells, strict=True)
        record["raw"] = _RAW_JSON.encode({name: value for name, value in raw if value is not None})
        return (account, billing_start), record

    def _describe(self, values: tuple[object, ...]) -> tuple[dict[str, object], str]:
        """The descriptive part of a record and its account (memoised: few distinct ones)."""
        try:
            found = self._described.get(values)
        except TypeError:  # an unhashable Parquet value (a list or a map): do not memoise
            return self._describe_uncached(values)
        if found is None:
            found = self._describe_uncached(values)
            _remember(self._described, values, found, limit=DESCRIBED_LIMIT)
        return found

    def _describe_uncached(self, values: tuple[object, ...]) -> tuple[dict[str, object], str]:
        return _describe(
            dict(zip(self._descriptive_names, values, strict=True)),
            has_charge_category=self._has_charge_category,
            account_name=self._account_name,
        )

    def _time(self, value: object, column: str) -> datetime | None:
        if value is None:
            return None
        if type(value) is str:
            found = self._times.get(value)
            if found is not None:
                return found
        try:
            parsed = parse_timestamp(value)
        except ValueError as exc:
            raise ValueError(f"{column}: {exc}") from None
        if type(value) is str:
            _remember(self._times, value, parsed)
        return parsed

    def _optional_time(self, cells: Cells, index: int | None, column: str) -> datetime | None:
        return None if index is None else self._time(cells[index], column)

    def _amount(self, value: object, column: str) -> tuple[int, int]:
        # Only text is memoised: 1 == 1.0 == True as dict keys, and True is not money.
        if type(value) is str:
            found = self._amounts.get(value)
            if found is not None:
                return found
        try:
            parts = split_money(parse_decimal(value))
        except ValueError as exc:
            raise ValueError(f"{column}: {exc}") from None
        if type(value) is str:
            _remember(self._amounts, value, parts)
        return parts


def _picker(indices: list[int]) -> Callable[[Cells], tuple[object, ...]]:
    """The cells at ``indices`` as a tuple (``itemgetter``: C speed, but a bare value for one)."""
    if not indices:
        return lambda cells: ()
    if len(indices) == 1:
        only = indices[0]
        return lambda cells: (cells[only],)
    getter: Callable[[Cells], Any] = itemgetter(*indices)
    return getter


def _remember(memo: dict[Any, Any], key: object, value: object, *, limit: int = MEMO_LIMIT) -> None:
    # Long values are not memoised: a hostile file of distinct 100 KB cells would
    # otherwise fill the memos with gigabytes; real repeated values are short.
    if isinstance(key, str) and len(key) > MEMO_TEXT_CHARS:
        return
    if isinstance(key, tuple) and sum(len(k) for k in key if isinstance(k, str)) > MEMO_KEY_CHARS:
        return
    if len(memo) >= limit:
        memo.clear()
    memo[key] = value


def _describe(
    values: dict[str, object], *, has_charge_category: bool, account_name: str | None
) -> tuple[dict[str, object], str]:
    record: dict[str, object] = {
        name: _text(values.get(column)) for name, column in _TEXT_COLUMNS.items()
    }
    provider = _text(values.get("ServiceProviderName")) or _text(values.get("ProviderName"))
    record.update(
        provider=provider,
        publisher=_text(values.get("HostProviderName")) or _text(values.get("PublisherName")),
        service_category=_enum_or_text(values.get("ServiceCategory"), SERVICE_CATEGORIES),
        charge_category=(
            _charge_category(values.get("ChargeCategory")) if has_charge_category else "Usage"
        ),
        charge_class=_charge_class(values.get("ChargeClass")),
        charge_frequency=_enum_or_text(values.get("ChargeFrequency"), CHARGE_FREQUENCIES),
        billing_currency=_currency(values.get("BillingCurrency")),
    )
    account = account_name or record["billing_account_id"] or provider or "unknown"
    return record, str(account)


def _tags_and_owner(value: object, owner_tag_key: str) -> tuple[str | None, str | None]:
    """Tags as canonical JSON and the owner they name (cached: tag sets repeat a lot)."""
    if value is None:
        return None, None
    if isinstance(value, str):
        return _tags_text_and_owner(value, owner_tag_key)
    tags = parse_tags(value)
    return (json.dumps(tags, sort_keys=True) if tags else None), owner_value(tags, owner_tag_key)


@lru_cache(maxsize=16384)
def _tags_text_and_owner(value: str, owner_tag_key: str) -> tuple[str | None, str | None]:
    tags = parse_tags(value)
    return (json.dumps(tags, sort_keys=True) if tags else None), owner_value(tags, owner_tag_key)


def owner_value(tags: dict[str, object], key: str) -> str | None:
    """The owner named by tag ``key`` (exact key first, then case-blind); ``None`` if untagged."""
    value = tags.get(key)
    if value is None:
        lowered = key.lower()
        value = next((v for k, v in tags.items() if k.lower() == lowered), None)
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    return text or None


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # an id a Parquet writer stored as a double
    return str(value).strip() or None


def _currency(value: object) -> str:
    text = (_text(value) or "").upper()
    if not _CURRENCY.match(text):
        raise ValueError(f"BillingCurrency {value!r} is not an ISO 4217 code")
    return text


def _charge_category(value: object) -> str:
    text = _text(value)
    category = canonical_enum(text, CHARGE_CATEGORIES) if text else None
    if category is None:
        raise ValueError(
            f"ChargeCategory {text!r} is not one of {', '.join(CHARGE_CATEGORIES)}"
        )
    return category


def _charge_class(value: object) -> str | None:
    text = _text(value)
    if text is None:
        return None
    charge_class = canonical_enum(text, CHARGE_CLASSES)
    if charge_class is None:
        raise ValueError(f"ChargeClass {text!r} must be empty or Correction")
    return charge_class


def _enum_or_text(value: object, allowed: tuple[str, ...]) -> str | None:
    text = _text(value)
    if text is None:
        return None
    return canonical_enum(text, allowed) or text
