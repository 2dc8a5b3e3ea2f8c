"""Report output: exact decimal money in JSON, the same columns in CSV, snake_case keys."""

from __future__ import annotations

import json
from decimal import Decimal

from devspend.cli.render import decimal_text, rows_to_csv, rows_to_json
from devspend.store.queries import MEASURE_FIELDS, UserRow


def _user(**money: Decimal) -> UserRow:
    values: dict[str, object] = dict.fromkeys(MEASURE_FIELDS, 0)
    values.update(total_cents=Decimal("0.1"), charged_cents=Decimal("0.3"),
                  cursor_token_fee_cents=Decimal(0), requests_costs=Decimal("1.4"))  # fmt: skip
    values.update(money)
    return UserRow(**values, email="ada@example.com", name="Ada", person_id=1,  # type: ignore[arg-type]
                   integration_id=1, fast_premium_requests=None, top_model="m")  # fmt: skip


def test_decimal_text_is_exact() -> None:
    assert decimal_text(Decimal("0.1") + Decimal("0.2")) == "0.3"
    assert decimal_text(Decimal("1234567890.123456")) == "1234567890.123456"
    assert decimal_text(Decimal("7.500000")) == "7.5"
    assert decimal_text(Decimal("0E-6")) == "0"
    assert decimal_text(Decimal("-2")) == "-2"


def test_json_rows_are_snake_case_with_exact_money() -> None:
    text = rows_to_json([_user(charged_cents=Decimal("12345678901.000001"))])
    assert '"charged_cents": 12345678901.000001' in text
    [row] = json.loads(text, parse_float=Decimal)
    assert row["email"] == "ada@example.com"
    assert row["charged_cents"] == Decimal("12345678901.000001")
    assert row["fast_premium_requests"] is None
    assert "person_id" not in row
    assert all(k == k.lower() and " " not in k for k in row)


def test_csv_matches_json_columns() -> None:
    rows = [_user()]
    header = rows_to_csv(rows).splitlines()[0].split(",")
    assert header == list(json.loads(rows_to_json(rows))[0])
    assert rows_to_json([]) == "[]"
