"""A tiny hand-made Cursor usage fixture for FOCUS export and spend tests.

Rows go straight into ``usage_daily_detail``; every coarser grain (per person, model,
kind, month) is then derived by the store's own ``recompute_rollups``, so these tests do
not depend on the sync engine and the summaries stay consistent with each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import sqlalchemy as sa

from devspend.reports.filters import ReportFilter
from devspend.reports.ownership import Ownership, build_ownership
from devspend.reports.spend import CostBasis, Grain, SpendView, build_spend
from devspend.store.summaries import recompute_rollups
from devspend.store.tables import (
    integrations,
    kinds,
    models,
    people,
    usage_daily_detail,
)

NOW = datetime(2025, 2, 2, tzinfo=UTC)


@dataclass(frozen=True)
class Usage:
    day: date
    email: str
    model: str
    kind: str
    max_mode: bool
    input_tokens: int = 0
    output_tokens: int = 0
    cache_write_tokens: int = 0
    cache_read_tokens: int = 0
    total_ucents: int = 0
    charged_ucents: int = 0
    token_fee_ucents: int = 0
    requests_costs_micros: int = 0
    events: int = 1
    token_based_events: int = 1
    chargeable_ucents: int = 0


MEASURES = (
    "input_tokens", "output_tokens", "cache_write_tokens", "cache_read_tokens", "total_ucents",
    "charged_ucents", "token_fee_ucents", "requests_costs_micros", "events", "token_based_events",
    "chargeable_ucents",
)  # fmt: skip

# $0.12345678 billed; $0.50 included: Cursor reports chargedCents 4.2 on it ($0.042, as
# in the API reference) but it is not chargeable, so it bills 0; $0.04 billed,
# request-priced. Billed (Σ chargeable_ucents) $0.16345678; all charged $0.20545678.
USAGE = [
    Usage(date(2025, 1, 31), "Alice@Example.com", "claude-4-sonnet", "Usage-based", False,
          1000, 200, 0, 5000, 12_345_678, 12_345_678, 100_000, 2_000_000, 3, 3, 12_345_678),
    Usage(date(2025, 2, 1), "Alice@Example.com", "gpt-5", "Included in Business", True,
          10, 20, 0, 0, 50_000_000, 4_200_000, 0, 0, 1, 1, 0),
    Usage(date(2025, 2, 1), "bob@example.com", "auto", "Usage-based", False,
          0, 0, 0, 0, 4_000_000, 4_000_000, 0, 1_500_000, 1, 0, 4_000_000),
]  # fmt: skip


def insert_usage(engine: sa.Engine, usage: list[Usage] = USAGE) -> int:
    """Insert one integration, its people/models/kinds and ``usage``; return the integration id."""
    with engine.begin() as conn:
        integration_id = conn.execute(
            integrations.insert().values(
                display_name="Acme AI", api_key_encrypted=b"x", key_hint="key_test_valid_0001",
                status="ok", created_at=NOW, updated_at=NOW,
            )
        ).inserted_primary_key[0]  # type: ignore[index]
        ids: dict[tuple[str, str], int] = {}

        def ensure(table: sa.Table, key_value: str, **values: object) -> int:
            key = (table.name, key_value)
            if key not in ids:
                inserted = conn.execute(table.insert().values(**values))
                ids[key] = int(inserted.inserted_primary_key[0])  # type: ignore[index]
            return ids[key]

        for row in usage:
            person = ensure(people, row.email, integration_id=integration_id, email=row.email,
                            name=row.email.split("@")[0].title())  # fmt: skip
            model = ensure(models, row.model, name=row.model)
            kind = ensure(kinds, row.kind, name=row.kind, category="usage_based")
            measures = {m: getattr(row, m) for m in MEASURES}
            conn.execute(
                usage_daily_detail.insert().values(
                    integration_id=integration_id, day=row.day, person_id=person,
                    model_id=model, kind_id=kind, max_mode=row.max_mode, **measures,
                )
            )
        days = [row.day for row in usage]
        if days:
            recompute_rollups(conn, integration_id=int(integration_id), first=min(days),
                              last=max(days))  # fmt: skip
    return int(integration_id)


def spend_report(
    engine: sa.Engine, *, first_day: date, last_day: date, grain: Grain = Grain.month,
    cost: CostBasis = CostBasis.billed, integration_id: int | None = None,
) -> SpendView:  # fmt: skip
    with engine.connect() as conn:
        flt = ReportFilter("custom", first_day, last_day, integration_id)
        return build_spend(conn, flt, grain=grain, cost=cost)


def ownership_report(
    engine: sa.Engine, *, first_day: date, last_day: date, integration_id: int | None = None
) -> Ownership:
    with engine.connect() as conn:
        flt = ReportFilter("custom", first_day, last_day, integration_id)
        return build_ownership(conn, flt, cost="billed")


def dollars(cents: Decimal) -> Decimal:
    return cents / 100
