"""Shared fixtures: a fresh migrated database on SQLite *and* PostgreSQL, and settings for it.

``db_url`` is parametrised over both engines. PostgreSQL comes from
``DEVSPEND_TEST_POSTGRES_URL`` (``.ci/run`` sets it); without it those cases are
skipped with a visible reason. Each PostgreSQL test gets its own schema, so tests
(and parallel developers) never see each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from devspend.settings import Settings, load_settings
from devspend.store.engine import make_engine, normalise_url
from devspend.store.migrate import upgrade

POSTGRES_URL_ENV = "DEVSPEND_TEST_POSTGRES_URL"


def _postgres_base_url() -> str | None:
    return os.environ.get(POSTGRES_URL_ENV) or None


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database (not yet migrated) on each engine."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'devspend.db'}"
        return
    base = _postgres_base_url()
    if base is None:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_URL_ENV} (set by .ci/run)")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = sa.engine.make_url(normalise_url(base)).update_query_dict(
        {"options": f"-csearch_path={schema}"}
    )
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    """A migrated engine on each database."""
    eng = make_engine(db_url)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    """Settings pointing at this test's database and data directory, with a fixed secret."""
    return load_settings(
        data_dir=tmp_path / "data",
        database_url=db_url,
        secret_key="x" * 32,
        cursor_rpm=100000,
        cursor_events_rpm=100000,
    )
