"""Who belongs to which team and cost center: allocation CSVs and edits (SQL in
``store.allocations``).

Rows come from three places, and the more deliberate source wins: an admin's edit
(``manual``) or a loaded CSV (``csv``) is never overwritten by Cursor billing groups
(``billing_group``), which only fill in people nobody allocated by hand.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import sqlalchemy as sa

from devspend.errors import FocusImportError
from devspend.store import allocations as store
from devspend.store.allocations import Allocation, normalise_email

AllocationSource = Literal["manual", "csv", "billing_group"]
CSV_COLUMNS = ("email", "team", "cost_center")
Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def list_allocations(engine: sa.Engine) -> list[Allocation]:
    """Every allocation, by email."""
    with engine.connect() as conn:
        return store.list_allocations(conn)


def set_allocation(
    engine: sa.Engine,
    *,
    email: str,
    team: str | None,
    cost_center: str | None,
    source: AllocationSource = "manual",
    clock: Clock = _utc_now,
) -> None:
    """Create or replace one person's allocation (what the web form calls)."""
    with engine.begin() as conn:
        store.upsert_allocations(conn, [Allocation(email, team, cost_center, source)],
                                 now=clock())  # fmt: skip


def delete_allocation(engine: sa.Engine, email: str) -> None:
    """Forget a person's allocation (billing groups may fill it in again)."""
    with engine.begin() as conn:
        store.delete_allocation(conn, email=email)


def load_allocations_csv(engine: sa.Engine, path: Path, *, clock: Clock = _utc_now) -> int:
    """Load ``email,team,cost_center`` rows (all or nothing); return how many were stored."""
    parsed = read_allocations_csv(path)
    with engine.begin() as conn:
        return store.upsert_allocations(conn, parsed, now=clock())


def read_allocations_csv(path: Path) -> list[Allocation]:
    """Parse and validate an allocation CSV; a bad row fails the whole file with its line."""
    try:
        return _read_allocations(path)
    except UnicodeDecodeError:
        raise FocusImportError("an allocation CSV must be UTF-8 text", path=str(path)) from None
    except csv.Error as exc:
        raise FocusImportError(f"unreadable CSV ({exc})", path=str(path)) from None


def _read_allocations(path: Path) -> list[Allocation]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = [name.strip().lower() for name in reader.fieldnames or []]
        if "email" not in header:
            raise FocusImportError(
                "an allocation CSV needs the header email,team,cost_center", path=str(path), line=1
            )
        reader.fieldnames = header
        parsed: list[Allocation] = []
        for row in reader:
            email = (row.get("email") or "").strip()
            if "@" not in email:
                raise FocusImportError(
                    f"{email!r} is not an email address", path=str(path), line=reader.line_num
                )
            parsed.append(
                Allocation(
                    normalise_email(email),
                    (row.get("team") or "").strip() or None,
                    (row.get("cost_center") or "").strip() or None,
                    "csv",
                )
            )
    return parsed


def refresh_billing_group_allocations(engine: sa.Engine, *, clock: Clock = _utc_now) -> int:
    """Fill allocations from current Cursor billing-group membership now (every sync's
    groups write does this too); return rows written."""
    with engine.begin() as conn:
        return store.refresh_from_billing_groups(conn, now=clock())
