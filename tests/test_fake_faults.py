"""Seeded fault injection: reproducible 5xx, slow answers and dropped connections."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from devspend.cursor.fake import FakeCursor, FaultConfig, SyntheticTeam, serve_fake_cursor

END = int(datetime(2026, 6, 15, 12, 30, tzinfo=UTC).timestamp() * 1000)
KEY = "key_test_valid_0001"


def _fake(faults: FaultConfig) -> FakeCursor:
    team = SyntheticTeam(seed=1, members=3, end_ms=END, days=5)
    return FakeCursor(team=team, valid_keys={KEY}, rate_limits={"members": 10_000}, faults=faults)


def _outcomes(fake: FakeCursor, n: int) -> list[int | str]:
    out: list[int | str] = []
    with httpx.Client(base_url="http://f", transport=fake.transport(), auth=(KEY, "")) as http:
        for _ in range(n):
            try:
                out.append(http.get("/teams/members").status_code)
            except httpx.RemoteProtocolError:
                out.append("dropped")
    return out


def test_same_seed_same_faults() -> None:
    config = FaultConfig(seed=5, error_rate=0.3, drop_rate=0.2)
    first, second = _outcomes(_fake(config), 60), _outcomes(_fake(config), 60)
    assert first == second
    assert {200, 500, 502, "dropped"} <= set(first)
    assert _outcomes(_fake(FaultConfig(seed=6, error_rate=0.3, drop_rate=0.2)), 60) != first


def test_server_errors_have_the_documented_body() -> None:
    fake = _fake(FaultConfig(seed=1, error_rate=1.0))
    with httpx.Client(base_url="http://f", transport=fake.transport(), auth=(KEY, "")) as http:
        bodies = [http.get("/teams/members") for _ in range(20)]
    five_hundreds = [r.json() for r in bodies if r.status_code == 500]
    assert five_hundreds[0] == {
        "error": "Internal Server Error",
        "message": "An unexpected error occurred",
    }
    assert any(r.status_code == 502 for r in bodies)


def test_dropped_connections_over_a_real_socket_are_logged() -> None:
    fake = _fake(FaultConfig(seed=1, drop_rate=1.0))
    with serve_fake_cursor(fake) as url, pytest.raises(httpx.RemoteProtocolError):
        httpx.get(f"{url}/teams/members", auth=(KEY, ""))
    assert fake.request_log[-1].status == 0


def test_slow_answers_time_out_like_a_socket() -> None:
    fake = _fake(FaultConfig(seed=1, slow_rate=1.0, slow_seconds=0.3))
    transport = fake.transport()
    with (
        httpx.Client(
            base_url="http://f", transport=transport, auth=(KEY, ""), timeout=0.05
        ) as http,
        pytest.raises(httpx.ReadTimeout),
    ):
        http.get("/teams/members")


def test_a_script_plays_exact_faults_first() -> None:
    fake = _fake(FaultConfig(script=(500, 502, 429, "drop", None, 500)))
    assert _outcomes(fake, 8) == [500, 502, 429, "dropped", 200, 500, 200, 200]
    fake.set_faults(FaultConfig(script=(502,)))
    assert _outcomes(fake, 2) == [502, 200]
