"""Migrations and the table definitions never drift apart, on either engine."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from devspend.store.engine import make_engine
from devspend.store.integrations import create_integration
from devspend.store.migrate import alembic_config, upgrade
from devspend.store.schema import metadata
from devspend.store.usage import UsageScope, usage_total


def test_single_head(engine: sa.Engine) -> None:
    script = ScriptDirectory.from_config(alembic_config(engine))
    assert len(script.get_heads()) == 1


def test_migrated_database_matches_tables(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, metadata)
    assert diff == []


def test_upgrade_twice_is_a_noop(engine: sa.Engine) -> None:
    upgrade(engine)
    with engine.connect() as conn:
        version = conn.execute(sa.text("select version_num from alembic_version")).scalar_one()
    script = ScriptDirectory.from_config(alembic_config(engine))
    assert version == script.get_current_head()


def test_event_origins_are_backfilled_from_raw_json(db_url: str) -> None:
    """Revision 0010 reads each stored event's origin from its raw JSON and recomputes the
    summaries, so usage stored before it is split by origin like new usage."""
    engine = make_engine(db_url)
    upgrade(engine, "0009")
    day = date(2026, 3, 2)
    ts = int(datetime(2026, 3, 2, 12, tzinfo=UTC).timestamp() * 1000)
    raws = ['{"isHeadless":false}', '{"isHeadless":true}', '{"cloudAgentId":"bc_1"}',
            '{"serviceAccountId":"sa_1","cloudAgentId":"bc_2"}', '{"automationId":"a_1"}']
    with engine.begin() as conn:
        iid = create_integration(conn, display_name=None, api_key_encrypted=b"x", hint="k",
                                 history_start=None, capabilities={})  # fmt: skip
        conn.execute(sa.text("INSERT INTO people (id, integration_id, email, is_removed) "
                             "VALUES (1, :i, 'ada@x.io', false)"), {"i": iid})
        conn.execute(sa.text("INSERT INTO models (id, name) VALUES (1, 'opus')"))
        conn.execute(sa.text("INSERT INTO kinds (id, name, category) "
                             "VALUES (1, 'Usage-based', 'usage_based')"))
        for n, raw in enumerate(raws):
            conn.execute(sa.text(
                "INSERT INTO usage_events (integration_id, ts_ms, day, person_id, model_id, "
                "kind_id, max_mode, is_headless, is_token_based, is_chargeable, "
                "requests_costs_micros, input_tokens, output_tokens, cache_write_tokens, "
                "cache_read_tokens, total_ucents, charged_ucents, token_fee_ucents, "
                "fingerprint, occurrence, raw) VALUES (:i, :ts, :day, 1, 1, 1, false, :h, "
                "true, true, 0, 0, 0, 0, 0, 0, :c, 0, :f, 0, :raw)"
            ), {"i": iid, "ts": ts + n, "day": day, "h": '"isHeadless":true' in raw,
                "c": (n + 1) * 10**6, "f": f"f{n}", "raw": raw})  # fmt: skip
    upgrade(engine)
    with engine.connect() as conn:
        origins = [int(o) for o in conn.execute(
            sa.text("SELECT origin FROM usage_events ORDER BY ts_ms")).scalars()]
        total = usage_total(conn, UsageScope(start=day, end=day))
    engine.dispose()
    assert origins == [0, 1, 2, 3, 4]
    assert [(name, events) for name, events, _ in total.by_origin()] == [
        ("interactive", 1), ("headless", 1), ("cloud_agent", 1), ("service_account", 1),
        ("automation", 1)]  # fmt: skip
    assert [cents for _, _, cents in total.by_origin()] == [Decimal(n) for n in range(1, 6)]
