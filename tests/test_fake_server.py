"""The fake on a real loopback socket, and the ``devspend fake-cursor`` command's pieces."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from devspend.cursor.fake import FakeCursor, SyntheticTeam, serve_fake_cursor

END = int(datetime(2026, 6, 15, 12, 30, tzinfo=UTC).timestamp() * 1000)
KEY = "key_test_valid_0001"


def test_loopback_server_serves_the_same_events_as_the_generator() -> None:
    team = SyntheticTeam(seed=3, members=6, end_ms=END, days=10)
    fake = FakeCursor(team=team, valid_keys={KEY})
    start = END - 7 * 86_400_000
    with serve_fake_cursor(fake, port=0) as url:
        assert url.startswith("http://127.0.0.1:")
        assert not url.endswith(":0")
        response = httpx.post(
            f"{url}/teams/filtered-usage-events",
            json={"startDate": start, "endDate": END, "pageSize": 1000},
            auth=(KEY, ""),
        )
        members = httpx.get(f"{url}/teams/members", auth=(KEY, "")).json()
    assert response.status_code == 200
    assert response.json()["usageEvents"] == list(team.iter_events(start_ms=start, end_ms=END))
    assert members == {"teamMembers": team.members()}
    assert [entry.status for entry in fake.request_log] == [200, 200]


def test_socket_and_in_process_transport_answer_alike() -> None:
    team = SyntheticTeam(seed=3, members=6, end_ms=END, days=40)
    fake = FakeCursor(team=team, valid_keys={KEY})
    calls = [
        ("GET", "/teams/members", None, None),
        (
            "POST",
            "/teams/daily-usage-data",
            {"startDate": END - 86_400_000 * 3, "endDate": END},
            None,
        ),
        ("POST", "/teams/spend", {"pageSize": 4}, None),
        ("GET", "/teams/groups", None, {"billingCycle": "2026-05-03"}),
        ("POST", "/teams/filtered-usage-events", {"startDate": END, "endDate": END - 1}, None),
    ]
    with (
        serve_fake_cursor(fake) as url,
        httpx.Client(base_url="http://f", transport=fake.transport(), auth=(KEY, "")) as local,
    ):
        for method, path, body, params in calls:
            remote = httpx.request(method, url + path, json=body, params=params, auth=(KEY, ""))
            here = local.request(method, path, json=body, params=params)
            assert (remote.status_code, remote.json()) == (here.status_code, here.json())
