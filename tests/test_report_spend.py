"""``devspend report spend`` is the FOCUS spend report, reached from the ``report`` group."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from devspend.cli import build_app
from devspend.settings import Settings
from devspend.sync.service import connect_cursor, run_sync
from sync_helpers import END_MS, VALID_KEY, fake_for, small_team

PERIOD = ["--from", "2026-01-01", "--to", "2026-11-20"]


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    monkeypatch.setenv("DEVSPEND_DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("DEVSPEND_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("DEVSPEND_SECRET_KEY", "x" * 32)


def test_report_spend_shows_synced_ai_spend_like_spend_report(
    cli_env: None, engine: sa.Engine, settings: Settings
) -> None:
    team = small_team(members=3, days=40, history_days=40)
    truth = team.expected_totals(start_ms=0, end_ms=END_MS)
    fake = fake_for(team)
    connected = connect_cursor(engine, settings, api_key=VALID_KEY, team_name="Acme",
                               transport=fake.transport(), now_ms=END_MS)  # fmt: skip
    result = run_sync(engine, settings, integration_id=connected.integration_id,
                      transport=fake.transport(), now_ms=END_MS)  # fmt: skip
    assert result.ok, result.message

    runner = CliRunner()
    app = build_app()
    spend = runner.invoke(app, ["report", "spend", *PERIOD, "--format", "json"])
    assert spend.exit_code == 0, spend.output
    [usd] = json.loads(spend.output)["totals"]
    # on-demand, as FOCUS BilledCost
    assert Decimal(usd["ai_cents"]) == Decimal(truth.chargeable_cents)
    assert truth.chargeable_cents < truth.charged_cents
    assert Decimal(usd["cloud_cents"]) == 0

    alias = runner.invoke(app, ["spend-report", *PERIOD, "--format", "json"])
    assert alias.exit_code == 0, alias.output
    assert alias.output == spend.output

    table = runner.invoke(app, ["report", "spend", *PERIOD, "--by", "week", "--no-owners"])
    assert table.exit_code == 0, table.output
    assert "Totals" in table.output
    assert "Unattributed" not in table.output
    assert "Unattributed" in runner.invoke(app, ["report", "spend", *PERIOD]).output


def test_report_spend_rejects_a_bad_grain(cli_env: None, engine: sa.Engine) -> None:
    result = CliRunner().invoke(build_app(), ["report", "spend", "--by", "year"])
    assert result.exit_code != 0
