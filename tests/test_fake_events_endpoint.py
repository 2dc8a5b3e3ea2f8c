"""``/teams/filtered-usage-events`` of the fake: paging, bounds, order and 400s."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from devspend.cursor.fake import FakeCursor, SyntheticTeam
from devspend.cursor.fake.paging import EventPager, EventQuery

DAY = 86_400_000
END = int(datetime(2026, 6, 15, 12, 30, tzinfo=UTC).timestamp() * 1000)
KEY = "key_test_valid_0001"


@pytest.fixture(scope="module")
def team() -> SyntheticTeam:
    return SyntheticTeam(seed=11, members=15, end_ms=END, days=60)


@pytest.fixture
def client(team: SyntheticTeam) -> Iterator[httpx.Client]:
    fake = FakeCursor(team=team, valid_keys={KEY}, rate_limits={"filtered-usage-events": 10_000})
    with httpx.Client(base_url="http://fake", transport=fake.transport(), auth=(KEY, "")) as c:
        yield c


def _post(client: httpx.Client, **body: Any) -> httpx.Response:
    return client.post("/teams/filtered-usage-events", json=body)


def test_pages_concatenate_to_the_generators_events(
    client: httpx.Client, team: SyntheticTeam
) -> None:
    start, end = END - 30 * DAY + 1, END
    expected = list(team.iter_events(start_ms=start, end_ms=end, as_of_ms=END))
    got: list[dict] = []
    page = 1
    while True:
        body = _post(client, startDate=start, endDate=end, page=page, pageSize=250).json()
        assert body["totalUsageEventsCount"] == len(expected)
        assert body["period"] == {"startDate": start, "endDate": end}
        pagination = body["pagination"]
        assert pagination["currentPage"] == page
        assert pagination["numPages"] == -(-len(expected) // 250)
        assert pagination["hasPreviousPage"] == (page > 1)
        got.extend(body["usageEvents"])
        if not pagination["hasNextPage"]:
            break
        page += 1
    assert got == expected
    assert page > 2


def test_default_page_size_is_100_and_past_the_end_is_empty(client: httpx.Client) -> None:
    body = _post(client, startDate=END - 10 * DAY, endDate=END).json()
    assert body["pagination"]["pageSize"] == 100
    assert len(body["usageEvents"]) == 100
    last = body["pagination"]["numPages"]
    beyond = _post(client, startDate=END - 10 * DAY, endDate=END, page=last + 1).json()
    assert beyond["usageEvents"] == []
    assert beyond["pagination"]["hasNextPage"] is False


def test_bounds_are_inclusive_to_the_millisecond(client: httpx.Client, team: SyntheticTeam) -> None:
    sample = next(team.iter_events(start_ms=END - 3 * DAY, end_ms=END - 2 * DAY))
    t = int(sample["timestamp"])
    on = _post(client, startDate=t, endDate=t).json()["usageEvents"]
    assert sample in on
    after = _post(client, startDate=t + 1, endDate=t + DAY).json()["usageEvents"]
    before = _post(client, startDate=t - DAY, endDate=t - 1, pageSize=1000).json()["usageEvents"]
    assert all(int(e["timestamp"]) != t for e in after + before)


def test_email_filter(client: httpx.Client, team: SyntheticTeam) -> None:
    email = team.profiles[0].email
    body = _post(client, startDate=END - 29 * DAY, endDate=END, email=email, pageSize=1000).json()
    assert body["usageEvents"]
    assert {e["userEmail"] for e in body["usageEvents"]} == {email}


@pytest.mark.parametrize(
    "body",
    [
        {"startDate": END - 31 * DAY, "endDate": END},
        {"startDate": END, "endDate": END - 1},
        {"startDate": END - DAY, "endDate": END, "pageSize": 1001},
        {"startDate": END - DAY, "endDate": END, "page": 0},
        {"endDate": END},
        {"startDate": "soon", "endDate": END},
    ],
)
def test_bad_requests_get_400(client: httpx.Client, body: dict[str, Any]) -> None:
    response = client.post("/teams/filtered-usage-events", json=body)
    assert response.status_code == 400
    assert response.json()["error"] == "Bad Request"


def test_exactly_thirty_days_is_accepted_and_one_ms_more_refused(client: httpx.Client) -> None:
    assert _post(client, startDate=END - 30 * DAY + 1, endDate=END).status_code == 200
    assert _post(client, startDate=END - 30 * DAY, endDate=END).status_code == 400


def test_a_tiny_cache_budget_still_serves_identical_pages(team: SyntheticTeam) -> None:
    query = EventQuery(start_ms=END - 20 * DAY, end_ms=END, email=None, as_of_ms=END)
    roomy, tight = EventPager(team), EventPager(team, budget=30)
    for page in (1, 2, 5, 3, 9):
        assert roomy.page(query, page=page, page_size=37) == tight.page(
            query, page=page, page_size=37
        )


def test_the_clock_decides_what_is_visible() -> None:
    team = SyntheticTeam(seed=4, members=10, end_ms=END, days=5, late_rate=0.5)
    now = [END - 6 * 3_600_000]
    fake = FakeCursor(team=team, valid_keys={KEY}, clock_ms=lambda: now[0])
    body = {"startDate": END - 2 * DAY, "endDate": END, "pageSize": 1000}
    with httpx.Client(base_url="http://f", transport=fake.transport(), auth=(KEY, "")) as http:
        early = http.post("/teams/filtered-usage-events", json=body).json()
        now[0] = END + 12 * 3_600_000
        late = http.post("/teams/filtered-usage-events", json=body).json()
    assert all(int(e["timestamp"]) <= END - 6 * 3_600_000 for e in early["usageEvents"])
    assert early["usageEvents"] == list(
        team.iter_events(start_ms=END - 2 * DAY, end_ms=END, as_of_ms=END - 6 * 3_600_000)
    )
    assert late["usageEvents"] == list(team.iter_events(start_ms=END - 2 * DAY, end_ms=END))
    assert late["totalUsageEventsCount"] > early["totalUsageEventsCount"]


def test_a_moving_clock_past_the_data_does_not_change_pages(team: SyntheticTeam) -> None:
    ticks = iter(range(END + 1, END + 1000))
    fake = FakeCursor(team=team, valid_keys={KEY}, clock_ms=lambda: next(ticks))
    assert team.settled_as_of(end_ms=END, as_of_ms=END + 1) is None
    assert team.settled_as_of(end_ms=END, as_of_ms=END - 1) == END - 1
    with httpx.Client(base_url="http://f", transport=fake.transport(), auth=(KEY, "")) as http:
        body = {"startDate": END - 20 * DAY, "endDate": END, "pageSize": 300}
        pages = [
            http.post("/teams/filtered-usage-events", json={**body, "page": p}).json()
            for p in (1, 2, 3)
        ]
    events = [e for page in pages for e in page["usageEvents"]]
    assert events == list(team.iter_events(start_ms=END - 20 * DAY, end_ms=END))[:900]


@pytest.mark.parametrize("as_of_hours", [None, -30, -3, 0, 2, 7])
def test_day_counts_match_the_generated_events(as_of_hours: int | None) -> None:
    team = SyntheticTeam(seed=8, members=9, end_ms=END, days=20, duplicate_rate=0.2, late_rate=0.4)
    as_of = None if as_of_hours is None else END + as_of_hours * 3_600_000
    start, end = END - 6 * DAY + 12_345, END - 1_000
    counted = dict(team.iter_day_counts(start_ms=start, end_ms=end, email=None, as_of_ms=as_of))
    shown = {
        day: len(events)
        for day, events in team.iter_visible(start_ms=start, end_ms=end, email=None, as_of_ms=as_of)
    }
    assert counted == shown
    assert sum(counted.values()) > 0
