"""Coverage in reports: days Cursor no longer serves are told apart from days without usage."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from devspend.cli import build_app
from devspend.settings import Settings
from devspend.store.checkpoints import COMPLETE, UNAVAILABLE, set_coverage
from devspend.store.coverage import coverage_ranges
from devspend.store.integrations import create_integration
from devspend.sync.service import connect_cursor, run_sync
from sync_helpers import END_MS, VALID_KEY, fake_for, small_team


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    monkeypatch.setenv("DEVSPEND_DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("DEVSPEND_DATA_DIR", str(settings.data_dir))


def test_report_coverage_says_which_days_cursor_no_longer_serves(
    cli_env: None, engine: sa.Engine, settings: Settings
) -> None:
    team = small_team(members=2, days=20, history_days=10)
    fake = fake_for(team)
    connected = connect_cursor(engine, settings, api_key=VALID_KEY, team_name=None,
                               transport=fake.transport(), now_ms=END_MS)  # fmt: skip
    synced = run_sync(engine, settings, integration_id=connected.integration_id, days=30,
                      transport=fake.transport(), now_ms=END_MS)  # fmt: skip
    assert synced.ok, synced.message

    result = CliRunner().invoke(build_app(), ["report", "coverage", "--format", "json"])
    assert result.exit_code == 0, result.output
    ranges = json.loads(result.output)["rows"]
    assert [r["status"] for r in ranges] == ["unavailable", "complete", "partial"]
    assert sum(r["days"] for r in ranges) == 30
    assert "unknown" in ranges[0]["meaning"]
    first = date.fromisoformat(ranges[0]["first_day"])
    assert first == date.fromisoformat(ranges[-1]["last_day"]) - timedelta(days=29)

    table = CliRunner().invoke(build_app(), ["report", "coverage"])
    assert table.exit_code == 0, table.output
    assert "unavailable" in table.output


def test_coverage_ranges_join_equal_days_and_show_gaps(engine: sa.Engine) -> None:
    day = date(2026, 3, 1)
    with engine.begin() as conn:
        iid = create_integration(conn, display_name=None, api_key_encrypted=b"-",
                                 hint="key_…test", history_start=None, capabilities={})  # fmt: skip
        set_coverage(conn, integration_id=iid, days=[day, day + timedelta(days=1)],
                     status=UNAVAILABLE)  # fmt: skip
        set_coverage(conn, integration_id=iid, days=[day + timedelta(days=4)], status=COMPLETE)
        ranges = coverage_ranges(conn, start=day, end=day + timedelta(days=5))
    assert [(r.status, r.first_day.day, r.last_day.day, r.days) for r in ranges] == [
        ("unavailable", 1, 2, 2),
        ("not_synced", 3, 4, 2),
        ("complete", 5, 5, 1),
        ("not_synced", 6, 6, 1),
    ]
