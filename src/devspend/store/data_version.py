"""One value that changes whenever anything a report reads changes: what cached views key on.

Read from the database (not kept in a process), so a sync, a CLI import or an edit made
through another replica makes every replica's cached views stale on their next request.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from devspend.store.cloud_tables import allocations, cloud_import_batches
from devspend.store.tables import integrations


def data_version(conn: Connection) -> tuple[object, ...]:
    """Counts and newest marks of integrations (each sync write touches ``updated_at``),
    cloud import batches (a replacing import is a new batch id) and allocations (an edit
    touches ``updated_at``): adding, replacing, editing or deleting any of them moves it."""
    return (
        *_count_and_newest(conn, integrations.c.updated_at),
        *_count_and_newest(conn, cloud_import_batches.c.id),
        *_count_and_newest(conn, allocations.c.updated_at),
    )


def _count_and_newest(conn: Connection, column: sa.Column[object]) -> tuple[int, str]:
    count, newest = conn.execute(sa.select(sa.func.count(), sa.func.max(column))).one()
    return int(count), str(newest)
