"""Alembic environment: the engine comes from ``config.attributes`` (see devspend.store.migrate)."""

from __future__ import annotations

from alembic import context

from devspend.store.schema import metadata

config = context.config


def run_migrations_online() -> None:
    engine = config.attributes["engine"]
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        context.run_migrations()


run_migrations_online()
