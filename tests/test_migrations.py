"""Migrations and the table definitions never drift apart, on either engine."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from devspend.store.migrate import alembic_config, upgrade
from devspend.store.schema import metadata


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
