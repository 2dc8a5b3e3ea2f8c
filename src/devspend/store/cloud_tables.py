"""Imported cloud costs (FOCUS) and people/team allocation (owned by the FOCUS issue).

Money is exact on both engines without ``NUMERIC`` (SQLite would store it as REAL):
every cost is two integers, whole **nano**-units of its currency (``*_nanos``) plus
the 0–999 **picos** below that (``*_picos``), because real exports carry 11
decimals and one 10⁻¹² BIGINT would overflow SQLite's SUM near 9 million. The
original text stays in ``billed_cost_text`` and the whole source row in ``raw``.

Grains:
- ``cloud_import_batches`` one row per file × account × billing period of an import run;
  a later run for the same account and billing period deletes the earlier batches.
- ``cloud_costs``          one row per FOCUS row (drill-down); reports group it by day.
- ``allocations``          person (email) → team and cost center.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from devspend.store.metadata import metadata

_BigId = BigInteger().with_variant(Integer(), "sqlite")


def _money(name: str, *, nullable: bool) -> list[Column[int]]:
    return [
        Column(f"{name}_nanos", BigInteger, nullable=nullable),
        Column(f"{name}_picos", Integer, nullable=nullable),
    ]


cloud_import_batches = Table(
    "cloud_import_batches",
    metadata,
    Column("id", _BigId, primary_key=True, autoincrement=True),
    Column("run_id", String(32), nullable=False),
    # the replacement key: --account-name, else BillingAccountId, else the provider
    Column("account", Text, nullable=False),
    Column("provider", Text),
    Column("billing_period_start", Date, nullable=False),
    Column("billing_period_end", Date),
    Column("file_name", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("focus_version", String(16), nullable=False),
    Column("rows", Integer, nullable=False, server_default="0"),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Index("ix_cloud_import_batches_account_period", "account", "billing_period_start"),
)

cloud_costs = Table(
    "cloud_costs",
    metadata,
    Column("id", _BigId, primary_key=True, autoincrement=True),
    Column("batch_id", ForeignKey("cloud_import_batches.id", ondelete="CASCADE"), nullable=False),
    Column("line", Integer, nullable=False),
    Column("provider", Text),
    Column("publisher", Text),
    Column("invoice_issuer", Text),
    Column("billing_account_id", Text),
    Column("billing_account_name", Text),
    Column("sub_account_id", Text),
    Column("sub_account_name", Text),
    Column("service_name", Text),
    Column("service_category", Text),
    Column("service_subcategory", Text),
    Column("charge_category", String(32), nullable=False),
    Column("charge_class", String(32)),
    Column("charge_frequency", String(32)),
    Column("charge_period_start", DateTime(timezone=True), nullable=False),
    Column("charge_period_end", DateTime(timezone=True), nullable=False),
    Column("day", Date, nullable=False),
    Column("billing_period_start", Date, nullable=False),
    Column("billing_period_end", Date),
    Column("billing_currency", String(16), nullable=False),
    Column("region_id", Text),
    Column("resource_id", Text),
    Column("sku_id", Text),
    *_money("billed_cost", nullable=False),
    *_money("effective_cost", nullable=True),
    *_money("list_cost", nullable=True),
    *_money("contracted_cost", nullable=True),
    Column("billed_cost_text", Text, nullable=False),
    Column("tags", Text),
    # the value of the configured owner tag (settings.owner_tag_key) at import time
    Column("owner", Text),
    Column("raw", Text, nullable=False),
    Index("ix_cloud_costs_batch_id", "batch_id"),
    Index("ix_cloud_costs_day", "day", "provider"),
    Index("ix_cloud_costs_owner", "owner"),
)

allocations = Table(
    "allocations",
    metadata,
    Column("email", String(320), primary_key=True),
    Column("team", String(200)),
    Column("cost_center", String(200)),
    # manual | csv | billing_group (manual and csv rows are never overwritten by groups)
    Column("source", String(16), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
