"""Two real ``devspend serve`` replicas on one PostgreSQL database share one schedule.

Each replica runs a scheduler; with a 6-second interval both poll every second, yet the
fake Cursor must see one sync per interval (not one per replica), the syncs at least
an interval apart. Slow (about 20 s) because it runs real processes on a real clock.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from devspend.cursor.fake import FakeCursor, serve_fake_cursor
from devspend.settings import Settings
from devspend.sync import service
from sync_helpers import VALID_KEY, small_team

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
INTERVAL_SECONDS = 6.0
WATCH_SECONDS = 13.0


class TimedFake(FakeCursor):
    """The fake Cursor, also noting when each members request arrived (one per sync)."""

    members_at: list[float]

    def log(self, method: str, path: str, status: int) -> None:
        super().log(method, path, status)
        if path.rstrip("/") == "/teams/members":
            self.members_at.append(time.monotonic())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(port: int, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"replica on port {port} exited with {process.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"replica on port {port} did not start")


@pytest.fixture
def fake() -> TimedFake:
    now_ms = int(time.time() * 1000)
    team = small_team(members=2, days=3, history_days=3, end_ms=now_ms)
    fake = TimedFake(team=team, valid_keys={VALID_KEY}, minute_seconds=0.05,
                     clock_ms=lambda: int(time.time() * 1000))  # fmt: skip
    fake.members_at = []
    return fake


@pytest.fixture
def replicas(
    db_url: str, engine: sa.Engine, settings: Settings, fake: TimedFake, tmp_path: Path
) -> Iterator[None]:
    with serve_fake_cursor(fake) as base_url:
        settings = settings.model_copy(update={"cursor_base_url": base_url})
        service.connect_cursor(engine, settings, api_key=VALID_KEY, team_name="Acme")
        fake.members_at.clear()  # the key check's own requests are not syncs
        env = {
            **os.environ, "DEVSPEND_DATABASE_URL": db_url, "DEVSPEND_SECRET_KEY": "x" * 32,
            "DEVSPEND_CURSOR_BASE_URL": base_url, "DEVSPEND_CURSOR_RPM": "100000",
            "DEVSPEND_CURSOR_EVENTS_RPM": "100000", "DEVSPEND_BACKFILL_DAYS": "2",
            "DEVSPEND_SYNC_INTERVAL_MINUTES": str(INTERVAL_SECONDS / 60),
        }  # fmt: skip
        cli = Path(sys.executable).with_name("devspend")
        processes: list[subprocess.Popen[bytes]] = []
        try:
            for number in range(2):
                port = _free_port()
                process = subprocess.Popen(
                    [str(cli), "serve", "--port", str(port)],
                    env={**env, "DEVSPEND_DATA_DIR": str(tmp_path / f"replica{number}")},
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                )  # fmt: skip
                processes.append(process)
                _wait_ready(port, process)
            yield
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=20)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_two_replicas_sync_each_integration_once_per_interval(
    replicas: None, fake: TimedFake
) -> None:
    time.sleep(WATCH_SECONDS)
    syncs = list(fake.members_at)
    assert len(syncs) >= 2, f"the schedule did not repeat: {syncs}"
    # one sync per interval across both replicas: never two within an interval
    gaps = [later - earlier for earlier, later in pairwise(syncs)]
    assert min(gaps) >= INTERVAL_SECONDS * 0.8, gaps
