"""Budgets, notification channels, raised alerts and their deliveries (the alerts issue).

- ``budgets``          a named amount (micro-cents) per month or billing cycle, for a scope
                       (all, an integration, a team, a cost center or a person) and a figure.
- ``alert_channels``   Apprise URLs, encrypted like API keys (``store.secrets``); only a
                       hint (scheme and host) is ever shown back.
- ``alerts``           one row per rule × scope × period/day: ``dedupe_key`` is unique, so the
                       first replica to insert it owns it and nobody raises it twice.
- ``alert_deliveries`` one row per alert × channel; claimed by a conditional UPDATE before
                       sending, so two replicas never send the same delivery, and a failed
                       one stays ``failed`` (shown, retried on the next check).
- ``alert_mutes``      rules an admin muted: their alerts are still recorded, not sent.
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
    LargeBinary,
    String,
    Table,
    Text,
)

from devspend.store.metadata import metadata

_BigId = BigInteger().with_variant(Integer(), "sqlite")

budgets = Table(
    "budgets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("amount_ucents", BigInteger, nullable=False),
    # month | cycle
    Column("period", String(16), nullable=False),
    # all | integration | team | cost_center | person
    Column("scope_kind", String(16), nullable=False),
    Column("scope_value", String(320)),
    # cost | on_demand | usage_value
    Column("figure", String(16), nullable=False),
    # comma-separated percentages, e.g. "50,80,100"
    Column("thresholds", String(100), nullable=False),
    Column("forecast_alert", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # ids are never reused: alerts are deduplicated on them
    sqlite_autoincrement=True,
)

alert_channels = Table(
    "alert_channels",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("url_encrypted", LargeBinary, nullable=False),
    Column("hint", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    sqlite_autoincrement=True,
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", _BigId, primary_key=True, autoincrement=True),
    Column("dedupe_key", String(500), nullable=False, unique=True),
    Column("rule", String(100), nullable=False),
    # budget_threshold | budget_forecast | limit_forecast | anomaly | new_pattern
    Column("kind", String(32), nullable=False),
    Column("scope", String(400), nullable=False),
    Column("figure", String(16)),
    Column("amount_ucents", BigInteger),
    Column("threshold_ucents", BigInteger),
    Column("period", String(32), nullable=False),
    Column("person", String(320)),
    Column("team", String(200)),
    Column("driver", Text),
    Column("message", Text, nullable=False),
    Column("link", String(500)),
    # the structured fields as JSON (what a JSON webhook receives besides the text)
    Column("payload", Text, nullable=False),
    Column("muted", Boolean, nullable=False, server_default="0"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("acknowledged_at", DateTime(timezone=True)),
    Column("acknowledged_by", String(320)),
    Index("ix_alerts_created_at", "created_at"),
)

alert_deliveries = Table(
    "alert_deliveries",
    metadata,
    Column("alert_id", ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True),
    Column("channel_id", ForeignKey("alert_channels.id", ondelete="CASCADE"), primary_key=True),
    # pending | sending | sent | failed | gave_up
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("claim", String(32)),
    Column("claimed_at", DateTime(timezone=True)),
    Column("last_error", Text),
    Column("sent_at", DateTime(timezone=True)),
    Index("ix_alert_deliveries_status", "status"),
)

alert_mutes = Table(
    "alert_mutes",
    metadata,
    Column("rule", String(100), primary_key=True),
    Column("muted_by", String(320)),
    Column("muted_at", DateTime(timezone=True), nullable=False),
)
