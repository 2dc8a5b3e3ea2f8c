"""The real commands as subprocesses against the fake on a socket: connect, sync, kill -9,
resume, concurrent syncs, and ``report users`` JSON equal to the generator's truth."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from devspend.cursor.fake import FakeCursor, SyntheticTeam, serve_fake_cursor
from devspend.store.locks import sync_lock
from sync_helpers import VALID_KEY, fake_for, row_fields, small_team, tally_fields

DEVSPEND = str(Path(sys.executable).parent / "devspend")
pytestmark = pytest.mark.slow


@pytest.fixture
def team() -> SyntheticTeam:
    # the subprocesses use the real clock, so the team's data ends "now"
    return small_team(end_ms=int(time.time()) * 1000 - 60_000)


@pytest.fixture
def fake(team: SyntheticTeam) -> FakeCursor:
    return fake_for(team)


@pytest.fixture
def cli_env(fake: FakeCursor, db_url: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    with serve_fake_cursor(fake) as base_url:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DEVSPEND_")}
        env.update({
            "DEVSPEND_DATABASE_URL": db_url, "DEVSPEND_DATA_DIR": str(tmp_path / "data"),
            "DEVSPEND_SECRET_KEY": "test secret", "DEVSPEND_CURSOR_BASE_URL": base_url,
            "DEVSPEND_CURSOR_RPM": "60000", "DEVSPEND_CURSOR_EVENTS_RPM": "60000",
            "CURSOR_API_KEY": VALID_KEY, "COLUMNS": "200",
        })  # fmt: skip
        yield env


def devspend(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([DEVSPEND, *args], env=env, capture_output=True, text=True,
                          timeout=120, check=False)  # fmt: skip


def connect(env: dict[str, str]) -> int:
    done = devspend(env, "connect", "cursor", "--team-name", "Acme")
    assert done.returncode == 0, done.stderr
    match = re.search(r"integration (\d+)", done.stdout)
    assert match, done.stdout
    return int(match.group(1))


def report_users(env: dict[str, str]) -> dict[str, dict[str, object]]:
    done = devspend(env, "report", "people", "--from", "2020-01-01", "--to", "2029-12-31",
                    "--format", "json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["rows"]
    return {row["email"]: row for row in rows if row["events"]}


def assert_matches_truth(env: dict[str, str], team: SyntheticTeam) -> None:
    truth = team.expected_totals(start_ms=0, end_ms=team.end_ms)
    users = report_users(env)
    assert set(users) == {e.lower() for e in truth.by_user}
    for email, tally in truth.by_user.items():
        row = users[email.lower()]
        assert row_fields(row) == tally_fields(tally)


def test_kill_9_mid_backfill_then_resume_is_exact(
    cli_env: dict[str, str], team: SyntheticTeam
) -> None:
    iid = connect(cli_env)
    slow = {**cli_env, "DEVSPEND_CURSOR_EVENTS_RPM": "300"}  # time to kill it mid-backfill
    process = subprocess.Popen(
        [DEVSPEND, "sync", "--json-progress"], env=slow, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    killed_after = None
    for line in process.stdout:
        update = json.loads(line)
        if update["phase"] == "events" and update["windows"] >= 3:
            process.send_signal(signal.SIGKILL)
            killed_after = update["windows"]
            break
    process.wait(timeout=30)
    assert killed_after is not None, "the sync finished before it could be killed"
    assert process.returncode == -signal.SIGKILL

    resumed = devspend(cli_env, "sync", "--integration", str(iid), "--quiet")
    assert resumed.returncode == 0, resumed.stderr
    assert_matches_truth(cli_env, team)
    listed = json.loads(devspend(cli_env, "integrations", "list", "--json").stdout)[0]
    assert listed["status"] == "ok"
    assert listed["backfill_days_total"] < 360  # resumed where it stopped, not from scratch


def test_second_concurrent_sync_says_running_and_exits_0(
    cli_env: dict[str, str], db_url: str
) -> None:
    iid = connect(cli_env)
    engine = sa.create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with sync_lock(engine, iid):
            second = devspend(cli_env, "sync", "--integration", str(iid))
    finally:
        engine.dispose()
    assert second.returncode == 0
    assert "already running" in second.stderr


def test_sync_then_report_formats(cli_env: dict[str, str], team: SyntheticTeam) -> None:
    connect(cli_env)
    synced = devspend(cli_env, "sync")
    assert synced.returncode == 0, synced.stderr
    assert_matches_truth(cli_env, team)
    users = report_users(cli_env)
    row = next(iter(users.values()))
    for key in ("email", "name", "events", "input_tokens", "output_tokens",
                "cache_write_tokens", "cache_read_tokens", "total_cents", "charged_cents",
                "cursor_token_fee_cents", "requests_costs", "usage_based_events",
                "included_events", "max_mode_events", "headless_events",
                "fast_premium_requests", "top_model"):  # fmt: skip
        assert key in row
    assert any(r["fast_premium_requests"] is not None for r in users.values())
    table = devspend(cli_env, "report", "models")
    assert table.returncode == 0
    assert "$" in table.stdout
    daily = devspend(cli_env, "report", "daily", "--format", "csv")
    assert daily.stdout.startswith("day,")
