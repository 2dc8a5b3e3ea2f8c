"""The FOCUS commands end to end: import, spend-report, export, allocations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from devspend.cli import build_app
from devspend.errors import FocusImportError
from devspend.settings import Settings
from focus_usage import insert_usage
from shared_data import FOCUS_SAMPLE

SAMPLE = FOCUS_SAMPLE


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    monkeypatch.setenv("DEVSPEND_DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("DEVSPEND_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("DEVSPEND_SECRET_KEY", "x" * 32)


def test_import_report_export_and_allocations(
    cli_env: None, engine: sa.Engine, tmp_path: Path
) -> None:
    runner = CliRunner()
    app = build_app()
    assert "all or nothing" in runner.invoke(app, ["import", "focus", "--help"]).output
    result = runner.invoke(app, ["import", "focus", str(SAMPLE)])
    assert result.exit_code == 0, result.output
    assert "1,000 rows" in result.output
    insert_usage(engine)
    (tmp_path / "people.csv").write_text("email,team,cost_center\nalice@example.com,ai,cc\n")
    result = runner.invoke(app, ["allocations", "load", str(tmp_path / "people.csv")])
    assert result.exit_code == 0, result.output
    assert "alice@example.com" in runner.invoke(app, ["allocations", "list"]).output
    result = runner.invoke(
        app, ["spend-report", "--from", "2024-09-01", "--to", "2025-02-28", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    [usd] = report["totals"]
    assert usd["ai_cents"] == "16.345678"
    teams = runner.invoke(app, ["report", "teams", "--from", "2024-09-01", "--to", "2025-02-28",
                                "--format", "json"])  # fmt: skip
    assert {p["email"] for p in json.loads(teams.output)["people"]} >= {"alice@example.com"}
    table = runner.invoke(app, ["spend-report", "--from", "2024-09-01", "--to", "2025-02-28"])
    assert "Unattributed" in table.output
    exported = runner.invoke(
        app, ["export", "focus", "--from", "2025-01-01", "--to", "2025-02-28"]
    )
    assert exported.exit_code == 0
    assert exported.output.startswith("BilledCost,")
    assert len(exported.output.strip().splitlines()) == 4


def test_a_bad_file_fails_the_command_with_the_import_error(
    cli_env: None, engine: sa.Engine, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("BilledCost;BillingCurrency;ChargePeriodStart\n1;USD;2025-01-01\n")
    result = CliRunner().invoke(build_app(), ["import", "focus", str(bad)])
    assert result.exit_code != 0
    assert isinstance(result.exception, FocusImportError)
    assert "semicolon" in str(result.exception)
