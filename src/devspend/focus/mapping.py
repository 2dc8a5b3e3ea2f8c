"""One FOCUS row (canonical names, raw values) → one ``cloud_costs`` record.

Kept apart from the importer so the rules for what makes a row acceptable live in
one place: required values present, money exact, periods readable and in order,
enums in their allowed set (case-blind), tags a JSON object or a key/value array.
A row that breaks a rule raises :class:`ValueError` with the reason.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

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
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_OPTIONAL_MONEY = {
    "effective_cost": "EffectiveCost",
    "list_cost": "ListCost",
    "contracted_cost": "ContractedCost",
}
_TEXT_COLUMNS = {
    "invoice_issuer": "InvoiceIssuerName",
    "billing_account_id": "BillingAccountId",
    "billing_account_name": "BillingAccountName",
    "sub_account_id": "SubAccountId",
    "sub_account_name": "SubAccountName",
    "service_name": "ServiceName",
    "service_subcategory": "ServiceSubcategory",
    "region_id": "RegionId",
    "resource_id": "ResourceId",
    "sku_id": "SkuId",
}

BatchKey = tuple[str, date]
# Raw rows keep every non-null source value; Parquet's dates and decimals become text.
_RAW_JSON = json.JSONEncoder(default=str, ensure_ascii=False)


def map_row(
    values: dict[str, object], *, owner_tag_key: str, account_name: str | None
) -> tuple[BatchKey, dict[str, object]]:
    """The replacement key (account, billing period start) and the record to insert."""
    billed = _money(values, "BilledCost")
    if billed is None:
        raise ValueError("BilledCost is empty")
    start = _timestamp(values, "ChargePeriodStart")
    end = _timestamp(values, "ChargePeriodEnd")
    if start is None or end is None:
        raise ValueError("ChargePeriodStart and ChargePeriodEnd must both be set")
    if end < start:
        raise ValueError(f"ChargePeriodEnd {end:%Y-%m-%d %H:%M} is before its start")
    period_start = _timestamp(values, "BillingPeriodStart")
    period_end = _timestamp(values, "BillingPeriodEnd")
    billing_start = period_start.date() if period_start else start.date().replace(day=1)
    record: dict[str, object] = {
        name: _text(values.get(column)) for name, column in _TEXT_COLUMNS.items()
    }
    record.update(
        provider=_text(values.get("ServiceProviderName")) or _text(values.get("ProviderName")),
        publisher=_text(values.get("HostProviderName")) or _text(values.get("PublisherName")),
        service_category=_enum_or_text(values.get("ServiceCategory"), SERVICE_CATEGORIES),
        charge_category=_charge_category(values),
        charge_class=_charge_class(values.get("ChargeClass")),
        charge_frequency=_enum_or_text(values.get("ChargeFrequency"), CHARGE_FREQUENCIES),
        charge_period_start=start,
        charge_period_end=end,
        day=start.date(),
        billing_period_start=billing_start,
        billing_period_end=period_end.date() if period_end else None,
        billing_currency=_currency(values.get("BillingCurrency")),
        billed_cost_text=_text(values["BilledCost"]),
    )
    record["billed_cost_nanos"], record["billed_cost_picos"] = split_money(billed)
    for name, column in _OPTIONAL_MONEY.items():
        amount = _money(values, column)
        nanos, picos = split_money(amount) if amount is not None else (None, None)
        record[f"{name}_nanos"], record[f"{name}_picos"] = nanos, picos
    record["tags"], record["owner"] = _tags_and_owner(values.get("Tags"), owner_tag_key)
    record["raw"] = _RAW_JSON.encode(
        {key: value for key, value in values.items() if value is not None}
    )
    account = account_name or record["billing_account_id"] or record["provider"] or "unknown"
    return (str(account), billing_start), record


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


def _money(values: dict[str, object], column: str) -> Decimal | None:
    value = values.get(column)
    if value is None:
        return None
    try:
        return parse_decimal(value)
    except ValueError as exc:
        raise ValueError(f"{column}: {exc}") from None


def _timestamp(values: dict[str, object], column: str) -> datetime | None:
    value = values.get(column)
    if value is None:
        return None
    try:
        return parse_timestamp(value)
    except ValueError as exc:
        raise ValueError(f"{column}: {exc}") from None


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


def _charge_category(values: dict[str, object]) -> str:
    if "ChargeCategory" not in values:
        return "Usage"
    text = _text(values["ChargeCategory"])
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
