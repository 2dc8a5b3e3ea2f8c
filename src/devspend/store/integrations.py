"""Integration rows: one per connected Cursor team, with its encrypted key, status and progress.

Status is a small state machine the faces show as-is::

    connecting → backfilling → ok
                    ↘ key_invalid | not_enterprise | rate_limited | error (with a message)
    any → disconnected (key wiped, data kept)

``key_invalid`` and ``not_enterprise`` stop scheduled syncs until the key is
replaced; everything already stored stays.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from devspend.errors import ConfigError, NotFoundError
from devspend.store.summaries import SUMMARY_TABLES
from devspend.store.tables import integrations, usage_events


class Status(StrEnum):
    CONNECTING = "connecting"
    BACKFILLING = "backfilling"
    OK = "ok"
    KEY_INVALID = "key_invalid"
    NOT_ENTERPRISE = "not_enterprise"
    RATE_LIMITED = "rate_limited"
    ERROR = "error"
    DISCONNECTED = "disconnected"


STOPPED_STATUSES = frozenset({Status.KEY_INVALID, Status.NOT_ENTERPRISE, Status.DISCONNECTED})


@dataclass(frozen=True, slots=True)
class Integration:
    """What faces show about a connected team (never the key itself)."""

    id: int
    provider: str
    display_name: str | None
    key_hint: str
    status: str
    status_message: str | None
    created_at: datetime
    last_sync_at: datetime | None
    last_attempt_at: datetime | None
    history_start: date | None
    backfill_days_total: int
    backfill_days_done: int
    watermark_ms: int | None
    capabilities: dict[str, bool]
    seat_price_dollars: int | None = None
    """Whole dollars per seat per billing cycle; None: "seat price not set"."""

    @property
    def name(self) -> str:
        return self.display_name or f"Cursor team #{self.id}"


def utcnow() -> datetime:
    return datetime.now(UTC)


def key_hint(api_key: str) -> str:
    """A recognisable but useless fragment of a key (``key_…a1b2``) for lists and logs."""
    prefix = api_key.split("_", 1)[0] + "_" if "_" in api_key[:8] else ""
    return f"{prefix}…{api_key[-4:]}"


def _as_utc(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _row_to_integration(row: sa.Row[Any]) -> Integration:
    m = row._mapping
    return Integration(
        id=int(m["id"]),
        provider=str(m["provider"]),
        display_name=m["display_name"],
        key_hint=str(m["key_hint"]),
        status=str(m["status"]),
        status_message=m["status_message"],
        created_at=_as_utc(m["created_at"]),
        last_sync_at=_as_utc(m["last_sync_at"]),
        last_attempt_at=_as_utc(m["last_attempt_at"]),
        history_start=_as_date(m["history_start"]),
        backfill_days_total=int(m["backfill_days_total"]),
        backfill_days_done=int(m["backfill_days_done"]),
        watermark_ms=None if m["watermark_ms"] is None else int(m["watermark_ms"]),
        capabilities=json.loads(m["capabilities"]) if m["capabilities"] else {},
        seat_price_dollars=None if m["seat_price_dollars"] is None
        else int(m["seat_price_dollars"]),
    )  # fmt: skip


def create_integration(
    conn: Connection,
    *,
    display_name: str | None,
    api_key_encrypted: bytes,
    hint: str,
    history_start: date | None,
    capabilities: dict[str, bool],
    provider: str = "cursor",
) -> int:
    """Insert a newly validated team; it starts ``connecting`` until the first sync runs."""
    now = utcnow()
    result = conn.execute(
        integrations.insert()
        .values(
            provider=provider,
            display_name=display_name,
            api_key_encrypted=api_key_encrypted,
            key_hint=hint,
            status=Status.CONNECTING.value,
            created_at=now,
            updated_at=now,
            history_start=history_start,
            capabilities=json.dumps(capabilities, sort_keys=True),
        )
        .returning(integrations.c.id)
    )
    return int(result.scalar_one())


def get_integration(conn: Connection, integration_id: int) -> Integration:
    row = conn.execute(
        sa.select(integrations).where(integrations.c.id == integration_id)
    ).one_or_none()
    if row is None:
        raise NotFoundError(
            f"There is no integration {integration_id}; `devspend integrations list` shows them."
        )
    return _row_to_integration(row)


def list_integrations(conn: Connection) -> list[Integration]:
    """Every connected team, oldest first."""
    rows = conn.execute(sa.select(integrations).order_by(integrations.c.id)).all()
    return [_row_to_integration(r) for r in rows]


def encrypted_key(conn: Connection, integration_id: int) -> bytes:
    value = conn.execute(
        sa.select(integrations.c.api_key_encrypted).where(integrations.c.id == integration_id)
    ).scalar_one_or_none()
    if value is None:
        raise NotFoundError(f"There is no integration {integration_id}.")
    return bytes(value)


def set_status(
    conn: Connection, integration_id: int, status: Status, message: str | None = None
) -> None:
    """Record what the integration is doing now; ``message`` explains error states."""
    conn.execute(
        integrations.update()
        .where(integrations.c.id == integration_id)
        .values(status=status.value, status_message=message, updated_at=utcnow())
    )


def update_integration(conn: Connection, integration_id: int, **values: Any) -> None:
    """Set any of the bookkeeping columns (progress, watermark, history start, timestamps)."""
    values["updated_at"] = utcnow()
    conn.execute(
        integrations.update().where(integrations.c.id == integration_id).values(**values)
    )


def set_seat_price(conn: Connection, integration_id: int, *, dollars: int | None) -> None:
    """Set (or with None clear) what one seat costs per billing cycle, in whole dollars.

    Seats are part of *cost* (seats + on-demand); unset, every face says "seat price
    not set" and cost is on-demand alone.
    """
    if dollars is not None and not 0 <= dollars <= 1_000_000:
        raise ConfigError("A seat price is whole dollars between 0 and 1,000,000.")
    get_integration(conn, integration_id)
    update_integration(conn, integration_id, seat_price_dollars=dollars)


def replace_stored_key(
    conn: Connection,
    integration_id: int,
    *,
    api_key_encrypted: bytes,
    hint: str,
    capabilities: dict[str, bool],
) -> None:
    """Swap in a new validated key and clear a stopped status so syncing resumes."""
    update_integration(
        conn,
        integration_id,
        api_key_encrypted=api_key_encrypted,
        key_hint=hint,
        capabilities=json.dumps(capabilities, sort_keys=True),
        status=Status.CONNECTING.value,
        status_message=None,
    )


def delete_integration(conn: Connection, integration_id: int) -> None:
    """Remove an integration and everything stored for it.

    Events and summaries carry no foreign keys (bulk-ingest speed, see ``tables.py``), so
    they are deleted here; every other table follows through ``ON DELETE CASCADE``.
    """
    for table in (usage_events, *SUMMARY_TABLES):
        conn.execute(table.delete().where(table.c.integration_id == integration_id))
    conn.execute(integrations.delete().where(integrations.c.id == integration_id))
