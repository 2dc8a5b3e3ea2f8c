"""An integration's seat price (connect, ``integrations set``, Settings) and the history it
holds, shown apart from how far the API reaches (never the last window's "3 of 3 days")."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from devspend.cli import build_app
from devspend.cursor.fake import FakeCursor
from devspend.settings import Settings
from devspend.sync import service
from sync_helpers import END_MS, VALID_KEY, connect_and_sync, fake_for, served, small_team
from web_support import ADMIN_EMAIL, build_env, page_csrf, signed_in

PAGE = "/settings/integrations"


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> Settings:
    monkeypatch.setenv("DEVSPEND_DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("DEVSPEND_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("DEVSPEND_SECRET_KEY", "x" * 32)
    monkeypatch.setenv("COLUMNS", "250")
    return settings


def _listed(runner: CliRunner) -> dict[str, object]:
    result = runner.invoke(build_app(), ["integrations", "list", "--json"])
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.output)
    assert isinstance(row, dict)
    return row


def test_seat_price_on_connect_and_with_integrations_set(
    cli_env: Settings, engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    fake = fake_for(small_team(members=3, days=10, history_days=10))
    with served(fake, cli_env) as live:
        monkeypatch.setenv("DEVSPEND_CURSOR_BASE_URL", live.cursor_base_url)
        monkeypatch.setenv("CURSOR_API_KEY", VALID_KEY)
        done = runner.invoke(build_app(), ["connect", "cursor", "--seat-price", "40"])
    assert done.exit_code == 0, done.output
    assert _listed(runner)["seat_price_dollars"] == 40
    cleared = runner.invoke(build_app(), ["integrations", "set", "1", "--clear-seat-price"])
    assert cleared.exit_code == 0, cleared.output
    assert "seat price not set" in cleared.output
    assert _listed(runner)["seat_price_dollars"] is None
    assert "seat price not set" in runner.invoke(build_app(), ["integrations", "list"]).output
    priced = runner.invoke(build_app(), ["integrations", "set", "1", "--seat-price", "25"])
    assert priced.exit_code == 0
    assert _listed(runner)["seat_price_dollars"] == 25
    assert "$25 per seat per cycle" in runner.invoke(build_app(), ["integrations", "list"]).output
    missing = runner.invoke(build_app(), ["integrations", "set", "9", "--seat-price", "25"])
    assert missing.exit_code != 0


def test_held_history_after_a_backfill_and_an_incremental_sync(
    cli_env: Settings, engine: sa.Engine
) -> None:
    """The defect: after a long backfill, a second (incremental) sync made Settings and
    ``integrations list`` say "3 of 3 days imported"; they show the days held instead,
    and the day the API still serves beyond ``--days`` is said to be left out."""
    fake = fake_for(small_team(history_days=60))
    connect_and_sync(engine, cli_env, fake, days=60)
    with fake.transport() as transport:
        again = service.run_sync(engine, cli_env, integration_id=1, days=60, transport=transport,
                                 now_ms=END_MS + 3_600_000)  # fmt: skip
    assert again.ok
    assert again.days < 5
    runner = CliRunner()
    row = _listed(runner)
    assert row["held_days"] == 60
    assert row["held_last_day"] == "2026-11-20"
    assert row["held_first_day"] == "2026-09-22"
    assert row["history_start"] == "2026-09-21"
    assert row["api_days_not_held"] == 1
    table = runner.invoke(build_app(), ["integrations", "list"]).output
    assert "60 days held (2026-09-22 .. 2026-11-20)" in table
    assert "1 earlier day the API still serves is not held" in " ".join(table.split())
    assert "/60 days" not in table
    assert "of 3 days" not in table


@pytest.fixture
def admin_client(settings: Settings, engine: sa.Engine) -> Iterator[tuple[TestClient, FakeCursor]]:
    fake = fake_for(small_team(members=3, days=20, history_days=20))
    connect_and_sync(engine, settings, fake, days=20)
    with fake.transport() as transport:
        env = build_env(settings, engine, transport=transport, backfill_days=20)
        with signed_in(env, ADMIN_EMAIL, "admin") as client:
            yield client, fake


def test_settings_page_sets_the_seat_price_and_shows_the_history_held(
    admin_client: tuple[TestClient, FakeCursor],
) -> None:
    client, _fake = admin_client
    page = client.get(PAGE).text
    assert "seat price not set" in page
    assert "20 days held (2026-11-01 .. 2026-11-20)" in page
    token = page_csrf(client, PAGE)
    bad = client.post(f"{PAGE}/1/seat-price", data={"dollars": "forty", "csrf_token": token})
    assert bad.status_code == 400
    assert "Whole dollars" in bad.text
    ok = client.post(f"{PAGE}/1/seat-price", data={"dollars": "40", "csrf_token": token})
    assert ok.status_code == 303
    status = client.get("/api/v1/integrations/1/status").json()
    assert status["seat_price_dollars"] == 40
    assert status["held_days"] == 20
    assert "$40 per seat per cycle" in client.get(PAGE).text
    client.post(f"{PAGE}/1/seat-price", data={"dollars": "", "csrf_token": token})
    assert client.get("/api/v1/integrations/1/status").json()["seat_price_dollars"] is None
