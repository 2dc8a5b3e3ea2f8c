"""viewer teams (viewers limited to some allocation teams)

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "viewer_teams",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("team", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_users.id"],
                                name=op.f("fk_viewer_teams_user_id_app_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "team", name=op.f("pk_viewer_teams")),
    )


def downgrade() -> None:
    op.drop_table("viewer_teams")
