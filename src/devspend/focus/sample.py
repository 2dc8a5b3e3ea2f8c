"""A generated month of FOCUS 1.2 cloud costs (AWS, Azure, GCP) for the demo.

Rows carry ``owner`` tags naming people (emails) and teams, plus some untagged spend,
so the demo shows AI + cloud per person and team on first run. Deterministic for a
seed; written as ordinary FOCUS CSV files and imported through the normal importer.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

_COLUMNS = (
    "BilledCost", "EffectiveCost", "ListCost", "ContractedCost", "BillingCurrency",
    "BillingAccountId", "BillingAccountName", "SubAccountId", "SubAccountName",
    "BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd",
    "ChargeCategory", "ChargeClass", "ChargeFrequency", "ChargeDescription",
    "ServiceName", "ServiceCategory", "ProviderName", "PublisherName", "InvoiceIssuerName",
    "InvoiceId", "RegionId", "ResourceId", "Tags",
)  # fmt: skip

_PROVIDERS: tuple[tuple[str, str, str, tuple[tuple[str, str, int], ...]], ...] = (
    ("aws", "AWS", "Amazon Web Services, Inc.", (
        ("Amazon Elastic Compute Cloud", "Compute", 1800), ("Amazon Simple Storage Service",
         "Storage", 400), ("Amazon Relational Database Service", "Databases", 900))),
    ("azure", "Microsoft", "Microsoft Corporation", (
        ("Virtual Machines", "Compute", 900), ("Azure Blob Storage", "Storage", 250))),
    ("gcp", "Google Cloud", "Google LLC", (
        ("Compute Engine", "Compute", 700), ("BigQuery", "Analytics", 500))),
)  # fmt: skip
"""(file stem, provider, invoice issuer, services: (name, category, mean cents per day))."""


def _month_bounds(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following


def _stamp(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def write_sample_month(
    folder: Path,
    *,
    last_day: date,
    people: Sequence[str],
    teams: Sequence[str],
    days: int = 30,
    seed: int = 7,
) -> list[Path]:
    """Write one FOCUS CSV per provider for the ``days`` days ending ``last_day``.

    Each service-day is split among a few owners: people (``owner`` = email), teams
    (``owner`` = team name) and about a sixth untagged. Returns the files written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(f"focus-sample:{seed}")
    owners: list[str | None] = [*people, *teams, None]
    written = []
    for stem, provider, issuer, services in _PROVIDERS:
        path = folder / f"{stem}-focus.csv"
        account = f"{stem}-demo-{seed:04d}"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(_COLUMNS)
            for offset in range(days):
                day = last_day - timedelta(days=days - 1 - offset)
                period_start, period_end = _month_bounds(day)
                for service, category, mean in services:
                    shares = rng.sample(owners, k=min(3, len(owners)))
                    if None not in shares and rng.random() < 0.2:
                        shares[-1] = None
                    for owner in shares:
                        cents = int(mean * rng.uniform(0.2, 0.7))
                        billed = Decimal(cents) / 100
                        tags = {"owner": owner, "env": "prod"} if owner else {"env": "shared"}
                        writer.writerow((
                            billed, billed, billed, billed, "USD", account,
                            f"{provider} demo account", f"{account}-sub", "demo",
                            _stamp(period_start), _stamp(period_end), _stamp(day),
                            _stamp(day + timedelta(days=1)), "Usage", "", "Usage-Based",
                            f"{service} usage", service, category, provider, provider, issuer,
                            f"INV-{stem}-{period_start:%Y%m}", "us-east-1",
                            f"{stem}:{service.lower().replace(' ', '-')}:{owner or 'shared'}",
                            json.dumps(tags, sort_keys=True),
                        ))  # fmt: skip
        written.append(path)
    return written
