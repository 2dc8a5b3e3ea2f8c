"""The team phases of a sync: members, spend gauge, billing groups, per-day usage rows.

Members come first (they name the people events refer to). The others enrich
reports but are optional: an endpoint the key cannot read (403/404/…) is skipped
with a note, while a 401 still stops the sync like anywhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy.engine import Engine

from devspend.cursor.client import CursorClient
from devspend.cursor.endpoints import get_billing_groups, get_spend, iter_daily_usage, list_members
from devspend.cursor.windows import split_windows
from devspend.store.checkpoints import day_start_ms
from devspend.store.events import MS_PER_DAY, day_of
from devspend.store.team_snapshots import (
    replace_billing_groups,
    replace_daily_usage,
    replace_spend_snapshot,
    upsert_people,
)
from devspend.sync.convert import daily_usage_record, group_record, person_record, spend_record


def sync_members(
    engine: Engine, client: CursorClient, *, integration_id: int, today: date
) -> int:
    """Refresh the team's members (names, roles, removed flags); returns how many.

    ``today`` (the sync's UTC day) is when a new member was first listed or a removal
    first seen: seats are counted from those days (``store.seats``)."""
    records = [person_record(m) for m in list_members(client)]
    with engine.begin() as conn:
        upsert_people(conn, integration_id=integration_id, records=records, today=today)
    return len(records)


def sync_spend(
    engine: Engine,
    client: CursorClient,
    *,
    integration_id: int,
    events_through_ms: int,
    taken_at_ms: Callable[[], int],
) -> int:
    """Snapshot this cycle's per-member spend (replacing the cycle's previous snapshot).

    Call it right after the event windows of the same sync: reconciliation compares
    the snapshot with the events, so it records both instants, ``events_through_ms``
    (the newest instant the events were fetched up to) and when the spend was taken.
    """
    report = get_spend(client)
    records = [spend_record(m) for m in report.members]
    with engine.begin() as conn:
        replace_spend_snapshot(
            conn, integration_id=integration_id, cycle_start_ms=report.cycle_start_ms,
            records=records, events_through_ms=events_through_ms, taken_at_ms=taken_at_ms(),
        )  # fmt: skip
    return len(records)


def sync_billing_groups(engine: Engine, client: CursorClient, *, integration_id: int) -> int:
    """Store the current billing groups and who is in them."""
    groups = get_billing_groups(client)
    records = [group_record(g) for g in groups.groups]
    if groups.unassigned is not None:
        records.append(group_record(groups.unassigned))
    with engine.begin() as conn:
        replace_billing_groups(
            conn, integration_id=integration_id, cycle_start=groups.cycle_start, groups=records
        )
    return len(records)


def sync_daily_usage(
    engine: Engine,
    client: CursorClient,
    *,
    integration_id: int,
    first: date,
    last: date,
    now_ms: int,
) -> int:
    """Replace the member-day rows of ``first``..``last``, 30 days per fetch and transaction
    (so a 2,000-member year never sits in memory at once)."""
    end_ms = min(day_start_ms(last) + MS_PER_DAY - 1, now_ms)
    count = 0
    for lo, hi in split_windows(start_ms=day_start_ms(first), end_ms=end_ms):
        rows = [
            daily_usage_record(r) for r in iter_daily_usage(client, start_ms=lo, end_ms=hi)
        ]
        with engine.begin() as conn:
            replace_daily_usage(conn, integration_id=integration_id, first=day_of(lo),
                                last=day_of(hi), records=rows)  # fmt: skip
        count += len(rows)
    return count
