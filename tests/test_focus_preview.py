"""FOCUS 1.0-preview exports (``Provider``, ``Publisher``, ``InvoiceIssuer``, as the FinOps
Foundation's converters write them) import with their provider and a version, not
``(unknown)`` / ``unknown``."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from devspend.focus.importer import import_focus
from devspend.settings import Settings
from devspend.store.cloud_tables import cloud_costs


def test_preview_provider_publisher_and_issuer_are_mapped(
    engine: sa.Engine, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "preview.csv"
    path.write_text(
        "BilledCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,ChargeType,"
        "Provider,Publisher,InvoiceIssuer,ServiceName\n"
        "1.50,USD,2024-01-01T00:00:00Z,2024-01-02T00:00:00Z,Usage,AWS,AWS,"
        "Amazon Web Services EMEA SARL,Amazon EC2\n"
    )
    report = import_focus(engine, [path], settings=settings)
    assert report.files[0].focus_version == "1.0-preview"
    with engine.connect() as conn:
        row = conn.execute(sa.select(cloud_costs.c.provider, cloud_costs.c.publisher,
                                     cloud_costs.c.invoice_issuer)).one()  # fmt: skip
    assert tuple(row) == ("AWS", "AWS", "Amazon Web Services EMEA SARL")
