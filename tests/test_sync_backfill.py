"""End to end over a real socket: connect, backfill a year, and the reports equal the truth."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from devspend.settings import Settings
from devspend.store.coverage import coverage
from devspend.store.tables import (
    billing_group_members,
    billing_groups,
    daily_usage,
    member_spend,
    people,
    usage_events,
)
from devspend.sync.service import connect_cursor, list_integrations, run_sync
from sync_helpers import (
    DAY_MS,
    END_MS,
    VALID_KEY,
    fake_for,
    models_with_usage,
    people_with_usage,
    row_fields,
    served,
    small_team,
    tally_fields,
)

ALL_TIME = {"start": date(2000, 1, 1), "end": date(2100, 1, 1)}


def test_backfill_year_matches_truth_and_resync_is_noop(
    engine: sa.Engine, settings: Settings
) -> None:
    team = small_team()
    truth = team.expected_totals(start_ms=0, end_ms=END_MS)
    fake = fake_for(team)
    with served(fake, settings) as live:
        connected = connect_cursor(engine, live, api_key=VALID_KEY, team_name="Acme",
                                   now_ms=END_MS)  # fmt: skip
        result = run_sync(engine, live, integration_id=connected.integration_id, days=365,
                          now_ms=END_MS)  # fmt: skip
        assert result.ok, result.message
        assert result.events == truth.events
        with engine.connect() as conn:
            users = people_with_usage(conn, **ALL_TIME)
            models = models_with_usage(conn, **ALL_TIME)
            [integration] = list_integrations(conn)
            days = coverage(conn, **ALL_TIME)
        assert integration.status == "ok"
        assert integration.display_name == "Acme"
        assert {u.email: row_fields(u) for u in users} == {
            email.lower(): tally_fields(t) for email, t in truth.by_user.items()
        }
        assert {m.model: row_fields(m) for m in models} == {
            name: tally_fields(t) for name, t in truth.by_model.items()
        }
        e = usage_events.c
        with engine.connect() as conn:
            twins = conn.execute(sa.select(sa.func.count()).where(e.occurrence > 0)).scalar()
            on_boundary = conn.execute(
                sa.select(sa.func.count()).where(
                    sa.or_(e.ts_ms % DAY_MS == 0, e.ts_ms % DAY_MS == DAY_MS - 1)
                )
            ).scalar()
            seen = conn.execute(sa.select(people.c.email, people.c.first_seen_day,
                                          people.c.last_active_day)).all()  # fmt: skip
            snapshots = {
                t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar()
                for t in (member_spend, billing_groups, billing_group_members, daily_usage)
            }
        assert all(first and last and first <= last for _, first, last in seen)
        assert all(snapshots.values()), snapshots  # spend gauge, groups, daily rows stored
        assert twins  # genuinely identical events were stored side by side ...
        assert on_boundary  # ... and events exactly on day edges too, all counted once
        assert {d.status for d in days} <= {"complete", "partial", "unavailable"}
        assert [d.status for d in days][-1] == "partial"
        event_requests = [r for r in fake.request_log if r.path.endswith("usage-events")]
        assert len(event_requests) < 60  # adaptive windows: not one request per day

        with engine.connect() as conn:
            before = conn.execute(sa.select(usage_events.c.id, usage_events.c.fingerprint)
                                  .order_by(usage_events.c.id)).all()  # fmt: skip
        again = run_sync(engine, live, integration_id=connected.integration_id, now_ms=END_MS)
        assert again.ok
        with engine.connect() as conn:
            after_users = people_with_usage(conn, **ALL_TIME)
            after = conn.execute(sa.select(sa.func.count()).select_from(usage_events)).scalar()
        assert after_users == users
        assert after == len(before) == truth.events
        assert again.days <= 3  # only the look-back is fetched again
