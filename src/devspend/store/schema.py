"""Every table devspend has, registered on one ``metadata`` (what Alembic compares against)."""

from devspend.store import ai_code_tables, alert_tables, auth_tables, cloud_tables, schedule, tables
from devspend.store.metadata import metadata

__all__ = [
    "ai_code_tables", "alert_tables", "auth_tables", "cloud_tables", "metadata", "schedule",
    "tables",
]  # fmt: skip
