"""The fake's keys: Basic auth, 401 for bad or revoked keys, 403 without Enterprise."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from devspend.cursor.fake import FakeCursor, SyntheticTeam

END = int(datetime(2026, 6, 15, 12, 30, tzinfo=UTC).timestamp() * 1000)
KEY = "key_test_valid_0001"
NOT_ENTERPRISE = "key_test_notent_0001"
READS = [
    ("GET", "/teams/members", None),
    ("POST", "/teams/daily-usage-data", {"startDate": END - 86_400_000, "endDate": END}),
    ("POST", "/teams/filtered-usage-events", {"startDate": END - 86_400_000, "endDate": END}),
    ("POST", "/teams/spend", {}),
    ("GET", "/teams/groups", None),
]


@pytest.fixture
def fake() -> FakeCursor:
    team = SyntheticTeam(seed=1, members=5, end_ms=END, days=10)
    return FakeCursor(team=team, valid_keys={KEY}, not_enterprise_keys={NOT_ENTERPRISE})


@pytest.fixture
def http(fake: FakeCursor) -> Iterator[httpx.Client]:
    with httpx.Client(base_url="http://fake", transport=fake.transport()) as c:
        yield c


@pytest.mark.parametrize(("method", "path", "body"), READS)
def test_each_read_endpoint_answers_a_valid_key(
    http: httpx.Client, method: str, path: str, body: dict | None
) -> None:
    assert http.request(method, path, json=body, auth=(KEY, "")).status_code == 200


@pytest.mark.parametrize(("method", "path", "body"), READS)
def test_not_enterprise_key_gets_403_everywhere(
    http: httpx.Client, method: str, path: str, body: dict | None
) -> None:
    response = http.request(method, path, json=body, auth=(NOT_ENTERPRISE, ""))
    assert response.status_code == 403
    assert response.json() == {"error": "Forbidden", "message": "Enterprise access required"}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": f"Bearer {KEY}"},
        {"Authorization": "Basic !!notbase64"},
        {"Authorization": "Basic " + base64.b64encode(b"key_test_wrong_0001:").decode()},
    ],
)
def test_missing_or_wrong_credentials_get_401(http: httpx.Client, headers: dict) -> None:
    response = http.get("/teams/members", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"error": "Unauthorized", "message": "Invalid API key"}


def test_revoking_a_key_takes_effect_immediately(fake: FakeCursor, http: httpx.Client) -> None:
    assert http.get("/teams/members", auth=(KEY, "")).status_code == 200
    fake.valid_keys.discard(KEY)
    assert http.get("/teams/members", auth=(KEY, "")).status_code == 401


def test_write_endpoints_are_refused_and_logged(fake: FakeCursor, http: httpx.Client) -> None:
    assert http.post("/teams/user-spend-limit", json={}, auth=(KEY, "")).status_code == 404
    assert http.post("/teams/remove-member", json={}, auth=(KEY, "")).status_code == 404
    assert http.get("/teams/spend", auth=(KEY, "")).status_code == 405
    assert [(m, p, s) for m, p, s in fake.request_log] == [
        ("POST", "/teams/user-spend-limit", 404),
        ("POST", "/teams/remove-member", 404),
        ("GET", "/teams/spend", 405),
    ]
