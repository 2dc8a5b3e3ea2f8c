"""``devspend sync`` killed with -9 in the middle of AI Code Tracking, then resumed: exact."""

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

from devspend.cursor.ai_code_schemas import parse_ai_change, parse_ai_commit
from devspend.cursor.client import AI_CODE_COMMITS_PATH
from devspend.cursor.fake import FakeCursor, SyntheticTeam, serve_fake_cursor
from devspend.store.ai_code_tables import ai_code_changes, ai_code_commits
from devspend.store.engine import make_engine
from sync_helpers import VALID_KEY, fake_for, small_team

DEVSPEND = str(Path(sys.executable).parent / "devspend")
pytestmark = pytest.mark.slow


@pytest.fixture
def team() -> SyntheticTeam:
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


def stored(db_url: str) -> tuple[list[tuple[str, int]], list[str]]:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            commits = conn.execute(sa.select(ai_code_commits.c.commit_hash,
                                             ai_code_commits.c.created_at_ms)).all()  # fmt: skip
            changes = conn.execute(sa.select(ai_code_changes.c.change_id)).all()
    finally:
        engine.dispose()
    return sorted((h, int(t)) for h, t in commits), sorted(c for (c,) in changes)


def test_kill_9_mid_ai_code_then_resume_is_exact(
    cli_env: dict[str, str], fake: FakeCursor, team: SyntheticTeam, db_url: str
) -> None:
    done = devspend(cli_env, "connect", "cursor", "--team-name", "Acme")
    assert done.returncode == 0, done.stderr
    iid = re.search(r"integration (\d+)", done.stdout)
    assert iid
    slow = {**cli_env, "DEVSPEND_CURSOR_RPM": "400"}  # time to kill it between AI code windows
    process = subprocess.Popen(
        [DEVSPEND, "sync", "--json-progress"], env=slow, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    killed = False
    for line in process.stdout:
        update = json.loads(line)  # a window's line comes once its rows are committed
        if (update["phase"] == "ai_code_commits" and update["window_start_ms"] is not None
                and update["days_done"] >= 3):  # fmt: skip
            process.send_signal(signal.SIGKILL)
            killed = True
            planned, done_windows = update["days_total"], update["days_done"]
            break
    process.wait(timeout=30)
    assert killed, "the sync finished before it could be killed"
    assert process.returncode == -signal.SIGKILL
    partial = stored(db_url)
    assert partial[0]  # some commits were in before the kill

    fake.request_log.clear()
    resumed = devspend(cli_env, "sync", "--integration", iid.group(1), "--quiet")
    assert resumed.returncode == 0, resumed.stderr
    now = fake.now_ms()
    truth_commits = sorted(
        (c.commit_hash, c.created_at_ms)
        for c in map(parse_ai_commit, fake.ai_code.items("commits", start_ms=0, end_ms=now,
                                                         user=None, now_ms=now))
    )  # fmt: skip
    truth_changes = sorted(
        c.change_id
        for c in map(parse_ai_change, fake.ai_code.items("changes", start_ms=0, end_ms=now,
                                                         user=None, now_ms=now))
    )  # fmt: skip
    assert stored(db_url) == (truth_commits, truth_changes)
    # resumed where it stopped: commit windows stored before the kill were not read again
    # (one page per window for this team; the look-back is re-asked and answered 304)
    commit_gets = sum(1 for _, p, s in fake.request_log if p == AI_CODE_COMMITS_PATH and s == 200)
    assert 0 < commit_gets <= planned - done_windows
    assert any(p == AI_CODE_COMMITS_PATH and s == 304 for _, p, s in fake.request_log)
