"""Single FOCUS values as real exports write them: timestamps, money, tags, enums, columns."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from devspend.focus.columns import (
    CHARGE_CATEGORIES,
    canonical_column,
    canonical_enum,
    detect_version,
)
from devspend.focus.values import (
    parse_decimal,
    parse_tags,
    parse_timestamp,
    split_money,
)
from devspend.money import join_money

SEPT_18_22H = datetime(2024, 9, 18, 22, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "2024-09-18 22:00:00",
        "2024-09-18T22:00:00Z",
        "2024-09-18T22:00Z",
        "2024-09-18 22:00",
        "2024-09-18T22:00:00.000Z",
        "2024-09-18T22:00:00.000000+00:00",
        "2024-09-19T00:00:00+02:00",
        "9/18/24 22:00",
    ],
)
def test_timestamps_in_every_spelling_are_the_same_utc_instant(text: str) -> None:
    assert parse_timestamp(text) == SEPT_18_22H


def test_us_style_dates_and_plain_dates() -> None:
    assert parse_timestamp("5/1/25") == datetime(2025, 5, 1, tzinfo=UTC)
    assert parse_timestamp("12/31/2025") == datetime(2025, 12, 31, tzinfo=UTC)
    assert parse_timestamp("2025-05-01") == datetime(2025, 5, 1, tzinfo=UTC)


def test_naive_parquet_datetimes_are_utc() -> None:
    assert parse_timestamp(datetime(2024, 9, 18, 22)) == SEPT_18_22H


@pytest.mark.parametrize("text", ["yesterday", "2024-13-01", "31/31/25", ""])
def test_bad_timestamps_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"timestamp|date"):
        parse_timestamp(text)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.00000080000", Decimal("0.0000008")),
        ('$10,100.00 ', Decimal("10100")),
        ("$100.00 ", Decimal("100")),
        ("(5.25)", Decimal("-5.25")),
        ("-$3.10", Decimal("-3.10")),
        ("1e-3", Decimal("0.001")),
        (0.1, Decimal("0.1")),
        (12, Decimal(12)),
        (Decimal("1.5"), Decimal("1.5")),
    ],
)
def test_money_is_exact(value: object, expected: Decimal) -> None:
    assert parse_decimal(value) == expected


@pytest.mark.parametrize("value", ["abc", "NaN", "Infinity", "1.2.3", True])
def test_non_numbers_are_refused(value: object) -> None:
    with pytest.raises(ValueError, match="number"):
        parse_decimal(value)


@pytest.mark.parametrize(
    "amount",
    ["0", "0.00001605990", "-0.00000000001", "123456789.123456789012", "-2.61370000000"],
)
def test_split_money_round_trips_twelve_decimals(amount: str) -> None:
    nanos, picos = split_money(Decimal(amount))
    assert 0 <= picos < 1000
    assert join_money(nanos, picos) == Decimal(amount)


def test_split_money_sums_stay_exact() -> None:
    amounts = [Decimal("0.00000000001")] * 1500 + [Decimal("-0.000000000999")]
    parts = [split_money(a) for a in amounts]
    total = join_money(sum(n for n, _ in parts), sum(p for _, p in parts))
    assert total == sum(amounts)


def test_tags_from_json_object_key_value_array_and_pairs() -> None:
    expected = {"owner": "alice@example.com", "env": "dev"}
    assert parse_tags('{"owner": "alice@example.com", "env": "dev"}') == expected
    assert parse_tags('[{"key": "owner", "value": "alice@example.com"}, {"key": "env", '
                      '"value": "dev"}]') == expected
    assert parse_tags([("owner", "alice@example.com"), ("env", "dev")]) == expected
    assert parse_tags('"owner": "alice@example.com", "env": "dev"') == expected


def test_valueless_tag_is_true_and_nested_values_are_kept_as_json() -> None:
    assert parse_tags('{"flagged": null, "meta": {"a": 1}}') == {
        "flagged": True,
        "meta": '{"a": 1}',
    }


def test_tags_that_are_not_json_are_refused() -> None:
    with pytest.raises(ValueError, match="Tags"):
        parse_tags("owner=alice")


def test_columns_are_matched_case_blind_with_aliases_and_custom_columns_kept() -> None:
    assert canonical_column("\ufeffbilledcost") == "BilledCost"
    assert canonical_column("AmortizedCost") == "EffectiveCost"
    assert canonical_column("oci_BackReferenceNumber") == "oci_BackReferenceNumber"
    assert canonical_column("x_Whatever") == "x_Whatever"
    assert canonical_column("Id") == "Id"


def test_version_detection_from_columns() -> None:
    assert detect_version(["ServiceProviderName", "InvoiceId"]) == "1.3"
    assert detect_version(["SkuMeter", "ChargeClass"]) == "1.2"
    assert detect_version(["ChargeClass"]) == "1.0"
    assert detect_version(["BilledCost"]) == "unknown"


def test_enums_are_case_blind() -> None:
    assert canonical_enum("usage", CHARGE_CATEGORIES) == "Usage"
    assert canonical_enum("USAGE ", CHARGE_CATEGORIES) == "Usage"
    assert canonical_enum("Refund", CHARGE_CATEGORIES) is None
