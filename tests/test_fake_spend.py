"""``/teams/spend`` and ``/teams/groups`` of the fake: the current cycle, from the events."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest

from devspend.cursor.fake import FakeCursor, SyntheticTeam
from devspend.cursor.fake.totals import wire_decimal

END = int(datetime(2026, 6, 15, 12, 30, tzinfo=UTC).timestamp() * 1000)
CYCLE_START = int(datetime(2026, 6, 1, tzinfo=UTC).timestamp() * 1000)
KEY = "key_test_valid_0001"


@pytest.fixture(scope="module")
def team() -> SyntheticTeam:
    return SyntheticTeam(seed=9, members=230, end_ms=END, days=60, events_per_member_day=0.5)


@pytest.fixture
def http(team: SyntheticTeam) -> Iterator[httpx.Client]:
    fake = FakeCursor(team=team, valid_keys={KEY}, rate_limits={"spend": 1000, "groups": 1000})
    with httpx.Client(base_url="http://f", transport=fake.transport(), auth=(KEY, "")) as c:
        yield c


def _all_spend(http: httpx.Client) -> tuple[list[dict], list[dict]]:
    pages = [http.post("/teams/spend", json={}).json()]
    while len(pages) < pages[0]["totalPages"]:
        pages.append(http.post("/teams/spend", json={"page": len(pages) + 1}).json())
    return pages, [row for p in pages for row in p["teamMemberSpend"]]


def test_spend_pages_with_total_pages_only(http: httpx.Client) -> None:
    pages, rows = _all_spend(http)
    first = pages[0]
    assert "hasNextPage" not in first
    assert "pagination" not in first
    assert first["totalPages"] == 3
    assert len(first["teamMemberSpend"]) == 100
    assert len(rows) == first["totalMembers"] == len({r["email"] for r in rows})
    assert first["subscriptionCycleStart"] == CYCLE_START
    amounts = [Decimal(str(r["spendCents"])) for r in rows]
    assert amounts == sorted(amounts, reverse=True)


def test_spend_equals_chargeable_charged_cents_this_cycle(
    http: httpx.Client, team: SyntheticTeam
) -> None:
    _pages, rows = _all_spend(http)
    events = list(team.iter_events(start_ms=CYCLE_START, end_ms=END, as_of_ms=END))
    for row in rows[:40]:
        mine = [e for e in events if e["userEmail"] == row["email"]]
        chargeable = sum(wire_decimal(e.get("chargedCents")) for e in mine if e.get("isChargeable"))
        assert wire_decimal(row["spendCents"]) == chargeable
        assert wire_decimal(row["overallSpendCents"]) == sum(
            wire_decimal(e.get("chargedCents")) for e in mine
        )
        assert row["fastPremiumRequests"] == sum(e["kind"] == "Usage-based" for e in mine)
    total = team.expected_totals(start_ms=CYCLE_START, end_ms=END, as_of_ms=END)
    assert sum(wire_decimal(r["spendCents"]) for r in rows) == total.chargeable_cents


def test_spend_search_and_sort(http: httpx.Client) -> None:
    _pages, rows = _all_spend(http)
    target = rows[5]
    found = http.post("/teams/spend", json={"searchTerm": target["email"].upper()}).json()
    assert target in found["teamMemberSpend"]
    by_user = http.post(
        "/teams/spend", json={"sortBy": "user", "sortDirection": "asc", "pageSize": 1000}
    ).json()["teamMemberSpend"]
    assert [r["name"] for r in by_user] == sorted(r["name"] for r in by_user)
    assert http.post("/teams/spend", json={"sortBy": "mood"}).status_code == 400


def test_groups_partition_the_cycles_spend(http: httpx.Client, team: SyntheticTeam) -> None:
    body = http.get("/teams/groups").json()
    assert body["billingCycle"]["cycleStart"].startswith("2026-06-01T00:00:00")
    groups = [*body["groups"], body["unassignedGroup"]]
    assert {g["type"] for g in body["groups"]} == {"BILLING"}
    total = team.expected_totals(start_ms=CYCLE_START, end_ms=END, as_of_ms=END)
    assert sum(wire_decimal(g["spendCents"]) for g in groups) == total.chargeable_cents
    for g in groups:
        assert g["memberCount"] == len(g["currentMembers"])
        daily = sum(wire_decimal(d["spendCents"]) for d in g["dailySpend"])
        assert daily == wire_decimal(g["spendCents"])
    emails = [m["email"] for g in groups for m in g["currentMembers"]]
    assert len(emails) == len(set(emails))


def test_groups_of_a_past_cycle(http: httpx.Client) -> None:
    body = http.get("/teams/groups", params={"billingCycle": "2026-05-10"}).json()
    assert body["billingCycle"]["cycleStart"].startswith("2026-05-01")
    assert body["billingCycle"]["cycleEnd"].startswith("2026-05-31T23:59:59.999")
    assert http.get("/teams/groups", params={"billingCycle": "May"}).status_code == 400
