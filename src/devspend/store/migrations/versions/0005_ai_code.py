"""ai code tracking (commits, changes, request ETags, coverage, access)

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ai_code_access",
        sa.Column("integration_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["integration_id"],
            ["integrations.id"],
            name=op.f("fk_ai_code_access_integration_id_integrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("integration_id", name=op.f("pk_ai_code_access")),
    )
    op.create_table(
        "ai_code_changes",
        sa.Column("integration_id", sa.Integer(), nullable=False),
        sa.Column("change_id", sa.String(length=100), nullable=False),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("cursor_user_id", sa.String(length=64), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=True),
        sa.Column("total_lines_added", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("total_lines_deleted", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("files", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["integration_id"],
            ["integrations.id"],
            name=op.f("fk_ai_code_changes_integration_id_integrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("integration_id", "change_id", name=op.f("pk_ai_code_changes")),
    )
    with op.batch_alter_table("ai_code_changes", schema=None) as batch_op:
        batch_op.create_index("ix_ai_code_changes_day", ["integration_id", "day"], unique=False)

    op.create_table(
        "ai_code_commits",
        sa.Column("integration_id", sa.Integer(), nullable=False),
        sa.Column("commit_hash", sa.String(length=100), nullable=False),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("commit_ts_ms", sa.BigInteger(), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("cursor_user_id", sa.String(length=64), nullable=True),
        sa.Column("repo_name", sa.String(length=300), nullable=True),
        sa.Column("branch_name", sa.String(length=300), nullable=True),
        sa.Column("is_primary_branch", sa.Boolean(), nullable=True),
        sa.Column("commit_source", sa.String(length=16), nullable=True),
        sa.Column("total_lines_added", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("total_lines_deleted", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("tab_lines_added", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("tab_lines_deleted", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("composer_lines_added", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("composer_lines_deleted", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("non_ai_lines_added", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("non_ai_lines_deleted", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("non_ai_derived", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["integration_id"],
            ["integrations.id"],
            name=op.f("fk_ai_code_commits_integration_id_integrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "integration_id", "commit_hash", "created_at_ms", name=op.f("pk_ai_code_commits")
        ),
    )
    with op.batch_alter_table("ai_code_commits", schema=None) as batch_op:
        batch_op.create_index("ix_ai_code_commits_day", ["integration_id", "day"], unique=False)

    op.create_table(
        "ai_code_coverage",
        sa.Column("integration_id", sa.Integer(), nullable=False),
        sa.Column("endpoint", sa.String(length=16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["integration_id"],
            ["integrations.id"],
            name=op.f("fk_ai_code_coverage_integration_id_integrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "integration_id", "endpoint", "day", name=op.f("pk_ai_code_coverage")
        ),
    )
    op.create_table(
        "ai_code_requests",
        sa.Column("integration_id", sa.Integer(), nullable=False),
        sa.Column("request_key", sa.String(length=400), nullable=False),
        sa.Column("endpoint", sa.String(length=16), nullable=False),
        sa.Column("etag", sa.String(length=200), nullable=False),
        sa.Column("total_count", sa.BigInteger(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["integration_id"],
            ["integrations.id"],
            name=op.f("fk_ai_code_requests_integration_id_integrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("integration_id", "request_key", name=op.f("pk_ai_code_requests")),
    )


def downgrade() -> None:
    op.drop_table("ai_code_requests")
    op.drop_table("ai_code_coverage")
    with op.batch_alter_table("ai_code_commits", schema=None) as batch_op:
        batch_op.drop_index("ix_ai_code_commits_day")

    op.drop_table("ai_code_commits")
    with op.batch_alter_table("ai_code_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_ai_code_changes_day")

    op.drop_table("ai_code_changes")
    op.drop_table("ai_code_access")
