"""Bad keys: nothing stored on connect; a key revoked mid-life stops syncing and keeps the data."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from devspend.errors import INVALID_KEY_MESSAGE, CursorAuthError, CursorPlanError
from devspend.settings import Settings
from devspend.store.tables import integrations
from devspend.sync.service import (
    KEY_REVOKED_MESSAGE,
    connect_cursor,
    list_integrations,
    replace_key,
    run_sync,
)
from sync_helpers import END_MS, NOT_ENTERPRISE_KEY, VALID_KEY, fake_for, small_team, stored_totals

ALL_TIME = {"start": date(2000, 1, 1), "end": date(2100, 1, 1)}


def _count(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(integrations)).scalar_one())


@pytest.mark.parametrize(
    ("key", "error"),
    [
        ("key_test_unknown_0001", CursorAuthError),
        ("sk-not-a-cursor-key", CursorAuthError),  # wrong prefix: warned, tried, refused
        (NOT_ENTERPRISE_KEY, CursorPlanError),
    ],
)
def test_connect_with_bad_key_stores_nothing(
    engine: sa.Engine, settings: Settings, key: str, error: type[Exception]
) -> None:
    fake = fake_for(small_team(days=5, history_days=5))
    with pytest.raises(error) as raised:
        connect_cursor(engine, settings, api_key=key, team_name="Acme",
                       transport=fake.transport(), now_ms=END_MS)  # fmt: skip
    assert _count(engine) == 0
    if error is CursorAuthError:
        assert str(raised.value) == INVALID_KEY_MESSAGE
    assert key not in str(raised.value)


def test_revoked_key_marks_key_invalid_and_keeps_data(
    engine: sa.Engine, settings: Settings
) -> None:
    team = small_team(days=10, history_days=10)
    fake = fake_for(team)
    iid = connect_cursor(engine, settings, api_key=VALID_KEY, team_name="Acme",
                         transport=fake.transport(), now_ms=END_MS).integration_id  # fmt: skip
    assert run_sync(engine, settings, integration_id=iid, transport=fake.transport(),
                    now_ms=END_MS).ok  # fmt: skip
    with engine.connect() as conn:
        stored = stored_totals(conn, **ALL_TIME)
    assert stored.events == team.expected_totals(start_ms=0, end_ms=END_MS).events

    fake.valid_keys.discard(VALID_KEY)
    result = run_sync(engine, settings, integration_id=iid, transport=fake.transport(),
                      now_ms=END_MS)  # fmt: skip
    assert result.status == "key_invalid"
    assert result.message == KEY_REVOKED_MESSAGE
    with engine.connect() as conn:
        [integration] = list_integrations(conn)
        assert stored_totals(conn, **ALL_TIME) == stored
    assert integration.status == "key_invalid"
    assert integration.status_message == KEY_REVOKED_MESSAGE

    calls = len(fake.request_log)
    again = run_sync(engine, settings, integration_id=iid, transport=fake.transport(),
                     now_ms=END_MS)  # fmt: skip
    assert again.status == "key_invalid"
    assert len(fake.request_log) == calls  # a stopped integration does not call Cursor

    fake.valid_keys.add("key_test_valid_0002")
    replace_key(engine, settings, integration_id=iid, api_key="key_test_valid_0002",
                transport=fake.transport(), now_ms=END_MS)  # fmt: skip
    resumed = run_sync(engine, settings, integration_id=iid, transport=fake.transport(),
                       now_ms=END_MS)  # fmt: skip
    assert resumed.ok
    with engine.connect() as conn:
        assert stored_totals(conn, **ALL_TIME) == stored
