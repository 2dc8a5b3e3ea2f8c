"""What faces (CLI, web) call to manage Cursor integrations: connect, sync, replace, disconnect.

Connecting validates the key against Cursor *before* anything is stored: a wrong
key (401) or a team without the Admin API (403) raises the matching
:class:`~devspend.errors.CursorError` and leaves the database untouched. A stored
key is encrypted (:mod:`devspend.store.secrets`) and never shown again, only its hint.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx
from sqlalchemy.engine import Connection, Engine

from devspend.cursor.check import KeyCheck, check_key, key_prefix_warning
from devspend.cursor.client import CursorClient
from devspend.cursor.endpoints import list_members
from devspend.errors import ConfigError, CursorError
from devspend.settings import Settings
from devspend.store import integrations as store
from devspend.store.integrations import STOPPED_STATUSES, Integration, Status
from devspend.store.secrets import secret_box
from devspend.sync.run import KEY_REVOKED_MESSAGE, SyncResult, run_sync

__all__ = [
    "KEY_REVOKED_MESSAGE",
    "STOPPED_STATUSES",
    "ConnectResult",
    "Integration",
    "Status",
    "SyncResult",
    "connect_cursor",
    "disconnect",
    "list_integrations",
    "replace_key",
    "run_sync",
    "set_seat_price",
    "validate_key",
]


@dataclass(frozen=True, slots=True)
class ConnectResult:
    """A stored integration and what its key can read (``warning``: unusual key prefix)."""

    integration_id: int
    check: KeyCheck
    key_hint: str
    warning: str | None = None


def validate_key(
    settings: Settings,
    *,
    api_key: str,
    transport: httpx.BaseTransport | None = None,
    now_ms: int | None = None,
) -> tuple[KeyCheck, str | None]:
    """Ask Cursor what ``api_key`` can read; raises on 401/403 and when events are unreadable."""
    if not api_key:
        raise ConfigError("No API key given: set CURSOR_API_KEY or pipe it to --api-key-stdin.")
    warning = key_prefix_warning(api_key)
    now = now_ms if now_ms is not None else int(time.time() * 1000)
    with CursorClient.from_settings(settings, api_key=api_key, transport=transport) as client:
        list_members(client)  # 401 / 403 surface here as their own plain errors
        check = check_key(client, now_ms=now, lookback_days=settings.backfill_days)
    if not check.can_read_events:
        problems = "; ".join(check.problems) or "no reason given"
        raise CursorError(f"This key cannot read usage events, which devspend needs: {problems}")
    return check, warning


def connect_cursor(
    engine: Engine,
    settings: Settings,
    *,
    api_key: str,
    team_name: str | None,
    transport: httpx.BaseTransport | None = None,
    now_ms: int | None = None,
) -> ConnectResult:
    """Validate a Cursor Admin API key and store it (encrypted) as a new integration."""
    api_key = api_key.strip()
    check, warning = validate_key(settings, api_key=api_key, transport=transport, now_ms=now_ms)
    box = secret_box(settings, create=True)
    hint = store.key_hint(api_key)
    with engine.begin() as conn:
        integration_id = store.create_integration(
            conn, display_name=team_name or None, api_key_encrypted=box.encrypt(api_key),
            hint=hint, history_start=check.history_start, capabilities=dict(check.readable),
        )  # fmt: skip
    return ConnectResult(integration_id=integration_id, check=check, key_hint=hint,
                         warning=warning)  # fmt: skip


def replace_key(
    engine: Engine,
    settings: Settings,
    *,
    integration_id: int,
    api_key: str,
    transport: httpx.BaseTransport | None = None,
    now_ms: int | None = None,
) -> ConnectResult:
    """Swap a revoked or rotated key for a new one; stored data stays, syncing resumes."""
    api_key = api_key.strip()
    with engine.connect() as conn:
        store.get_integration(conn, integration_id)  # NotFoundError before calling Cursor
    check, warning = validate_key(settings, api_key=api_key, transport=transport, now_ms=now_ms)
    box = secret_box(settings, create=True)
    hint = store.key_hint(api_key)
    with engine.begin() as conn:
        store.replace_stored_key(
            conn, integration_id, api_key_encrypted=box.encrypt(api_key), hint=hint,
            capabilities=dict(check.readable),
        )  # fmt: skip
    return ConnectResult(integration_id=integration_id, check=check, key_hint=hint,
                         warning=warning)  # fmt: skip


def disconnect(engine: Engine, *, integration_id: int, delete_data: bool) -> None:
    """Stop syncing a team. ``delete_data`` also removes everything stored for it;
    otherwise the key is wiped and the history stays for reports."""
    with engine.begin() as conn:
        store.get_integration(conn, integration_id)
        if delete_data:
            store.delete_integration(conn, integration_id)
        else:
            store.update_integration(
                conn, integration_id, api_key_encrypted=b"", key_hint="(removed)",
                status=Status.DISCONNECTED.value, status_message="disconnected; data kept",
                disconnected_at=store.utcnow(),
            )  # fmt: skip


def set_seat_price(engine: Engine, *, integration_id: int, dollars: int | None) -> None:
    """Set (None: clear) an integration's seat price in whole dollars per seat per cycle."""
    with engine.begin() as conn:
        store.set_seat_price(conn, integration_id, dollars=dollars)


def list_integrations(conn: Connection) -> list[Integration]:
    """Every connected team with status and progress (never the key)."""
    return store.list_integrations(conn)
