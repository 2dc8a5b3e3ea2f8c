"""The usage schema: integrations, people, raw events, summaries, spend, groups, sync state.

Money is stored as integer micro-cents (``*_ucents``, see :mod:`devspend.money`) and
request units as integer millionths (``*_micros``), so sums are exact on both engines.
Days are UTC dates. Summary tables are maintained in the same transaction as the
events they summarise; reports read summaries, never ``usage_events``.

Grains (chosen from ``shared/reference/storage-measurements.md``):
- ``usage_daily_user``   day × person                        (top users, people page)
- ``usage_daily_model``  day × model                         (model mix, charts)
- ``usage_daily_kind``   day × kind                          (included vs usage-based)
- ``usage_daily_detail`` day × person × model × kind × max   (drill-down, FOCUS export grain)

and the same figures per calendar month (``month`` = its first day), rebuilt from the
daily rows of the months a write touched, so a long period reads ~12 rows per key
instead of ~365 (see ``store.periods``):
- ``usage_monthly_user``        month × person
- ``usage_monthly_model``       month × model
- ``usage_monthly_kind``        month × kind
- ``usage_monthly_user_model``  month × person × model   (top model, users per model)
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
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from devspend.store.metadata import metadata
from devspend.store.origins import origin_measures

# Autoincrementing 64-bit ids that SQLite still treats as ROWID aliases.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def _measures() -> list[Column[int]]:
    """The additive measures every usage summary carries (one definition, four tables)."""
    names = (
        "events", "input_tokens", "output_tokens", "cache_write_tokens", "cache_read_tokens",
        "total_ucents", "charged_ucents", "token_fee_ucents", "requests_costs_micros",
        "usage_based_events", "included_events", "errored_events", "other_kind_events",
        "chargeable_events", "max_mode_events", "headless_events", "token_based_events",
        # Σ charged cents of chargeable events only: what Cursor invoices (FOCUS BilledCost);
        # charged_ucents also counts the chargedCents that included events carry
        "chargeable_ucents",
        # events and usage value per origin other than interactive (store.origins)
        *origin_measures(),
    )  # fmt: skip
    return [Column(n, BigInteger, nullable=False, server_default="0") for n in names]


MEASURE_COLUMNS: tuple[str, ...] = tuple(c.name for c in _measures())

integrations = Table(
    "integrations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("provider", String(32), nullable=False, server_default="cursor"),
    Column("display_name", String(200)),
    Column("api_key_encrypted", LargeBinary, nullable=False),
    Column("key_hint", String(32), nullable=False),
    Column("status", String(32), nullable=False, server_default="connecting"),
    Column("status_message", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("last_sync_at", DateTime(timezone=True)),
    Column("last_attempt_at", DateTime(timezone=True)),
    Column("history_start", Date),
    Column("backfill_start_ms", BigInteger),
    Column("backfill_days_total", Integer, nullable=False, server_default="0"),
    Column("backfill_days_done", Integer, nullable=False, server_default="0"),
    Column("watermark_ms", BigInteger),
    Column("capabilities", Text),
    Column("disconnected_at", DateTime(timezone=True)),
    # whole dollars per seat per billing cycle; NULL = "seat price not set" (cost = on-demand)
    Column("seat_price_dollars", Integer),
)

people = Table(
    "people",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("integration_id", ForeignKey("integrations.id", ondelete="CASCADE"), nullable=False),
    Column("email", String(320), nullable=False),
    Column("name", String(200)),
    Column("cursor_user_id", String(64)),
    Column("role", String(32)),
    Column("is_removed", Boolean, nullable=False, server_default="0"),
    Column("first_seen_day", Date),
    Column("last_active_day", Date),
    # the day a sync first saw them in /teams/members, and first saw them removed (seats)
    Column("listed_day", Date),
    Column("removed_day", Date),
    UniqueConstraint("integration_id", "email"),
)

models = Table(
    "models",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
)

kinds = Table(
    "kinds",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    # usage_based | included | errored | other: how reports bucket this kind
    Column("category", String(32), nullable=False),
)

usage_events = Table(
    "usage_events",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    # No foreign keys on the event and summary tables, on purpose: they are written only
    # by store.events.WindowWriter, which resolves the ids in the same transaction, and
    # PostgreSQL's per-row FK triggers cost ~1/3 of bulk-write time (bench/bench_ingest.py).
    # store.integrations.delete_integration removes their rows explicitly.
    Column("integration_id", Integer, nullable=False),
    Column("ts_ms", BigInteger, nullable=False),
    Column("day", Date, nullable=False),
    Column("person_id", Integer, nullable=False),
    Column("model_id", Integer, nullable=False),
    Column("kind_id", Integer, nullable=False),
    Column("max_mode", Boolean, nullable=False),
    Column("is_headless", Boolean, nullable=False),
    Column("is_token_based", Boolean, nullable=False),
    Column("is_chargeable", Boolean),
    Column("requests_costs_micros", BigInteger, nullable=False),
    Column("input_tokens", BigInteger, nullable=False),
    Column("output_tokens", BigInteger, nullable=False),
    Column("cache_write_tokens", BigInteger, nullable=False),
    Column("cache_read_tokens", BigInteger, nullable=False),
    Column("total_ucents", BigInteger, nullable=False),
    Column("charged_ucents", BigInteger, nullable=False),
    Column("token_fee_ucents", BigInteger, nullable=False),
    # blake2b-128 of the canonical raw JSON, and its rank among identical events
    Column("fingerprint", String(32), nullable=False),
    Column("occurrence", SmallInteger, nullable=False),
    Column("raw", Text, nullable=False),
    # store.origins: 0 interactive, 1 headless, 2 cloud agent, 3 service account, 4 automation
    Column("origin", SmallInteger, nullable=False, server_default="0"),
    # also the index for range replaces and summary recomputes (by integration and time)
    UniqueConstraint("integration_id", "ts_ms", "fingerprint", "occurrence"),
    Index("ix_usage_events_person_ts", "person_id", "ts_ms"),
)


def _summary(name: str, *keys: Column[object]) -> Table:
    key_names = ["integration_id", "day", *(k.name for k in keys)]
    return Table(
        name,
        metadata,
        Column("integration_id", Integer, primary_key=True),
        Column("day", Date, primary_key=True),
        *keys,
        *_measures(),
        Index(f"ix_{name}_day", "day", *key_names[2:]),
        # SQLite: the primary key is the table (no rowid b-tree beside it), so the
        # recompute in store.summaries writes two b-trees per row instead of three.
        sqlite_with_rowid=False,
    )


usage_daily_user = _summary(
    "usage_daily_user",
    Column("person_id", Integer, primary_key=True),
)
# one person's days without walking everyone's (the per-person daily chart of the top N)
Index("ix_usage_daily_user_person", usage_daily_user.c.integration_id,
      usage_daily_user.c.person_id, usage_daily_user.c.day)  # fmt: skip
usage_daily_model = _summary(
    "usage_daily_model",
    Column("model_id", Integer, primary_key=True),
)
usage_daily_kind = _summary(
    "usage_daily_kind",
    Column("kind_id", Integer, primary_key=True),
)
usage_daily_detail = _summary(
    "usage_daily_detail",
    Column("person_id", Integer, primary_key=True),
    Column("model_id", Integer, primary_key=True),
    Column("kind_id", Integer, primary_key=True),
    Column("max_mode", Boolean, primary_key=True),
)



def _monthly(name: str, *keys: Column[object]) -> Table:
    return Table(
        name,
        metadata,
        Column("integration_id", Integer, primary_key=True),
        # the first day of the UTC calendar month
        Column("month", Date, primary_key=True),
        *keys,
        *_measures(),
        sqlite_with_rowid=False,
    )


usage_monthly_user = _monthly(
    "usage_monthly_user",
    Column("person_id", Integer, primary_key=True),
)
usage_monthly_model = _monthly(
    "usage_monthly_model",
    Column("model_id", Integer, primary_key=True),
)
usage_monthly_kind = _monthly(
    "usage_monthly_kind",
    Column("kind_id", Integer, primary_key=True),
)
usage_monthly_user_model = _monthly(
    "usage_monthly_user_model",
    Column("person_id", Integer, primary_key=True),
    Column("model_id", Integer, primary_key=True),
)

daily_usage = Table(
    "daily_usage",
    metadata,
    Column("integration_id", ForeignKey("integrations.id", ondelete="CASCADE"),
           primary_key=True),
    Column("day", Date, primary_key=True),
    Column("email", String(320), primary_key=True),
    Column("is_active", Boolean, nullable=False),
    Column("subscription_included_reqs", BigInteger, nullable=False, server_default="0"),
    Column("usage_based_reqs", BigInteger, nullable=False, server_default="0"),
    Column("api_key_reqs", BigInteger, nullable=False, server_default="0"),
    Column("most_used_model", String(200)),
    Column("raw", Text, nullable=False),
)

member_spend = Table(
    "member_spend",
    metadata,
    Column("integration_id", ForeignKey("integrations.id", ondelete="CASCADE"),
           primary_key=True),
    Column("cycle_start", DateTime(timezone=True), primary_key=True),
    Column("email", String(320), primary_key=True),
    Column("taken_at", DateTime(timezone=True), nullable=False),
    # events were synced through this instant (epoch ms) when the snapshot was taken:
    # reconciliation compares the snapshot with the events up to here
    Column("events_through_ms", BigInteger),
    Column("spend_ucents", BigInteger, nullable=False),
    Column("overall_spend_ucents", BigInteger),
    Column("fast_premium_requests", BigInteger),
    Column("hard_limit_override_dollars", BigInteger),
    Column("monthly_limit_dollars", BigInteger),
    Column("effective_per_user_limit_dollars", BigInteger),
    Column("raw", Text, nullable=False),
)

UNASSIGNED_GROUP_TYPE = "UNASSIGNED"
"""``billing_groups.type`` of Cursor's ``unassignedGroup`` (people in no billing group)."""

billing_groups = Table(
    "billing_groups",
    metadata,
    Column("integration_id", ForeignKey("integrations.id", ondelete="CASCADE"),
           primary_key=True),
    Column("group_id", String(100), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("type", String(32)),
    Column("cycle_start", Date),
    Column("spend_ucents", BigInteger),
    Column("member_count", Integer),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

billing_group_members = Table(
    "billing_group_members",
    metadata,
    Column("integration_id", ForeignKey("integrations.id", ondelete="CASCADE"),
           primary_key=True),
    Column("group_id", String(100), primary_key=True),
    Column("email", String(320), primary_key=True),
    Column("joined_at_ms", BigInteger, primary_key=True, server_default="0"),
    Column("left_at_ms", BigInteger),
    Column("spend_ucents", BigInteger),
)

sync_windows = Table(
    "sync_windows",
    metadata,
    Column("integration_id", ForeignKey("integrations.id", ondelete="CASCADE"),
           primary_key=True),
    Column("start_ms", BigInteger, primary_key=True),
    Column("end_ms", BigInteger, nullable=False),
    Column("events", BigInteger, nullable=False, server_default="0"),
    Column("completed_at", DateTime(timezone=True), nullable=False),
)

usage_coverage = Table(
    "usage_coverage",
    metadata,
    Column("integration_id", ForeignKey("integrations.id", ondelete="CASCADE"),
           primary_key=True),
    Column("day", Date, primary_key=True),
    # complete | partial | unavailable
    Column("status", String(16), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
