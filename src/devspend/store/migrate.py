"""Run Alembic migrations programmatically: on every start, and by ``devspend db upgrade``."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision``; safe to call on every start (a no-op when current)."""
    command.upgrade(alembic_config(engine), revision)


def readiness_problem(engine: Engine) -> str | None:
    """Why the database cannot serve requests yet (unreachable, migrations behind), or None.

    For ``/readyz``: the answer is a short category, never a URL, version or error text.
    """
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy.exc import SQLAlchemyError

    try:
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_heads()
    except (SQLAlchemyError, OSError):
        return "database unreachable"
    heads = ScriptDirectory.from_config(alembic_config(engine)).get_heads()
    if set(current) != set(heads):
        return "database migrations are not current"
    return None
