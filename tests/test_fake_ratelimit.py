"""The fake's per-endpoint rate limits: 429 after the limit, recovery after the "minute"."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from devspend.cursor.fake import FakeCursor, SyntheticTeam
from devspend.cursor.fake.app import retry_after

END = int(datetime(2026, 6, 15, 12, 30, tzinfo=UTC).timestamp() * 1000)
KEY = "key_test_valid_0001"


class ManualClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


def _fake(clock: ManualClock, *, send_retry_after: bool = True) -> FakeCursor:
    team = SyntheticTeam(seed=1, members=3, end_ms=END, days=5)
    return FakeCursor(
        team=team,
        valid_keys={KEY},
        minute_seconds=0.5,
        rate_limits={"members": 3},
        rate_clock=clock,
        send_retry_after=send_retry_after,
    )


@pytest.fixture
def fake(clock: ManualClock) -> FakeCursor:
    return _fake(clock)


@pytest.fixture
def http(fake: FakeCursor) -> Iterator[httpx.Client]:
    with httpx.Client(base_url="http://fake", transport=fake.transport(), auth=(KEY, "")) as c:
        yield c


def test_429_after_the_limit_then_recovery(
    fake: FakeCursor, http: httpx.Client, clock: ManualClock
) -> None:
    for _ in range(3):
        assert http.get("/teams/members").status_code == 200
        clock.now += 0.1
    refused = http.get("/teams/members")
    assert refused.status_code == 429
    assert refused.json() == {
        "error": "Too Many Requests",
        "message": "Rate limit exceeded. Please try again later.",
    }
    assert float(refused.headers["Retry-After"]) == pytest.approx(0.2, abs=0.01)
    clock.now += 0.21
    assert http.get("/teams/members").status_code == 200
    assert [s for _m, _p, s in fake.request_log].count(429) == 1


def test_limits_are_per_endpoint_with_documented_defaults(
    fake: FakeCursor, http: httpx.Client
) -> None:
    for _ in range(3):
        http.get("/teams/members")
    assert http.get("/teams/members").status_code == 429
    assert http.post("/teams/spend", json={}).status_code == 200
    assert fake.limiter.limit_for("spend") == 20
    assert fake.limiter.limit_for("filtered-usage-events") == 60


def test_retry_after_can_be_left_out(clock: ManualClock) -> None:
    fake = _fake(clock, send_retry_after=False)
    with httpx.Client(base_url="http://f", transport=fake.transport(), auth=(KEY, "")) as http:
        statuses = [http.get("/teams/members") for _ in range(4)]
    assert statuses[-1].status_code == 429
    assert "Retry-After" not in statuses[-1].headers


def test_retry_after_is_whole_seconds_on_a_real_minute() -> None:
    assert retry_after(12.2) == "13"
    assert retry_after(0.25) == "0.250"


def test_a_misspelt_endpoint_name_is_refused() -> None:
    team = SyntheticTeam(seed=1, members=3, end_ms=END, days=5)
    with pytest.raises(ValueError, match="default"):
        FakeCursor(team=team, valid_keys={KEY}, rate_limits={"default": 100})
