"""event origins (interactive, headless, cloud agent, service account, automation)

Adds ``usage_events.origin`` and, on every usage summary, events and usage value per
origin other than interactive. Stored events get their origin from their raw JSON (the
ids Cursor sends: automationId, serviceAccountId, cloudAgentId; isHeadless), then the
summaries of every stored day are recomputed so they equal their events again.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

SUMMARIES = (
    "usage_daily_user", "usage_daily_model", "usage_daily_kind", "usage_daily_detail",
    "usage_monthly_user", "usage_monthly_model", "usage_monthly_kind", "usage_monthly_user_model",
)  # fmt: skip
MEASURES = tuple(
    f"origin_{name}_{what}" for name in ("headless", "cloud_agent", "service_account",
                                         "automation") for what in ("events", "ucents")
)  # fmt: skip


def _has(field: str) -> str:
    """SQL that is true when the raw event carries ``field`` (present and not null)."""
    if op.get_bind().dialect.name == "postgresql":
        return f"(raw::json ->> '{field}') IS NOT NULL"
    return f"json_extract(raw, '$.{field}') IS NOT NULL"


def upgrade() -> None:
    with op.batch_alter_table("usage_events") as batch:
        batch.add_column(sa.Column("origin", sa.SmallInteger(), server_default="0",
                                   nullable=False))  # fmt: skip
    for table in SUMMARIES:
        with op.batch_alter_table(table) as batch:
            for name in MEASURES:
                batch.add_column(sa.Column(name, sa.BigInteger(), server_default="0",
                                           nullable=False))  # fmt: skip
    conn = op.get_bind()
    postgres = conn.dialect.name == "postgresql"
    headless = "(is_headless = true)" if postgres else "(is_headless = 1)"
    update = (
        "UPDATE usage_events SET origin = CASE"  # noqa: S608 - no input reaches it
        f" WHEN {_has('automationId')} THEN 4 WHEN {_has('serviceAccountId')} THEN 3"
        f" WHEN {_has('cloudAgentId')} THEN 2 WHEN {headless} THEN 1 ELSE 0 END"
        " WHERE raw LIKE '%automationId%' OR raw LIKE '%serviceAccountId%'"
        " OR raw LIKE '%cloudAgentId%' OR is_headless"
    )  # fixed field names only: nothing from outside reaches this SQL
    conn.execute(sa.text(update))
    # the summaries must count the new measures for data stored before this revision
    from devspend.store.summaries import recompute_summaries

    spans = conn.execute(sa.text(
        "SELECT integration_id, MIN(day), MAX(day) FROM usage_events GROUP BY integration_id"
    )).all()  # fmt: skip
    for integration_id, first, last in spans:
        recompute_summaries(conn, integration_id=int(integration_id),
                            first=date.fromisoformat(str(first)),
                            last=date.fromisoformat(str(last)))  # fmt: skip


def downgrade() -> None:
    for table in SUMMARIES:
        with op.batch_alter_table(table) as batch:
            for name in MEASURES:
                batch.drop_column(name)
    with op.batch_alter_table("usage_events") as batch:
        batch.drop_column("origin")
