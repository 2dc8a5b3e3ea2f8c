"""``make_engine(url)``: the embedded SQLite file (WAL) or PostgreSQL, one schema for both.

The SQLite file holds password hashes, session digests and all spend data, so its
directory is created 0700 and the database (and with it SQLite's ``-wal``/``-shm``,
which take the database's mode) 0600. A database that cannot be opened becomes one
plain :class:`~devspend.errors.StoreError` naming what to check, never a traceback.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError

from devspend.errors import ConfigError, StoreError

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


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


def private_dir(path: Path) -> None:
    """Create ``path`` (and missing parents) readable by this user only; say so if we cannot.

    An existing directory keeps its mode: it may be one the operator chose and shares.
    """
    if path.is_dir():
        return
    try:
        path.mkdir(parents=True, mode=PRIVATE_DIR_MODE)
        path.chmod(PRIVATE_DIR_MODE)  # mkdir's mode is filtered by the umask
    except FileExistsError:
        if not path.is_dir():
            raise ConfigError(f"Cannot use {path} as the data directory: it is a file.") from None
    except OSError as exc:
        raise ConfigError(
            f"Cannot create the data directory {path} ({exc.strerror or exc}): set "
            "DEVSPEND_DATA_DIR (or DEVSPEND_DATABASE_URL) to a directory this user can write."
        ) from None


def _private_sqlite_file(database: Path) -> None:
    """Create the database file 0600 before SQLite does, and tighten existing ones we own."""
    private_dir(database.parent)
    try:
        fd = os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except FileExistsError:
        pass
    except OSError as exc:
        raise ConfigError(
            f"Cannot create the database file {database} ({exc.strerror or exc}): check that "
            "DEVSPEND_DATA_DIR is writable by this user."
        ) from None
    else:
        os.close(fd)  # an empty file is an empty SQLite database
    for suffix in SQLITE_COMPANIONS:
        path = Path(f"{database}{suffix}")
        try:
            info = path.stat()
            if info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) & 0o077:
                path.chmod(PRIVATE_FILE_MODE)
        except FileNotFoundError:
            continue


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite files get WAL so a web server and a sync can share them."""
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _private_sqlite_file(Path(parsed.database))
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def open_database(url: str, *, migrate: bool = True) -> Engine:
    """The engine every face uses: migrations run on start, so a new install just works."""
    from devspend.store.migrate import upgrade

    engine = make_engine(url)
    try:
        with engine.connect():
            pass
        if migrate:
            upgrade(engine)
    except DBAPIError as exc:
        engine.dispose()
        raise StoreError(unreachable_message(make_url(normalise_url(url)), exc)) from None
    return engine


def unreachable_message(url: URL, exc: DBAPIError) -> str:
    """One line: which database could not be opened, the driver's reason, what to check."""
    reason = " ".join(str(exc.orig).split()) if exc.orig is not None else type(exc).__name__
    reason = reason.removeprefix("connection failed: ")
    if url.get_backend_name() == "sqlite":
        return (
            f"Cannot open the SQLite database {url.database} ({reason}): check that the file "
            "and DEVSPEND_DATA_DIR are writable by this user, or set DEVSPEND_DATABASE_URL."
        )
    where = f"{url.host or 'localhost'}:{url.port or 5432}/{url.database or ''}"
    return (
        f"Cannot open the PostgreSQL database {where} ({reason}): check DEVSPEND_DATABASE_URL, "
        "that the server is running and reachable, and that the database and user exist."
    )


@contextmanager
def opened_database(url: str) -> Iterator[Engine]:
    """``open_database`` for one command's lifetime: the pool is closed when it ends."""
    engine = open_database(url)
    try:
        yield engine
    finally:
        engine.dispose()
