"""CursorClient.from_settings: base URL, pacing limits and timeout come from Settings."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from devspend.cursor.client import EVENTS_PATH, MEMBERS_PATH, CursorClient
from devspend.cursor.clock import FakeClock
from devspend.cursor.endpoints import list_members
from devspend.cursor.fake import FakeCursor, SyntheticTeam
from devspend.settings import load_settings

KEY = "key_test_valid_0001"
END_MS = int(datetime(2026, 11, 25, tzinfo=UTC).timestamp() * 1000) - 1


def test_pacing_limits_come_from_settings() -> None:
    fake = FakeCursor(team=SyntheticTeam(seed=1, members=2, end_ms=END_MS, days=5),
                      valid_keys={KEY}, rate_limits={"members": 1000})  # fmt: skip
    settings = load_settings(cursor_rpm=30.0, cursor_events_rpm=120.0,
                             cursor_base_url="http://fake-cursor/")  # fmt: skip
    clock = FakeClock()
    with CursorClient.from_settings(
        settings, api_key=KEY, transport=fake.transport(), clock=clock
    ) as client:
        assert client.base_url == "http://fake-cursor"
        list_members(client)
        list_members(client)
        assert clock.sleeps == [pytest.approx(2.0 * 1.02)]  # 30/min, with 2 % headroom
        client.post(EVENTS_PATH, body={"startDate": END_MS - 10, "endDate": END_MS})
        client.post(EVENTS_PATH, body={"startDate": END_MS - 10, "endDate": END_MS})
        assert clock.sleeps[-1] == pytest.approx(0.5 * 1.02)  # 120/min for usage events
    assert [p for _, p, _ in fake.request_log].count(MEMBERS_PATH) == 2


def test_the_key_never_shows_in_repr() -> None:
    with CursorClient(api_key=KEY, base_url="http://x") as client:
        assert KEY not in repr(client)
        assert KEY not in repr(client.stats)
