"""Members, daily usage, spend and billing groups from the fake, through every page style."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from devspend.cursor.client import DAILY_USAGE_PATH, SPEND_PATH, CursorClient
from devspend.cursor.clock import FakeClock
from devspend.cursor.endpoints import (
    get_billing_groups,
    get_spend,
    iter_daily_usage,
    list_members,
)
from devspend.cursor.fake import FakeCursor, SyntheticTeam
from devspend.cursor.windows import DAY_MS

KEY = "key_test_valid_0001"
END_MS = int(datetime(2026, 11, 25, tzinfo=UTC).timestamp() * 1000) - 1


@pytest.fixture(scope="module")
def team() -> SyntheticTeam:
    return SyntheticTeam(seed=5, members=12, end_ms=END_MS, days=120, events_per_member_day=2.0)


@pytest.fixture
def fake(team: SyntheticTeam) -> FakeCursor:
    return FakeCursor(team=team, valid_keys={KEY}, rate_limits={"filtered-usage-events": 10**6})


@pytest.fixture
def client(fake: FakeCursor) -> Iterator[CursorClient]:
    with CursorClient(
        api_key=KEY, base_url="http://fake", transport=fake.transport(), clock=FakeClock()
    ) as c:
        yield c


def test_members_include_removed_ones(team: SyntheticTeam, client: CursorClient) -> None:
    members = list_members(client)
    assert [m.email for m in members] == [m["email"] for m in team.members()]
    assert all(m.user_id for m in members)


def test_daily_usage_pages_bring_back_inactive_members(
    team: SyntheticTeam, fake: FakeCursor, client: CursorClient
) -> None:
    start = END_MS - 40 * DAY_MS + 1
    rows = list(iter_daily_usage(client, start_ms=start, end_ms=END_MS, page_size=3))
    keys = [(r.email, r.day) for r in rows]
    assert len(keys) == len(set(keys))  # no member-day twice across pages and windows
    assert any(not r.is_active for r in rows)
    assert {r.email for r in rows} >= {m["email"] for m in team.members() if not m.get("isRemoved")}
    assert sum(1 for _, p, _ in fake.request_log if p == DAILY_USAGE_PATH) > 2  # many pages


def test_daily_usage_from_mid_day_returns_each_member_day_once(
    team: SyntheticTeam, client: CursorClient
) -> None:
    start = END_MS - 40 * DAY_MS - 12 * 3_600_000  # noon: a window edge inside a day
    rows = list(iter_daily_usage(client, start_ms=start, end_ms=END_MS))
    keys = [(r.email, r.day) for r in rows]
    assert len(keys) == len(set(keys))
    first_day = datetime.fromtimestamp(start / 1000, tz=UTC).date()
    assert min(r.day for r in rows) == first_day


def test_spend_reads_every_page_and_matches_chargeable_events(
    team: SyntheticTeam, fake: FakeCursor, client: CursorClient
) -> None:
    report = get_spend(client, page_size=5)
    assert sum(1 for _, p, _ in fake.request_log if p == SPEND_PATH) >= 3
    emails = [m.email for m in report.members]
    assert len(emails) == len(set(emails))
    truth = team.expected_totals(start_ms=report.cycle_start_ms, end_ms=END_MS)
    assert sum((m.spend_cents for m in report.members), Decimal(0)) == truth.chargeable_cents


def test_billing_groups_are_read(client: CursorClient) -> None:
    groups = get_billing_groups(client)
    assert groups.groups
    assert all(g.group_id and g.name for g in groups.groups)
