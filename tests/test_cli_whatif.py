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


def test_an_added_price_makes_an_unknown_model_known(env: dict[str, str]) -> None:
    runner = CliRunner()
    pair = ["whatif", *PERIOD, "--model", "claude-4.5-sonnet", "--as", "composer-1",
            "--format", "json"]  # fmt: skip
    before = json.loads(runner.invoke(build_app(), pair, env=env).output)["result"]
    assert before["repriced_cents"] is None
    added = runner.invoke(build_app(), ["prices", "set", "composer-1", "--input", "1.25",
                                        "--output", "10", "--cache-read", "0.125"], env=env)
    assert added.exit_code == 0, added.output
    listed = runner.invoke(build_app(), ["prices", "list"], env=env)
    assert "composer-1" in listed.output
    after = json.loads(runner.invoke(build_app(), pair, env=env).output)["result"]
    assert after["priced_as"]["composer-1"] == "composer-1 (added by an admin)"
    # 1.25 $/M input = 0.000125 ¢ per token, exactly, at the observed composer-1 markup
    tokens = (Decimal("0.000125") * after["input_tokens"] + Decimal("0.001") * after[
        "output_tokens"] + Decimal("0.000125") * after["cache_write_tokens"]
        + Decimal("0.0000125") * after["cache_read_tokens"])  # fmt: skip
    assert Decimal(after["to_list_cents"]) == tokens.quantize(Decimal("0.0001"))
    assert after["repriced_cents"] is not None
    assert after["markup_source"] == "composer-1"  # measured on the team's composer-1 events
    removed = runner.invoke(build_app(), ["prices", "remove", "composer-1"], env=env)
    assert removed.exit_code == 0
    again = json.loads(runner.invoke(build_app(), pair, env=env).output)["result"]
    assert again["repriced_cents"] is None
