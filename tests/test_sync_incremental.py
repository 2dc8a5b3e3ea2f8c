"""Incremental syncs: late and revised events inside the look-back end up exactly right."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from devspend.settings import Settings
from devspend.sync.service import connect_cursor, run_sync
from sync_helpers import (
    DAY_MS,
    END_MS,
    VALID_KEY,
    fake_for,
    people_with_usage,
    row_fields,
    small_team,
    stored_totals,
    tally_fields,
)

ALL_TIME = {"start": date(2000, 1, 1), "end": date(2100, 1, 1)}


def test_late_and_revised_events_appear_after_incremental_sync(
    engine: sa.Engine, settings: Settings
) -> None:
    team = small_team(late_rate=0.3, members=6, days=20, history_days=20)
    clock = {"now": END_MS - 2 * DAY_MS}
    fake = fake_for(team, clock_ms=lambda: clock["now"])
    connected = connect_cursor(engine, settings, api_key=VALID_KEY, team_name=None,
                               transport=fake.transport(), now_ms=clock["now"])  # fmt: skip
    first = run_sync(engine, settings, integration_id=connected.integration_id,
                     transport=fake.transport(), now_ms=clock["now"])  # fmt: skip
    assert first.ok, first.message
    early_truth = team.expected_totals(start_ms=0, end_ms=END_MS, as_of_ms=clock["now"])
    with engine.connect() as conn:
        assert stored_totals(conn, **ALL_TIME).events == early_truth.events

    for step in (3 * 3_600_000, 5 * 3_600_000, 2 * DAY_MS - 8 * 3_600_000):
        clock["now"] += step
        result = run_sync(engine, settings, integration_id=connected.integration_id,
                          transport=fake.transport(), now_ms=clock["now"])  # fmt: skip
        assert result.ok, result.message
        assert result.days <= 4  # the look-back (48 h) and today, not the whole history
        truth = team.expected_totals(start_ms=0, end_ms=END_MS, as_of_ms=clock["now"])
        with engine.connect() as conn:
            users = people_with_usage(conn, **ALL_TIME)
        assert {u.email: row_fields(u) for u in users} == {
            e.lower(): tally_fields(t) for e, t in truth.by_user.items()
        }
    assert truth.events > early_truth.events  # late events really arrived meanwhile
    old = {"start_ms": 0, "end_ms": END_MS - 2 * DAY_MS}
    revised = team.expected_totals(**old, as_of_ms=END_MS)
    earlier = team.expected_totals(**old, as_of_ms=old["end_ms"])
    assert revised.charged_cents != earlier.charged_cents
