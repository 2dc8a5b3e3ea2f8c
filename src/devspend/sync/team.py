"""The team parts of a sync: members, spend gauge, billing groups, per-day usage rows.

Members come first, before any lane (they name the people events refer to). The
others are lanes (:mod:`devspend.sync.lanes`) that enrich reports but are optional:
an endpoint the key cannot read (403/404/…) is skipped with a note, while a 401
still stops the sync like anywhere else.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine

from devspend.cursor.client import CursorClient
from devspend.cursor.endpoints import get_billing_groups, get_spend, iter_daily_usage, list_members
from devspend.cursor.windows import split_windows
from devspend.store.checkpoints import day_start_ms
from devspend.store.events import MS_PER_DAY, day_of
from devspend.store.tables import UNASSIGNED_GROUP_TYPE
from devspend.store.team_snapshots import (
    DailyUsageRecord,
    replace_billing_groups,
    replace_daily_usage,
    replace_spend_snapshot,
    upsert_people,
)
from devspend.sync.convert import daily_usage_record, group_record, person_record, spend_record
from devspend.sync.lanes import LaneContext


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


def fetch_spend(ctx: LaneContext) -> None:
    """The spend lane: this cycle's per-member spend, replacing the cycle's previous snapshot.

    It runs right after the events lane, so the snapshot and the events it is
    compared with come from the same sync; reconciliation compares the two, so the
    snapshot records both instants: ``events_through_ms`` (the newest instant the
    events were fetched up to) and when the spend was taken.
    """
    report = get_spend(ctx.client)
    taken_at_ms = ctx.wall_ms()
    records = [spend_record(m) for m in report.members]

    def write(engine: Engine) -> None:
        with engine.begin() as conn:
            replace_spend_snapshot(
                conn, integration_id=ctx.integration_id, cycle_start_ms=report.cycle_start_ms,
                records=records, events_through_ms=ctx.now_ms, taken_at_ms=taken_at_ms,
            )  # fmt: skip

    ctx.write(write)


def fetch_billing_groups(ctx: LaneContext) -> None:
    """The groups lane: the current billing groups and who is in them."""
    groups = get_billing_groups(ctx.client)
    records = [group_record(g) for g in groups.groups]
    if groups.unassigned is not None:  # marked, whatever Cursor calls it: it is no team
        records.append(group_record(groups.unassigned)._replace(type=UNASSIGNED_GROUP_TYPE))

    def write(engine: Engine) -> None:
        with engine.begin() as conn:
            replace_billing_groups(conn, integration_id=ctx.integration_id,
                                   cycle_start=groups.cycle_start, groups=records)  # fmt: skip

    ctx.write(write)


def fetch_daily_usage(ctx: LaneContext) -> None:
    """The daily-usage lane: the member-day rows of the planned days, 30 days per fetch and
    transaction (so a 2,000-member year never sits in memory at once)."""
    if not ctx.days:
        return
    first, last = min(ctx.days), max(ctx.days)
    end_ms = min(day_start_ms(last) + MS_PER_DAY - 1, ctx.now_ms)
    for lo, hi in split_windows(start_ms=day_start_ms(first), end_ms=end_ms):
        rows = [
            daily_usage_record(r) for r in iter_daily_usage(ctx.client, start_ms=lo, end_ms=hi)
        ]

        def write(engine: Engine, lo: int = lo, hi: int = hi,
                  rows: list[DailyUsageRecord] = rows) -> None:  # fmt: skip
            with engine.begin() as conn:
                replace_daily_usage(conn, integration_id=ctx.integration_id, first=day_of(lo),
                                    last=day_of(hi), records=rows)  # fmt: skip

        ctx.write(write)
