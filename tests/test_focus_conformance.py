"""Our FOCUS conformance checks catch each rule an export can break."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from devspend.focus.conformance import check_file

VALID: dict[str, str] = {
    "BilledCost": "1.25", "BillingAccountId": "1", "BillingAccountName": "Acme AI",
    "BillingCurrency": "USD", "BillingPeriodEnd": "2025-02-01T00:00:00Z",
    "BillingPeriodStart": "2025-01-01T00:00:00Z", "ChargeCategory": "Usage", "ChargeClass": "",
    "ChargeDescription": "Cursor gpt-5", "ChargeFrequency": "Usage-Based",
    "ChargePeriodEnd": "2025-01-02T00:00:00Z", "ChargePeriodStart": "2025-01-01T00:00:00Z",
    "ConsumedQuantity": "10", "ConsumedUnit": "Tokens", "ContractedCost": "2",
    "EffectiveCost": "1.25", "HostProviderName": "Cursor", "InvoiceIssuerName": "Anysphere, Inc.",
    "ListCost": "2", "PricingQuantity": "10", "PricingUnit": "Tokens", "ProviderName": "Cursor",
    "PublisherName": "Cursor", "ServiceCategory": "AI and Machine Learning",
    "ServiceName": "Cursor", "ServiceProviderName": "Cursor", "Tags": '{"team": "web"}',
    "x_UserEmail": "a@example.com",
}  # fmt: skip


def _write(path: Path, row: dict[str, str]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    return path


def test_a_valid_row_passes(tmp_path: Path) -> None:
    assert check_file(_write(tmp_path / "ok.csv", VALID)) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"ChargeCategory": "usage"}, "ChargeCategory 'usage' is not an allowed value"),
        ({"ChargeClass": "Refund"}, "ChargeClass 'Refund'"),
        ({"BilledCost": "$1.25"}, "BilledCost '$1.25' is not a plain decimal"),
        ({"BilledCost": ""}, "BilledCost is null"),
        ({"ProviderName": ""}, "ProviderName is null"),
        ({"BillingCurrency": "XXX"}, "not an ISO 4217"),
        ({"ChargePeriodStart": "2025-01-01 00:00:00"}, "is not YYYY-MM-DDTHH:mm:ssZ"),
        ({"ChargePeriodEnd": "2025-01-01T00:00:00Z"}, "ends are exclusive"),
        ({"ChargePeriodEnd": "2025-02-02T00:00:00Z"}, "after BillingPeriodEnd"),
        ({"ConsumedQuantity": ""}, "ConsumedQuantity is null on a Usage row"),
        ({"Tags": "[1]"}, "Tags is not a JSON object"),
        ({"Tags": '{"a": {"b": 1}}'}, "non-scalar"),
        ({"ServiceCategory": "AI"}, "ServiceCategory 'AI'"),
    ],
)
def test_each_broken_rule_is_reported(
    tmp_path: Path, change: dict[str, str], expected: str
) -> None:
    problems = check_file(_write(tmp_path / "bad.csv", {**VALID, **change}))
    assert any(expected in p for p in problems), problems


def test_missing_and_misplaced_columns(tmp_path: Path) -> None:
    row = {k: v for k, v in VALID.items() if k != "InvoiceIssuerName"}
    row = {"x_First": "1", **row, "Surprise": "?"}
    problems = check_file(_write(tmp_path / "cols.csv", row))
    assert "missing column InvoiceIssuerName" in problems
    assert "FOCUS column BilledCost comes after custom (x_) columns" in problems
    assert "column Surprise is neither FOCUS nor x_-prefixed" in problems


def test_parquet_types_are_checked(tmp_path: Path) -> None:
    columns = {k: [v or None] for k, v in VALID.items()}
    path = tmp_path / "strings.parquet"
    pq.write_table(pa.table(columns), path)
    problems = check_file(path)
    assert "BilledCost has type string, expected a decimal" in problems
    assert "ChargePeriodStart has type string, expected a UTC timestamp" in problems
