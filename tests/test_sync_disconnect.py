"""Disconnecting keeps the history (key wiped) or deletes everything of that team only."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from devspend.settings import Settings
from devspend.store.tables import integrations, people, usage_daily_detail, usage_events
from devspend.sync.service import connect_cursor, disconnect, list_integrations, run_sync
from sync_helpers import END_MS, VALID_KEY, fake_for, small_team, stored_totals

ALL_TIME = {"start": date(2000, 1, 1), "end": date(2100, 1, 1)}


def _connected_and_synced(engine: sa.Engine, settings: Settings) -> int:
    fake = fake_for(small_team(days=5, history_days=5))
    iid = connect_cursor(engine, settings, api_key=VALID_KEY, team_name="Acme",
                         transport=fake.transport(), now_ms=END_MS).integration_id  # fmt: skip
    assert run_sync(engine, settings, integration_id=iid, transport=fake.transport(),
                    now_ms=END_MS).ok  # fmt: skip
    return iid


def test_disconnect_keeping_data(engine: sa.Engine, settings: Settings) -> None:
    iid = _connected_and_synced(engine, settings)
    with engine.connect() as conn:
        before = stored_totals(conn, integration_id=iid, **ALL_TIME)
    disconnect(engine, integration_id=iid, delete_data=False)
    with engine.connect() as conn:
        [integration] = list_integrations(conn)
        key = conn.execute(sa.select(integrations.c.api_key_encrypted)).scalar_one()
        assert stored_totals(conn, integration_id=iid, **ALL_TIME) == before
    assert integration.status == "disconnected"
    assert bytes(key) == b""
    assert run_sync(engine, settings, integration_id=iid).status == "disconnected"


def test_disconnect_deleting_data(engine: sa.Engine, settings: Settings) -> None:
    first = _connected_and_synced(engine, settings)
    second = _connected_and_synced(engine, settings)
    disconnect(engine, integration_id=first, delete_data=True)
    with engine.connect() as conn:
        assert [i.id for i in list_integrations(conn)] == [second]
        for table in (usage_events, usage_daily_detail, people):
            ids = set(conn.execute(sa.select(table.c.integration_id)).scalars())
            assert ids == {second}
