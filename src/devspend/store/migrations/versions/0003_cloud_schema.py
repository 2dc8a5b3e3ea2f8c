"""cloud schema (FOCUS cloud costs, allocation)

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _money(name: str, *, nullable: bool) -> list[sa.Column[int]]:
    return [
        sa.Column(f"{name}_nanos", sa.BigInteger(), nullable=nullable),
        sa.Column(f"{name}_picos", sa.Integer(), nullable=nullable),
    ]


def upgrade() -> None:
    op.create_table(
        "allocations",
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("team", sa.String(length=200), nullable=True),
        sa.Column("cost_center", sa.String(length=200), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("email", name=op.f("pk_allocations")),
    )
    op.create_table(
        "cloud_import_batches",
        sa.Column("id", _BigId, autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.Column("account", sa.Text(), nullable=False),
        sa.Column("provider", sa.Text(), nullable=True),
        sa.Column("billing_period_start", sa.Date(), nullable=False),
        sa.Column("billing_period_end", sa.Date(), nullable=True),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("focus_version", sa.String(length=16), nullable=False),
        sa.Column("rows", sa.Integer(), server_default="0", nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cloud_import_batches")),
    )
    op.create_index(
        "ix_cloud_import_batches_account_period",
        "cloud_import_batches",
        ["account", "billing_period_start"],
        unique=False,
    )
    op.create_table(
        "cloud_costs",
        sa.Column("id", _BigId, autoincrement=True, nullable=False),
        sa.Column("batch_id", _BigId, nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("provider", sa.Text(), nullable=True),
        sa.Column("publisher", sa.Text(), nullable=True),
        sa.Column("invoice_issuer", sa.Text(), nullable=True),
        sa.Column("billing_account_id", sa.Text(), nullable=True),
        sa.Column("billing_account_name", sa.Text(), nullable=True),
        sa.Column("sub_account_id", sa.Text(), nullable=True),
        sa.Column("sub_account_name", sa.Text(), nullable=True),
        sa.Column("service_name", sa.Text(), nullable=True),
        sa.Column("service_category", sa.Text(), nullable=True),
        sa.Column("service_subcategory", sa.Text(), nullable=True),
        sa.Column("charge_category", sa.String(length=32), nullable=False),
        sa.Column("charge_class", sa.String(length=32), nullable=True),
        sa.Column("charge_frequency", sa.String(length=32), nullable=True),
        sa.Column("charge_period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("charge_period_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("billing_period_start", sa.Date(), nullable=False),
        sa.Column("billing_period_end", sa.Date(), nullable=True),
        sa.Column("billing_currency", sa.String(length=16), nullable=False),
        sa.Column("region_id", sa.Text(), nullable=True),
        sa.Column("resource_id", sa.Text(), nullable=True),
        sa.Column("sku_id", sa.Text(), nullable=True),
        *_money("billed_cost", nullable=False),
        *_money("effective_cost", nullable=True),
        *_money("list_cost", nullable=True),
        *_money("contracted_cost", nullable=True),
        sa.Column("billed_cost_text", sa.Text(), nullable=False),
        sa.Column("tags", sa.Text(), nullable=True),
        sa.Column("owner", sa.Text(), nullable=True),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["cloud_import_batches.id"],
            name=op.f("fk_cloud_costs_batch_id_cloud_import_batches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cloud_costs")),
    )
    op.create_index("ix_cloud_costs_batch_id", "cloud_costs", ["batch_id"], unique=False)
    op.create_index("ix_cloud_costs_day", "cloud_costs", ["day", "provider"], unique=False)
    op.create_index("ix_cloud_costs_owner", "cloud_costs", ["owner"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_cloud_costs_owner", table_name="cloud_costs")
    op.drop_index("ix_cloud_costs_day", table_name="cloud_costs")
    op.drop_index("ix_cloud_costs_batch_id", table_name="cloud_costs")
    op.drop_table("cloud_costs")
    op.drop_index("ix_cloud_import_batches_account_period", table_name="cloud_import_batches")
    op.drop_table("cloud_import_batches")
    op.drop_table("allocations")
