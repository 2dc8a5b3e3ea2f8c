"""check_key, find_history_start and ``devspend cursor check`` against the fake."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from datetime import UTC, datetime

import httpx
import pytest
from typer.testing import CliRunner

from devspend.cli import build_app
from devspend.cursor.check import check_key, key_prefix_warning
from devspend.cursor.client import EVENTS_PATH, READ_ENDPOINTS, CursorClient
from devspend.cursor.clock import FakeClock
from devspend.cursor.fake import FakeCursor, SyntheticTeam, serve_fake_cursor
from devspend.cursor.history import find_history_start
from devspend.cursor.windows import DAY_MS
from devspend.errors import CursorAuthError

KEY = "key_test_valid_0001"
NOT_ENTERPRISE = "key_test_notent_0001"
END_MS = int(datetime(2026, 11, 25, tzinfo=UTC).timestamp() * 1000) - 1


def oldest_day(team: SyntheticTeam) -> object:
    """The first day of events the API shows within the probe's 365-day lookback."""
    start = max(team.history_start_ms, END_MS - 365 * DAY_MS + 1)
    stamps = [
        int(e["timestamp"]) for e in team.iter_events(start_ms=start, end_ms=start + 5 * DAY_MS)
    ]
    return datetime.fromtimestamp(min(stamps) / 1000, tz=UTC).date()


def fake_for(team: SyntheticTeam) -> FakeCursor:
    return FakeCursor(team=team, valid_keys={KEY}, not_enterprise_keys={NOT_ENTERPRISE})


def client_for(fake: FakeCursor, key: str = KEY) -> CursorClient:
    return CursorClient(
        api_key=key, base_url="http://fake", transport=fake.transport(), clock=FakeClock()
    )


@pytest.mark.parametrize("history_days", [365, 200, 45, 3])
def test_history_start_is_found_in_a_handful_of_requests(history_days: int) -> None:
    team = SyntheticTeam(seed=9, members=5, end_ms=END_MS, days=365, history_days=history_days)
    fake = fake_for(team)
    with client_for(fake) as client:
        found = find_history_start(client, now_ms=END_MS)
    assert found == oldest_day(team)
    assert sum(1 for _, p, _ in fake.request_log if p == EVENTS_PATH) <= 7


def test_no_events_at_all_means_no_history() -> None:
    team = SyntheticTeam(seed=9, members=3, end_ms=END_MS - 400 * DAY_MS, days=30)
    with client_for(fake_for(team)) as client:
        assert find_history_start(client, now_ms=END_MS) is None


def test_a_good_key_reads_everything() -> None:
    team = SyntheticTeam(seed=9, members=5, end_ms=END_MS, days=365, history_days=90)
    with client_for(fake_for(team)) as client:
        result = check_key(client, now_ms=END_MS)
    assert result.can_read_events
    assert all(result.readable.values()), result.problems
    assert result.problems == []
    assert result.history_start == oldest_day(team)


class FirstCallsMeet(httpx.BaseTransport):
    """Holds each endpoint's first request until every endpoint's first request has
    arrived: probes asked one after another would never all get there (and time out)."""

    def __init__(self, inner: httpx.BaseTransport, endpoints: int) -> None:
        self._inner = inner
        self._barrier = threading.Barrier(endpoints, timeout=10)
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            first = request.url.path not in self._seen
            self._seen.add(request.url.path)
        if first:
            self._barrier.wait()
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


def test_every_endpoint_is_probed_at_once_within_its_own_limit() -> None:
    team = SyntheticTeam(seed=9, members=5, end_ms=END_MS, days=365, history_days=90)
    fake = fake_for(team)  # Cursor's documented limits: 60/min usage events, 20/min the rest
    clock = FakeClock()
    endpoints = len(READ_ENDPOINTS)
    transport = FirstCallsMeet(fake.transport(), endpoints)
    with CursorClient(api_key=KEY, base_url="http://fake", transport=transport,
                      clock=clock) as client:  # fmt: skip
        result = check_key(client, now_ms=END_MS)
    assert all(result.readable.values()), result.problems
    assert result.history_start == oldest_day(team)
    assert clock.sleeps == []  # nobody waited for a pacer or a retry ...
    assert 429 not in [status for _, _, status in fake.request_log]  # ... nor needed to
    asked = Counter(path for _, path, _ in fake.request_log)
    assert len(asked) == endpoints
    assert all(n == 1 for path, n in asked.items() if path != EVENTS_PATH)  # each asked once


def test_a_team_off_enterprise_gets_a_plan_problem() -> None:
    team = SyntheticTeam(seed=9, members=5, end_ms=END_MS, days=30)
    with client_for(fake_for(team), NOT_ENTERPRISE) as client:
        result = check_key(client, now_ms=END_MS)
    assert not result.can_read_events
    assert any("Enterprise" in p for p in result.problems)
    assert all(NOT_ENTERPRISE not in p for p in result.problems)


def test_a_revoked_key_fails_with_the_helpful_message_and_stays_secret(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    team = SyntheticTeam(seed=9, members=5, end_ms=END_MS, days=30)
    fake = fake_for(team)
    with client_for(fake) as client:
        assert check_key(client, now_ms=END_MS).can_read_events
        fake.valid_keys.discard(KEY)
        result = check_key(client, now_ms=END_MS)
        with pytest.raises(CursorAuthError) as info:
            find_history_start(client, now_ms=END_MS)
    assert not result.can_read_events
    assert len(result.problems) == 1
    assert "Team Admin" in result.problems[0]
    assert KEY not in str(info.value)
    assert KEY not in caplog.text
    assert KEY not in " ".join(result.problems)


def test_unknown_key_prefixes_are_warned_about_not_refused() -> None:
    assert key_prefix_warning("key_abc") is None
    assert key_prefix_warning("crsr_abc") is None
    warning = key_prefix_warning("sk-live-123")
    assert warning is not None
    assert "sk-live" not in warning


@pytest.fixture
def live_fake() -> FakeCursor:
    now = int(time.time() * 1000)
    team = SyntheticTeam(seed=4, members=4, end_ms=now, days=90, history_days=60)
    return fake_for(team)


def run_cli(fake: FakeCursor, *, env_key: str | None, stdin: str | None = None) -> tuple[int, str]:
    with serve_fake_cursor(fake, port=0) as url:
        env = {"DEVSPEND_CURSOR_BASE_URL": url, "DEVSPEND_CURSOR_RPM": "60000",
               "DEVSPEND_CURSOR_EVENTS_RPM": "60000", "CURSOR_API_KEY": env_key or ""}  # fmt: skip
        args = ["cursor", "check"] + (["--api-key-stdin"] if stdin is not None else [])
        result = CliRunner().invoke(build_app(), args, env=env, input=stdin)
    return result.exit_code, result.output


def test_cli_check_with_a_good_key_exits_0(live_fake: FakeCursor) -> None:
    code, output = run_cli(live_fake, env_key=KEY)
    assert code == 0, output
    assert "usage events" in output
    assert "go back to" in output
    assert KEY not in output


def test_cli_check_reads_the_key_from_stdin(live_fake: FakeCursor) -> None:
    code, output = run_cli(live_fake, env_key=None, stdin=KEY + "\n")
    assert code == 0, output
    assert KEY not in output


def test_cli_check_off_enterprise_exits_non_zero(live_fake: FakeCursor) -> None:
    code, output = run_cli(live_fake, env_key=NOT_ENTERPRISE)
    assert code == 1
    assert "Enterprise" in output
    assert NOT_ENTERPRISE not in output


def test_cli_check_warns_on_an_unknown_prefix(live_fake: FakeCursor) -> None:
    odd = "zzz_test_unknown_0001"
    code, output = run_cli(live_fake, env_key=odd)
    assert code == 1
    assert "Warning" in output
    assert odd not in output


def test_an_unreachable_cursor_is_reported_once_and_quickly() -> None:
    clock = FakeClock()
    with CursorClient(api_key=KEY, base_url="http://127.0.0.1:9", clock=clock) as client:
        result = check_key(client, now_ms=END_MS)
    assert not result.can_read_events
    assert len(result.problems) == 1
    assert "did not answer" in result.problems[0]
    assert "ConnectError" in result.problems[0]


@pytest.mark.parametrize("denial", [403, 401])
def test_a_team_without_ai_code_tracking_keeps_a_usable_key(denial: int) -> None:
    team = SyntheticTeam(seed=9, members=5, end_ms=END_MS, days=60)
    fake = FakeCursor(team=team, valid_keys={KEY}, ai_code_enabled=False, ai_code_denial=denial)
    with client_for(fake) as client:
        result = check_key(client, now_ms=END_MS)
    assert result.can_read_events  # a 401 from AI Code Tracking is not a bad key
    assert result.readable["ai code commits"] is False
    assert result.readable["ai code changes"] is False
    assert result.readable["members"]
    assert result.readable["spend"]
    assert sum("AI Code Tracking" in p for p in result.problems) == 1


def test_cli_check_says_whether_ai_code_is_readable(live_fake: FakeCursor) -> None:
    code, output = run_cli(live_fake, env_key=KEY)
    assert code == 0
    assert "ai code commits" in output
    assert "ai code changes" in output
    live_fake.ai_code_enabled = False
    code, output = run_cli(live_fake, env_key=KEY)
    assert code == 0
    assert "AI Code Tracking" in output
