"""The serve-time scheduler syncs every active team and skips one another process holds."""

from __future__ import annotations

import sqlalchemy as sa

from devspend.settings import Settings
from devspend.store.locks import sync_lock
from devspend.sync import service
from devspend.web.scheduler import due_integrations, sync_due
from devspend.web.shared_transport import SharedTransport
from devspend.web.sync_jobs import SyncJobs
from sync_helpers import VALID_KEY, fake_for, small_team


def test_scheduled_pass_syncs_each_team_and_respects_the_lock(
    settings: Settings, engine: sa.Engine
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
            assert sync_due(engine, jobs) == 1
            state = jobs.state(integration_id)
            assert state is not None
            assert state.error
            assert "Another process" in state.error
        assert sync_due(engine, jobs) == 1
        state = jobs.state(integration_id)
        assert state is not None
        assert state.result is not None
        assert state.result.ok
        service.disconnect(engine, integration_id=integration_id, delete_data=False)
        assert due_integrations(engine) == []
