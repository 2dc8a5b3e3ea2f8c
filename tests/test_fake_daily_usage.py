"""``/teams/daily-usage-data`` of the fake: rows consistent with events, both paging forms."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from devspend.cursor.fake import FakeCursor, SyntheticTeam

DAY = 86_400_000
END = int(datetime(2026, 6, 15, 12, 30, tzinfo=UTC).timestamp() * 1000)
KEY = "key_test_valid_0001"
START = (END // DAY - 9) * DAY


@pytest.fixture(scope="module")
def team() -> SyntheticTeam:
    return SyntheticTeam(seed=5, members=12, end_ms=END, days=40, events_per_member_day=1.0)


@pytest.fixture
def http(team: SyntheticTeam) -> Iterator[httpx.Client]:
    fake = FakeCursor(team=team, valid_keys={KEY}, rate_limits={"daily-usage-data": 1000})
    with httpx.Client(base_url="http://f", transport=fake.transport(), auth=(KEY, "")) as c:
        yield c


def test_plain_form_has_only_active_rows_matching_the_events(
    http: httpx.Client, team: SyntheticTeam
) -> None:
    body = http.post("/teams/daily-usage-data", json={"startDate": START, "endDate": END}).json()
    assert "pagination" not in body
    assert body["period"] == {"startDate": START, "endDate": END}
    rows = body["data"]
    assert rows
    assert all(r["isActive"] for r in rows)
    events = list(team.iter_events(start_ms=START, end_ms=END, as_of_ms=END))
    per_day = Counter(
        (e["userEmail"], datetime.fromtimestamp(int(e["timestamp"]) / 1000, UTC).date().isoformat())
        for e in events
    )
    assert {(r["email"], r["day"]) for r in rows} == set(per_day)
    for row in rows:
        day_events = [
            e
            for e in events
            if e["userEmail"] == row["email"]
            and row["date"] <= int(e["timestamp"]) < row["date"] + DAY
        ]
        kinds = Counter(e["kind"] for e in day_events)
        assert row["usageBasedReqs"] == kinds["Usage-based"]
        assert row["subscriptionIncludedReqs"] == kinds["Included in Business"]
        models = Counter(e["model"] for e in day_events)
        assert models[row["mostUsedModel"]] == max(models.values())
        assert row["date"] % DAY == 0
        assert datetime.fromtimestamp(row["date"] / 1000, UTC).date().isoformat() == row["day"]


def test_paginated_form_includes_inactive_members_and_pages_by_user(
    http: httpx.Client, team: SyntheticTeam
) -> None:
    seen: list[dict] = []
    page = 1
    while True:
        body = http.post(
            "/teams/daily-usage-data",
            json={"startDate": START, "endDate": END, "page": page, "pageSize": 5},
        ).json()
        pagination = body["pagination"]
        assert pagination["page"] == page
        assert pagination["pageSize"] == 5
        assert pagination["hasPreviousPage"] == (page > 1)
        seen.extend(body["data"])
        if not pagination["hasNextPage"]:
            break
        page += 1
    assert page == pagination["totalPages"] == -(-pagination["totalUsers"] // 5)
    assert any(not r["isActive"] for r in seen)
    inactive = [r for r in seen if not r["isActive"]]
    assert all(r["usageBasedReqs"] == 0 and r["mostUsedModel"] is None for r in inactive)
    plain = http.post("/teams/daily-usage-data", json={"startDate": START, "endDate": END})
    assert [r for r in seen if r["isActive"]] == sorted(
        plain.json()["data"], key=lambda r: (team.selected(r["email"])[0].index, r["date"])
    )


def test_over_thirty_days_is_refused(http: httpx.Client) -> None:
    response = http.post(
        "/teams/daily-usage-data", json={"startDate": END - 31 * DAY, "endDate": END}
    )
    assert response.status_code == 400
