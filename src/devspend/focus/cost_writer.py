"""Bulk inserts of ``cloud_costs`` rows: COPY on PostgreSQL, plain executemany on SQLite.

A month of cloud billing is millions of rows; SQLAlchemy's per-row parameter handling
costs more than parsing them. Values still go through each column type's own bind
processor (so SQLite stores dates exactly as SQLAlchemy reads them back), inside the
caller's transaction: the per-file all-or-nothing rule is unaffected.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter
from typing import Any

import sqlalchemy as sa

from devspend.store.cloud_tables import cloud_costs

COLUMNS: tuple[str, ...] = tuple(c.name for c in cloud_costs.c if c.name != "id")
# A record's values in COLUMNS order, picked in C (this runs once per imported row).
_IN_ORDER: Callable[[dict[str, object]], tuple[object, ...]] = itemgetter(*COLUMNS)


def insert_costs(conn: sa.Connection, records: list[dict[str, object]]) -> None:
    """Insert ``records`` (dicts keyed by :data:`COLUMNS`) in the connection's transaction."""
    if not records:
        return
    dialect = conn.dialect
    if dialect.name == "postgresql":
        _copy_postgres(conn, records)
        return
    processed: list[tuple[int, Callable[[Any], Any], dict[object, object]]] = [
        (index, process, {})
        for index, process in enumerate(_bind_processors(dialect))
        if process is not None
    ]
    rows: list[tuple[object, ...]] = []
    for record in records:
        row = list(_IN_ORDER(record))
        for index, process, memo in processed:
            value = row[index]
            if value is not None:
                # dates repeat across rows: format each distinct one once per chunk
                if value not in memo:
                    memo[value] = process(value)
                row[index] = memo[value]
        rows.append(tuple(row))
    placeholders = ", ".join("?" for _ in COLUMNS)
    sql = f"INSERT INTO cloud_costs ({', '.join(COLUMNS)}) VALUES ({placeholders})"  # noqa: S608
    conn.exec_driver_sql(sql, rows)


def _bind_processors(dialect: sa.Dialect) -> list[Callable[[Any], Any] | None]:
    return [
        cloud_costs.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        for name in COLUMNS
    ]


def _copy_postgres(conn: sa.Connection, records: list[dict[str, object]]) -> None:
    driver = conn.connection.driver_connection
    assert driver is not None
    sql = f"COPY cloud_costs ({', '.join(COLUMNS)}) FROM STDIN"
    with driver.cursor() as cursor, cursor.copy(sql) as copy:
        for record in records:
            copy.write_row(_IN_ORDER(record))
