"""Writes of imported cloud costs: bulk ``cloud_costs`` inserts (COPY on PostgreSQL, plain
executemany on SQLite), import batches that replace re-deliveries, owner re-derivation.

A month of cloud billing is millions of rows; SQLAlchemy's per-row parameter handling
costs more than parsing them. Values still go through each column type's own bind
processor (so SQLite stores dates exactly as SQLAlchemy reads them back), inside the
caller's transaction: the per-file all-or-nothing rule is unaffected.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from operator import itemgetter
from typing import Any

import sqlalchemy as sa

from devspend.store.cloud_tables import cloud_costs, cloud_import_batches

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


def open_batch(
    conn: sa.Connection,
    *,
    account: str,
    period_start: date,
    run_id: str,
    provider: object,
    billing_period_end: object,
    file_name: str,
    sha256: str,
    focus_version: str,
    now: datetime,
) -> tuple[int, int]:
    """Start a batch for (``account``, ``period_start``), deleting what earlier runs stored
    for the same pair (a re-delivery replaces, never doubles); returns (batch id, rows
    replaced)."""
    if conn.dialect.name == "postgresql":
        # Two concurrent imports of one account-period must not both keep their rows:
        # the second waits here until the first commits, then replaces it. (SQLite
        # already serialises writing transactions.)
        conn.execute(
            sa.text(
                "SELECT pg_advisory_xact_lock(hashtextextended("
                "'devspend-focus:' || current_schema() || ':' || :key, 0))"
            ),
            {"key": f"{account}:{period_start.isoformat()}"},
        )
    earlier = sa.select(cloud_import_batches.c.id).where(
        cloud_import_batches.c.account == account,
        cloud_import_batches.c.billing_period_start == period_start,
        cloud_import_batches.c.run_id != run_id,
    )
    deleted = conn.execute(cloud_costs.delete().where(cloud_costs.c.batch_id.in_(earlier)))
    conn.execute(cloud_import_batches.delete().where(cloud_import_batches.c.id.in_(earlier)))
    inserted = conn.execute(
        cloud_import_batches.insert().values(
            run_id=run_id, account=account, provider=provider,
            billing_period_start=period_start, billing_period_end=billing_period_end,
            file_name=file_name, sha256=sha256, focus_version=focus_version, rows=0,
            imported_at=now,
        )
    )  # fmt: skip
    primary_key = inserted.inserted_primary_key
    assert primary_key is not None
    return int(primary_key[0]), max(deleted.rowcount, 0)


def set_batch_rows(conn: sa.Connection, *, batch_id: int, rows: int) -> None:
    conn.execute(
        cloud_import_batches.update().where(cloud_import_batches.c.id == batch_id).values(rows=rows)
    )


def distinct_tag_sets(conn: sa.Connection) -> list[str]:
    """Every distinct stored ``Tags`` JSON text (owners are re-derived per tag set)."""
    c = cloud_costs.c
    return [str(t) for t in conn.execute(sa.select(c.tags).where(c.tags.is_not(None)).distinct())
            .scalars()]  # fmt: skip


def set_owner(conn: sa.Connection, *, tags: str, owner: str | None) -> int:
    """Give every row with these tags this owner; returns rows changed."""
    c = cloud_costs.c
    result = conn.execute(
        cloud_costs.update().where(c.tags == tags, c.owner.is_distinct_from(owner))
        .values(owner=owner)
    )  # fmt: skip
    return max(result.rowcount, 0)
