"""The serve-time scheduler: one shared schedule, so each team syncs once per interval.

In-process here (two schedulers on one database, a hand-moved clock); two real
``devspend serve`` processes on PostgreSQL are in ``test_web_replicas.py``.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from devspend.settings import Settings
from devspend.store.locks import sync_lock
from devspend.store.schedule import claim_due, schedule
from devspend.sync import service
from devspend.web.scheduler import due_integrations, poll_seconds, sync_due
from devspend.web.shared_transport import SharedTransport
from devspend.web.sync_jobs import SyncJobs
from sync_helpers import VALID_KEY, fake_for, small_team

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def test_scheduled_pass_syncs_each_team_and_respects_the_lock(
    settings: Settings, engine: sa.Engine, caplog: pytest.LogCaptureFixture
) -> None:
    settings = settings.model_copy(update={"backfill_days": 20})
    fake = fake_for(small_team(members=3, days=15, history_days=15))
    with fake.transport() as inner:
        transport = SharedTransport(inner)
        integration_id = service.connect_cursor(
            engine, settings, api_key=VALID_KEY, team_name=None, transport=transport
        ).integration_id
        jobs = SyncJobs(engine, settings, transport=transport)
        with sync_lock(engine, integration_id):
            assert sync_due(engine, jobs, interval=HOUR, now=T0, owner="a") == 1
            state = jobs.state(integration_id)
            assert state is not None
            assert state.error
            assert "Another process" in state.error
        # not due again until an interval later, even though that pass could not sync
        assert sync_due(engine, jobs, interval=HOUR, now=T0 + HOUR / 2, owner="a") == 0
        caplog.clear()  # only this pass's line (an earlier test may have set INFO globally)
        with caplog.at_level(logging.INFO, logger="devspend.web.sync_jobs"):
            assert sync_due(engine, jobs, interval=HOUR, now=T0 + HOUR, owner="a") == 1
        state = jobs.state(integration_id)
        assert state is not None
        assert state.result is not None
        assert state.result.ok
        [line] = [r.getMessage() for r in caplog.records if "sync integration=" in r.getMessage()]
        assert f"integration={integration_id} trigger=schedule status=ok" in line
        assert VALID_KEY not in line
        assert jobs.counters.syncs[(integration_id, "ok")] == 1
        assert jobs.counters.events[integration_id] == state.result.events > 0
        service.disconnect(engine, integration_id=integration_id, delete_data=False)
        assert due_integrations(engine) == []


def _integration(engine: sa.Engine, settings: Settings) -> int:
    fake = fake_for(small_team(members=2, days=3, history_days=3))
    with fake.transport() as transport:
        return service.connect_cursor(
            engine, settings, api_key=VALID_KEY, team_name=None, transport=transport
        ).integration_id


def test_two_replicas_claim_each_interval_once(settings: Settings, engine: sa.Engine) -> None:
    integration_id = _integration(engine, settings)
    claims = []
    for minute in range(0, 181, 10):  # two replicas polling every 10 minutes for 3 hours
        now = T0 + timedelta(minutes=minute)
        for replica in ("a", "b"):
            if claim_due(engine, integration_id=integration_id, now=now, interval=HOUR,
                         owner=replica):  # fmt: skip
                claims.append((minute, replica))
    assert [minute for minute, _ in claims] == [0, 60, 120, 180]
    with engine.connect() as conn:
        entry = schedule(conn)[integration_id]
    assert entry.next_due_at == T0 + timedelta(minutes=240)
    assert entry.claimed_by == "a"


def test_the_schedule_row_goes_with_its_integration(settings: Settings, engine: sa.Engine) -> None:
    integration_id = _integration(engine, settings)
    assert claim_due(engine, integration_id=integration_id, now=T0, interval=HOUR, owner="a")
    service.disconnect(engine, integration_id=integration_id, delete_data=True)
    with engine.connect() as conn:
        assert integration_id not in schedule(conn)


def test_replicas_poll_well_inside_the_interval() -> None:
    assert poll_seconds(3600) == 30
    assert poll_seconds(6) == 1
    assert poll_seconds(120) == 12
