"""seats and reconciliation: seat price, member list days, spend snapshot's event horizon

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("integrations") as batch:
        batch.add_column(sa.Column("seat_price_dollars", sa.Integer(), nullable=True))
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("listed_day", sa.Date(), nullable=True))
        batch.add_column(sa.Column("removed_day", sa.Date(), nullable=True))
    with op.batch_alter_table("member_spend") as batch:
        batch.add_column(sa.Column("events_through_ms", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("member_spend") as batch:
        batch.drop_column("events_through_ms")
    with op.batch_alter_table("people") as batch:
        batch.drop_column("removed_day")
        batch.drop_column("listed_day")
    with op.batch_alter_table("integrations") as batch:
        batch.drop_column("seat_price_dollars")
