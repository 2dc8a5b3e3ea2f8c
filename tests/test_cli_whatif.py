"""``devspend whatif`` prints the view's figures (table) and its JSON, on a synced store."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from devspend.cli import build_app
from devspend.reports.whatif import build_whatif
from devspend.settings import Settings
from sync_helpers import connect_and_sync, fake_for, small_team

PERIOD = ["--from", "2026-10-22", "--to", "2026-11-20"]


@pytest.fixture
def env(engine: sa.Engine, settings: Settings, db_url: str) -> dict[str, str]:
    connect_and_sync(engine, settings, fake_for(small_team(members=6, days=40)), days=40)
    return {"DEVSPEND_DATABASE_URL": db_url, "DEVSPEND_DATA_DIR": str(settings.data_dir),
            "DEVSPEND_SECRET_KEY": "x" * 32, "COLUMNS": "200"}  # fmt: skip


def test_json_is_the_view(engine: sa.Engine, env: dict[str, str]) -> None:
    args = ["whatif", *PERIOD, "--model", "claude-4.1-opus", "--as", "gpt-5", "--max-mode",
            "--format", "json"]  # fmt: skip
    result = CliRunner().invoke(build_app(), args, env=env)
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output, parse_float=Decimal)["result"]

    with engine.connect() as conn:
        view = build_whatif(conn, start=date(2026, 10, 22), end=date(2026, 11, 20),
                            from_model="claude-4.1-opus", to_model="gpt-5", max_mode=True)
    assert Decimal(shown["saving_cents"]) == view.result.saving_cents
    assert shown["max_mode"] is True
    assert shown["token_events"] == view.result.token_events > 0


def test_table_lists_every_model_and_says_which_prices_are_unknown(env: dict[str, str]) -> None:
    result = CliRunner().invoke(build_app(), ["whatif", *PERIOD], env=env)
    assert result.exit_code == 0, result.output
    assert "claude-4.5-sonnet" in result.output
    assert "No list price for: composer-1, default" in result.output
    assert "Quality is not priced" in result.output
    unknown = CliRunner().invoke(build_app(), ["whatif", *PERIOD, "--model", "claude-4.5-sonnet",
                                               "--as", "composer-1"], env=env)  # fmt: skip
    assert unknown.exit_code == 0
    assert "unknown" in unknown.output
    half = CliRunner().invoke(build_app(), ["whatif", "--model", "gpt-5"], env=env)
    assert half.exit_code != 0
