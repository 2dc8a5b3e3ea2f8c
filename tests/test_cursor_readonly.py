"""devspend never writes to Cursor: a full sweep reaches read endpoints only."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from devspend.cursor.check import check_key
from devspend.cursor.client import READ_ENDPOINTS, CursorClient
from devspend.cursor.clock import FakeClock
from devspend.cursor.endpoints import (
    get_billing_groups,
    get_spend,
    iter_daily_usage,
    iter_usage_events,
    list_members,
)
from devspend.cursor.fake import FakeCursor, SyntheticTeam
from devspend.cursor.windows import DAY_MS
from devspend.errors import CursorRequestError

KEY = "key_test_valid_0001"
END_MS = int(datetime(2026, 11, 25, tzinfo=UTC).timestamp() * 1000) - 1
WRITES = [
    ("POST", "/teams/user-spend-limit"),
    ("POST", "/teams/remove-member"),
    ("POST", "/settings/repo-blocklists/repos/upsert"),
    ("DELETE", "/settings/repo-blocklists/repos/1"),
    ("POST", "/teams/groups"),
]


def test_a_full_sweep_touches_nothing_but_read_endpoints() -> None:
    team = SyntheticTeam(seed=2, members=4, end_ms=END_MS, days=60)
    fake = FakeCursor(team=team, valid_keys={KEY})
    with CursorClient(
        api_key=KEY, base_url="http://fake", transport=fake.transport(), clock=FakeClock()
    ) as client:
        list_members(client)
        list(iter_usage_events(client, start_ms=END_MS - 60 * DAY_MS, end_ms=END_MS))
        list(iter_daily_usage(client, start_ms=END_MS - 31 * DAY_MS, end_ms=END_MS))
        get_spend(client)
        get_billing_groups(client)
        check_key(client, now_ms=END_MS)
        for method, path in WRITES:
            with pytest.raises(CursorRequestError, match="only reads"):
                client.request(method, path, body={"userId": "user_x"})
    reached = {(method, path) for method, path, _ in fake.request_log}
    assert reached  # the sweep really went through the fake
    assert reached <= READ_ENDPOINTS
    assert reached.isdisjoint(WRITES)


def test_the_allowed_set_is_exactly_the_seven_reads() -> None:
    assert {
        ("GET", "/analytics/ai-code/commits"),
        ("GET", "/analytics/ai-code/changes"),
    } <= READ_ENDPOINTS
    assert {path for _, path in READ_ENDPOINTS} == {
        "/analytics/ai-code/commits",
        "/analytics/ai-code/changes",
        "/teams/members",
        "/teams/daily-usage-data",
        "/teams/filtered-usage-events",
        "/teams/spend",
        "/teams/groups",
    }
    assert {m for m, _ in READ_ENDPOINTS} == {"GET", "POST"}
