"""Web users, sessions, API tokens and login attempts (owned by the web app issue).

Secrets are never stored: session ids and API tokens are kept as SHA-256 hex
digests, passwords as argon2 hashes. ``login_attempts`` lives in the database
(not in memory) so rate limiting holds across several replicas.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
)

from devspend.store.metadata import metadata

_BigId = BigInteger().with_variant(Integer(), "sqlite")

app_users = Table(
    "app_users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("name", String(200)),
    # admin | viewer
    Column("role", String(16), nullable=False),
    # NULL for users known only through a trusted reverse-proxy header
    Column("password_hash", String(255)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_login_at", DateTime(timezone=True)),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    # sha256 hex of the random session id held only in the browser cookie
    Column("id_hash", String(64), primary_key=True),
    Column("user_id", ForeignKey("app_users.id", ondelete="CASCADE"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index("ix_web_sessions_user_id", "user_id"),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    # the first characters of the token, shown in lists so people can tell tokens apart
    Column("prefix", String(16), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_by", ForeignKey("app_users.id", ondelete="SET NULL")),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_used_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
)

login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", _BigId, primary_key=True, autoincrement=True),
    # "email:<address>" or "ip:<address>": one row per key per attempt
    Column("subject", String(400), nullable=False),
    Column("attempted_at", DateTime(timezone=True), nullable=False),
    Column("succeeded", Boolean, nullable=False),
    Index("ix_login_attempts_subject_time", "subject", "attempted_at"),
)

# A viewer limited to some teams (allocation team names) sees only their people and
# figures; a viewer without rows here, and every admin, sees everything.
viewer_teams = Table(
    "viewer_teams",
    metadata,
    Column("user_id", ForeignKey("app_users.id", ondelete="CASCADE"), primary_key=True),
    Column("team", String(200), primary_key=True),
)
