"""One sync per integration at a time, across processes: a lock held for the whole sync.

PostgreSQL: a session advisory lock on a dedicated connection (released when the
connection closes, so a killed process never leaves it behind). SQLite: an
``fcntl`` lock on a file next to the database (the kernel drops it when the
process dies). Trying a held lock raises :class:`SyncLockedError` at once.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from devspend.errors import SyncLockedError

# One 64-bit key per (schema, integration): advisory locks are database-wide, and several
# devspend schemas (tests, tenants) may share a database.
_ADVISORY_KEY = "hashtextextended('devspend-sync:' || current_schema() || ':' || :id, 0)"


def _locked_message(integration_id: int) -> str:
    return (
        f"A sync of integration {integration_id} is already running in another process; "
        "nothing to do."
    )


def lock_file_path(engine: Engine, integration_id: int) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise SyncLockedError("an in-memory SQLite database cannot be synced across processes")
    return Path(f"{database}.sync-{integration_id}.lock")


@contextmanager
def _sqlite_lock(engine: Engine, integration_id: int) -> Iterator[None]:
    path = lock_file_path(engine, integration_id)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SyncLockedError(_locked_message(integration_id)) from None
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextmanager
def _postgres_lock(engine: Engine, integration_id: int) -> Iterator[None]:
    with engine.connect() as conn:
        got = conn.execute(
            sa.text(f"SELECT pg_try_advisory_lock({_ADVISORY_KEY})"), {"id": str(integration_id)}
        ).scalar_one()
        conn.commit()
        if not got:
            raise SyncLockedError(_locked_message(integration_id))
        try:
            yield
        finally:
            conn.execute(
                sa.text(f"SELECT pg_advisory_unlock({_ADVISORY_KEY})"),
                {"id": str(integration_id)},
            )
            conn.commit()


@contextmanager
def sync_lock(engine: Engine, integration_id: int) -> Iterator[None]:
    """Hold the sync lock of one integration for the duration of the ``with`` block."""
    if engine.dialect.name == "postgresql":
        with _postgres_lock(engine, integration_id):
            yield
    else:
        with _sqlite_lock(engine, integration_id):
            yield
