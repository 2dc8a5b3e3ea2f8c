"""model prices an admin added (what-if re-pricing)

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_PRICES = ("input", "output", "cache_write", "cache_read")


def upgrade() -> None:
    op.create_table(
        "model_prices",
        sa.Column("model", sa.String(length=200), nullable=False),
        *[
            sa.Column(f"{p}_ucents_per_mtok", sa.BigInteger(), server_default="0", nullable=False)
            for p in _PRICES
        ],
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("model", name=op.f("pk_model_prices")),
    )


def downgrade() -> None:
    op.drop_table("model_prices")
