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
                      valid_keys={KEY}, rate_limits={"members": 1000,
                                                     "filtered-usage-events": 1000})  # fmt: skip
    settings = load_settings(cursor_rpm=30.0, cursor_events_rpm=120.0,
                             cursor_base_url="http://fake-cursor/")  # fmt: skip
    clock = FakeClock()
    with CursorClient.from_settings(
        settings, api_key=KEY, transport=fake.transport(), clock=clock
    ) as client:
        assert client.base_url == "http://fake-cursor"
        assert (client.rpm_for(MEMBERS_PATH), client.rpm_for(EVENTS_PATH)) == (30.0, 120.0)
        for _ in range(22):
            list_members(client)
        assert clock.sleeps == []  # a minute's worth, but a quarter left to others, at once ...
        list_members(client)
        assert clock.sleeps == [pytest.approx(60 * 1.02)]  # ... then the 23rd waits a minute
        for _ in range(121):  # a minute on, no reserve: 120 at once, the 121st waits
            client.post(EVENTS_PATH, body={"startDate": END_MS - 10, "endDate": END_MS})
        assert len(clock.sleeps) == 2  # 120/min for usage events
    assert [p for _, p, _ in fake.request_log].count(MEMBERS_PATH) == 23


def test_the_key_never_shows_in_repr() -> None:
    with CursorClient(api_key=KEY, base_url="http://x") as client:
        assert KEY not in repr(client)
        assert KEY not in repr(client.stats)
