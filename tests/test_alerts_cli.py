"""``devspend budget``, ``notify`` and ``alerts`` through Typer's runner, on both engines."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from alert_receivers import webhook_receiver
from devspend.cli import build_app
from devspend.cursor.fake import serve_fake_cursor
from devspend.errors import ConfigError, NotFoundError
from devspend.settings import Settings
from sync_helpers import END_MS, VALID_KEY, connect_and_sync, fake_for, small_team

NOW = datetime.fromtimestamp(END_MS / 1000, tz=UTC).isoformat()


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    monkeypatch.setenv("DEVSPEND_DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("DEVSPEND_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("DEVSPEND_SECRET_KEY", "x" * 32)


def test_budget_add_list_remove(cli_env: None, engine: sa.Engine) -> None:
    runner, app = CliRunner(), build_app()
    added = runner.invoke(app, ["budget", "add", "--name", "Platform AI", "--amount", "1,500",
                                "--period", "cycle", "--team", "Platform"])  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "$1,500.00 per cycle" in added.output
    listed = json.loads(runner.invoke(app, ["budget", "list", "--format", "json"]).output)
    assert listed[0]["name"] == "Platform AI"
    assert listed[0]["amount_cents"] == "150000"
    assert (listed[0]["scope"], listed[0]["scope_value"], listed[0]["figure"]) == (
        "team", "Platform", "cost")  # fmt: skip
    assert listed[0]["thresholds"] == [50, 80, 100]
    assert listed[0]["summary"] == "forecast $0.00 at cycle end (budget $1,500.00)"
    twice = runner.invoke(app, ["budget", "add", "--name", "Platform AI", "--amount", "1"])
    assert isinstance(twice.exception, ConfigError)
    both = runner.invoke(app, ["budget", "add", "--name", "x", "--amount", "1",
                               "--team", "a", "--person", "b@example.com"])  # fmt: skip
    assert isinstance(both.exception, ConfigError)
    bad = runner.invoke(app, ["budget", "add", "--name", "y", "--amount", "ten"])
    assert isinstance(bad.exception, ConfigError)
    assert runner.invoke(app, ["budget", "remove", "Platform AI"]).exit_code == 0
    gone = runner.invoke(app, ["budget", "remove", "Platform AI"])
    assert isinstance(gone.exception, NotFoundError)


def test_notify_never_shows_the_url_back(cli_env: None, engine: sa.Engine) -> None:
    runner, app = CliRunner(), build_app()
    with webhook_receiver() as hook:
        secret_url = hook.url + "/s3cr3t-path?token=hunter2"
        added = runner.invoke(app, ["notify", "add", secret_url, "--name", "ops"])
        assert added.exit_code == 0, added.output
        listed = runner.invoke(app, ["notify", "list", "--json"]).output
        assert "s3cr3t" not in listed
        assert "hunter2" not in listed
        assert json.loads(listed)[0]["hint"].startswith("json://127.0.0.1:")
        tested = runner.invoke(app, ["notify", "test", "ops"])
        assert tested.exit_code == 0, tested.output
        assert hook.bodies[0]["title"] == "devspend test"
        hook.failing = True
        failed = runner.invoke(app, ["notify", "test", "ops"])
        assert failed.exit_code == 1
        assert "hunter2" not in failed.output
    with engine.connect() as conn:
        stored = conn.execute(sa.text("select url_encrypted from alert_channels")).scalar_one()
    assert b"hunter2" not in bytes(stored)
    nonsense = runner.invoke(app, ["notify", "add", "nonsense://x/hunter2"])
    assert isinstance(nonsense.exception, ConfigError)
    assert "hunter2" not in str(nonsense.exception)
    assert runner.invoke(app, ["notify", "remove", "ops"]).exit_code == 0


def test_alerts_check_prints_and_exits_zero(
    cli_env: None, engine: sa.Engine, settings: Settings
) -> None:
    connect_and_sync(engine, settings, fake_for(small_team()), days=40)
    runner, app = CliRunner(), build_app()
    runner.invoke(app, ["budget", "add", "--name", "tiny", "--amount", "0.01",
                        "--figure", "usage_value"])  # fmt: skip
    result = runner.invoke(app, ["alerts", "check", "--format", "json", "--now", NOW])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["budgets"][0]["crossed"] == [50, 80, 100]
    hundred = [a for a in report["alerts"] if a.get("threshold_percent") == 100]
    assert hundred
    assert hundred[0]["new"]
    assert hundred[0]["figure"] == "usage_value"
    again = json.loads(runner.invoke(app, ["alerts", "check", "--format", "json",
                                           "--now", NOW]).output)  # fmt: skip
    assert not any(a["new"] for a in again["alerts"])
    table = runner.invoke(app, ["alerts", "check", "--now", NOW])
    assert "Budget “tiny”" in table.output
    history = runner.invoke(app, ["alerts", "list"])
    assert "crossed 100 %" in history.output


def test_sync_runs_the_alerts_check(
    monkeypatch: pytest.MonkeyPatch, cli_env: None, engine: sa.Engine
) -> None:
    fake = fake_for(small_team(days=30, history_days=30, end_ms=int(time.time() * 1000)))
    runner, app = CliRunner(), build_app()
    with serve_fake_cursor(fake) as base_url:
        for name, value in (("DEVSPEND_CURSOR_BASE_URL", base_url),
                            ("DEVSPEND_CURSOR_RPM", "60000"),
                            ("DEVSPEND_CURSOR_EVENTS_RPM", "60000"),
                            ("CURSOR_API_KEY", VALID_KEY)):  # fmt: skip
            monkeypatch.setenv(name, value)
        connected = runner.invoke(app, ["connect", "cursor", "--team-name", "Acme"])
        assert connected.exit_code == 0, connected.output
        runner.invoke(app, ["budget", "add", "--name", "tiny", "--amount", "0.01",
                            "--figure", "usage_value"])  # fmt: skip
        synced = runner.invoke(app, ["sync", "--quiet", "--days", "30"])
        assert synced.exit_code == 0, synced.output
    history = runner.invoke(app, ["alerts", "list", "--format", "json"])
    raised = [a for a in json.loads(history.output) if a.get("budget") == "tiny"]
    assert raised  # the sync ran the check: the tiny budget's threshold or forecast alert
