"""Dialect-aware ``INSERT … ON CONFLICT`` for the two engines devspend supports."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection


def insert_for(conn: Connection, table: sa.Table) -> Any:
    """The dialect's ``INSERT`` (it has ``on_conflict_do_*`` and ``excluded``)."""
    return pg_insert(table) if conn.dialect.name == "postgresql" else sqlite_insert(table)


def insert_ignoring_conflicts(conn: Connection, table: sa.Table) -> sa.Insert:
    """``INSERT … ON CONFLICT DO NOTHING``: add rows that are not there yet."""
    statement: sa.Insert = insert_for(conn, table).on_conflict_do_nothing()
    return statement


def upsert(
    conn: Connection,
    table: sa.Table,
    rows: Sequence[dict[str, Any]],
    *,
    keys: Sequence[str],
    update: Sequence[str],
) -> None:
    """Insert ``rows``, or update the ``update`` columns of rows whose ``keys`` already exist."""
    if not rows:
        return
    statement = insert_for(conn, table)
    statement = statement.on_conflict_do_update(
        index_elements=list(keys), set_={c: statement.excluded[c] for c in update}
    )
    conn.execute(statement, list(rows))
