"""``make_engine(url)``: the embedded SQLite file (WAL) or PostgreSQL, one schema for both."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url


def normalise_url(url: str) -> str:
    """Use psycopg 3 for ``postgresql://`` URLs, whatever driver the user wrote."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql" and parsed.drivername != "postgresql+psycopg":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite files get WAL so a web server and a sync can share them."""
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def open_database(url: str, *, migrate: bool = True) -> Engine:
    """The engine every face uses: migrations run on start, so a new install just works."""
    from devspend.store.migrate import upgrade

    engine = make_engine(url)
    if migrate:
        upgrade(engine)
    return engine


@contextmanager
def opened_database(url: str) -> Iterator[Engine]:
    """``open_database`` for one command's lifetime: the pool is closed when it ends."""
    engine = open_database(url)
    try:
        yield engine
    finally:
        engine.dispose()
