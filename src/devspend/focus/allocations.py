"""Who belongs to which team and cost center: the ``allocations`` table.

Rows come from three places, and the more deliberate source wins: an admin's edit
(``manual``) or a loaded CSV (``csv``) is never overwritten by Cursor billing groups
(``billing_group``), which only fill in people nobody allocated by hand.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import sqlalchemy as sa

from devspend.errors import FocusImportError
from devspend.store.cloud_tables import allocations
from devspend.store.tables import billing_group_members, billing_groups

AllocationSource = Literal["manual", "csv", "billing_group"]
CSV_COLUMNS = ("email", "team", "cost_center")
Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Allocation:
    """One person's team and cost center, and where that came from."""

    email: str
    team: str | None
    cost_center: str | None
    source: str


def list_allocations(engine: sa.Engine) -> list[Allocation]:
    """Every allocation, by email."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(allocations).order_by(allocations.c.email)).mappings()
        return [
            Allocation(r["email"], r["team"], r["cost_center"], r["source"]) for r in rows
        ]


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
        _upsert(conn, Allocation(_email(email), team, cost_center, source), now=clock())


def delete_allocation(engine: sa.Engine, email: str) -> None:
    """Forget a person's allocation (billing groups may fill it in again)."""
    with engine.begin() as conn:
        conn.execute(allocations.delete().where(allocations.c.email == _email(email)))


def load_allocations_csv(engine: sa.Engine, path: Path, *, clock: Clock = _utc_now) -> int:
    """Load ``email,team,cost_center`` rows (all or nothing); return how many were stored."""
    parsed = read_allocations_csv(path)
    now = clock()
    with engine.begin() as conn:
        for allocation in parsed:
            _upsert(conn, allocation, now=now)
    return len(parsed)


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
                    _email(email),
                    (row.get("team") or "").strip() or None,
                    (row.get("cost_center") or "").strip() or None,
                    "csv",
                )
            )
    return parsed


def refresh_billing_group_allocations(engine: sa.Engine, *, clock: Clock = _utc_now) -> int:
    """Fill allocations from current Cursor billing-group membership; return rows written.

    People allocated by hand or CSV keep their allocation. A person in several groups
    gets the alphabetically first group, so the result does not depend on sync order.
    """
    members = billing_group_members.c
    query = (
        sa.select(members.email, billing_groups.c.name)
        .join(
            billing_groups,
            sa.and_(
                billing_groups.c.integration_id == members.integration_id,
                billing_groups.c.group_id == members.group_id,
            ),
        )
        .where(members.left_at_ms.is_(None))
        .order_by(billing_groups.c.name)
    )
    now = clock()
    with engine.begin() as conn:
        team_by_email: dict[str, str] = {}
        for email, name in conn.execute(query):
            team_by_email.setdefault(_email(email), name)
        current = conn.execute(sa.select(allocations.c.email, allocations.c.source))
        existing = {r.email: r.source for r in current}
        stale = [e for e, s in existing.items() if s == "billing_group" and e not in team_by_email]
        if stale:
            conn.execute(allocations.delete().where(allocations.c.email.in_(stale)))
        written = 0
        for email, team in team_by_email.items():
            if existing.get(email, "billing_group") == "billing_group":
                _upsert(conn, Allocation(email, team, None, "billing_group"), now=now)
                written += 1
    return written


def _upsert(conn: sa.Connection, allocation: Allocation, *, now: datetime) -> None:
    values = {
        "team": allocation.team,
        "cost_center": allocation.cost_center,
        "source": allocation.source,
        "updated_at": now,
    }
    updated = conn.execute(
        allocations.update().where(allocations.c.email == allocation.email).values(**values)
    )
    if updated.rowcount == 0:
        conn.execute(allocations.insert().values(email=allocation.email, **values))


def _email(email: str) -> str:
    return email.strip().lower()
