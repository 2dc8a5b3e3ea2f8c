"""AI Code Tracking: commits and accepted AI changes as Cursor sent them, kept forever.

- ``ai_code_commits``  one row per (commit hash, ``createdAt``): an amended commit is
  sent again under the same hash with a later ``createdAt``, and both rows are kept
  exactly; reports count a hash once, from its latest row (``store.ai_code_queries``).
- ``ai_code_changes``  one row per ``changeId`` (TAB or COMPOSER); its per-file
  ``metadata`` stays in ``raw``.
- ``ai_code_requests`` the ETag and ``totalCount`` of every stored page, written in the
  same transaction as the page's rows: a 304 for that request means "already stored".
- ``ai_code_coverage`` per endpoint and UTC day of ``createdAt``: complete or partial
  (inside the look-back), written once a day's whole window is stored.
- ``ai_code_access``   whether the key could read the endpoints at the last sync, and
  Cursor's reason when not, so pages can say why the AI code figures are empty.

Line counts are plain integers; ``non_ai_derived`` marks rows whose non-AI counts
Cursor left null and devspend derived as ``max(0, total − tab − composer)``.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
)

from devspend.store.metadata import metadata


def _integration() -> Column[int]:
    return Column(
        "integration_id", ForeignKey("integrations.id", ondelete="CASCADE"), primary_key=True
    )


def _lines(*names: str) -> list[Column[int]]:
    return [Column(n, BigInteger, nullable=False, server_default="0") for n in names]


ai_code_commits = Table(
    "ai_code_commits",
    metadata,
    _integration(),
    Column("commit_hash", String(100), primary_key=True),
    Column("created_at_ms", BigInteger, primary_key=True),
    # the UTC day of commitTs (of createdAt when Cursor sent none): what reports group by
    Column("day", Date, nullable=False),
    Column("commit_ts_ms", BigInteger),
    Column("email", String(320), nullable=False),
    Column("cursor_user_id", String(64)),
    Column("repo_name", String(300)),
    Column("branch_name", String(300)),
    Column("is_primary_branch", Boolean),
    Column("commit_source", String(16)),
    *_lines(
        "total_lines_added",
        "total_lines_deleted",
        "tab_lines_added",
        "tab_lines_deleted",
        "composer_lines_added",
        "composer_lines_deleted",
        "non_ai_lines_added",
        "non_ai_lines_deleted",
    ),
    Column("non_ai_derived", Boolean, nullable=False, server_default="0"),
    Column("message", Text),
    Column("raw", Text, nullable=False),
    Index("ix_ai_code_commits_day", "integration_id", "day"),
)

ai_code_changes = Table(
    "ai_code_changes",
    metadata,
    _integration(),
    Column("change_id", String(100), primary_key=True),
    Column("created_at_ms", BigInteger, nullable=False),
    Column("day", Date, nullable=False),
    Column("email", String(320), nullable=False),
    Column("cursor_user_id", String(64)),
    Column("source", String(16), nullable=False),
    Column("model", String(200)),
    *_lines("total_lines_added", "total_lines_deleted", "files"),
    Column("raw", Text, nullable=False),
    Index("ix_ai_code_changes_day", "integration_id", "day"),
)

ai_code_requests = Table(
    "ai_code_requests",
    metadata,
    _integration(),
    Column("request_key", String(400), primary_key=True),
    Column("endpoint", String(16), nullable=False),
    Column("etag", String(200), nullable=False),
    Column("total_count", BigInteger, nullable=False),
    Column("fetched_at", DateTime(timezone=True), nullable=False),
)

ai_code_coverage = Table(
    "ai_code_coverage",
    metadata,
    _integration(),
    Column("endpoint", String(16), primary_key=True),
    Column("day", Date, primary_key=True),
    # complete | partial
    Column("status", String(16), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

ai_code_access = Table(
    "ai_code_access",
    metadata,
    _integration(),
    # ok | denied
    Column("status", String(16), nullable=False),
    Column("message", Text),
    Column("checked_at", DateTime(timezone=True), nullable=False),
)

# List prices an admin added for models genai-prices lacks (``devspend prices set``), in
# micro-cents per million tokens; what-if re-pricing uses them before the package's.
model_prices = Table(
    "model_prices",
    metadata,
    Column("model", String(200), primary_key=True),
    *_lines("input_ucents_per_mtok", "output_ucents_per_mtok", "cache_write_ucents_per_mtok",
            "cache_read_ucents_per_mtok"),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
