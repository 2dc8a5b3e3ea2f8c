"""Adoption, AI code and What-if on every face: page, CSV and /api/v1 JSON equal the CLI's."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from devspend.cli import build_app
from devspend.money import format_dollars
from devspend.settings import Settings
from devspend.store.allocations import Allocation, upsert_allocations
from sync_helpers import connect_and_sync, fake_for, small_team
from web_support import ADMIN_EMAIL, WebEnv, build_env, signed_in

END_DAY = date(2026, 11, 20)
START_DAY = END_DAY - timedelta(days=29)
PERIOD = f"range=custom&start={START_DAY}&end={END_DAY}"


@pytest.fixture
def web(settings: Settings, engine: sa.Engine) -> Iterator[tuple[WebEnv, TestClient]]:
    fake = fake_for(small_team(members=6, days=45, history_days=45))
    connect_and_sync(engine, settings, fake, days=45)
    emails = sorted(m["email"] for m in fake.team.members())
    with engine.begin() as conn:
        upsert_allocations(conn, [Allocation(e, "Platform" if i % 2 else "Mobile", None, "manual")
                                  for i, e in enumerate(emails)], now=datetime.now(UTC))
    env = build_env(settings, engine)
    with signed_in(env, ADMIN_EMAIL, "admin") as client:
        yield env, client


def cli(settings: Settings, *args: str) -> Any:
    env = {"DEVSPEND_DATABASE_URL": settings.effective_database_url,
           "DEVSPEND_DATA_DIR": str(settings.data_dir), "DEVSPEND_SECRET_KEY": "x" * 32}
    result = CliRunner().invoke(build_app(), [*args, "--from", str(START_DAY), "--to",
                                              str(END_DAY), "--format", "json"], env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_adoption_page_csv_and_api_agree_with_the_cli(web: tuple[WebEnv, TestClient]) -> None:
    env, client = web
    api = client.get(f"/api/v1/adoption?{PERIOD}").json()
    assert api == cli(env.settings, "report", "adoption")
    assert api["has_daily_usage"] is True
    assert {t["team"] for t in api["teams"]} == {"Platform", "Mobile"}
    page = client.get(f"/adoption?{PERIOD}")
    assert page.status_code == 200
    assert f'id="total-accept-rate">{api["total"]["tab_accept_rate_percent"]}%<' in page.text
    rows = list(csv.DictReader(io.StringIO(client.get(f"/adoption.csv?{PERIOD}").text)))
    assert [r["email"] for r in rows] == [p["email"] for p in api["people"]]
    teams = list(csv.DictReader(io.StringIO(
        client.get(f"/adoption.csv?{PERIOD}&table=teams").text)))  # fmt: skip
    assert sum(int(t["active_days"]) for t in teams) == api["total"]["active_days"]
    narrowed = client.get(f"/api/v1/adoption?{PERIOD}&team=Platform").json()
    assert {p["team"] for p in narrowed["people"]} == {"Platform"}


def test_ai_code_page_csv_and_api_agree_with_the_cli(web: tuple[WebEnv, TestClient]) -> None:
    env, client = web
    on_demand = client.get(f"/api/v1/ai-code?{PERIOD}&cost=on_demand&min_lines=7").json()
    assert on_demand == cli(env.settings, "report", "ai-code", "--cost", "on_demand",
                            "--min-lines", "7")  # fmt: skip
    default = client.get(f"/api/v1/ai-code?{PERIOD}").json()
    assert default == cli(env.settings, "report", "ai-code")
    assert default["empty_reason"] is None
    total = default["total"]
    assert total["commits"] > 0
    page = client.get(f"/ai-code?{PERIOD}").text
    assert f'id="total-ai-share">{total["ai_share_percent"]}%<' in page
    per_commit = default["total_ratios"]["cost_per_ai_commit_cents"]
    assert f'id="total-per-commit">{format_dollars(Decimal(per_commit))}<' in page
    hidden = client.get(f"/api/v1/ai-code?{PERIOD}&min_lines=1000000000").json()
    assert hidden["total_ratios"]["cost_per_accepted_ai_line_cents"] is None
    assert "hidden" in client.get(f"/ai-code?{PERIOD}&min_lines=1000000000").text
    repos = list(csv.DictReader(io.StringIO(
        client.get(f"/ai-code.csv?{PERIOD}&table=repos").text)))  # fmt: skip
    assert sum(int(r["commits"]) for r in repos) == total["commits"]


def test_models_page_has_the_what_if_section(web: tuple[WebEnv, TestClient]) -> None:
    _env, client = web
    whatif = client.get(f"/api/v1/whatif?{PERIOD}").json()
    assert whatif["rows"]
    assert "composer-1" in whatif["unknown_models"]
    page = client.get(f"/models?{PERIOD}").text
    assert 'id="whatif"' in page
    top = whatif["rows"][0]
    assert format_dollars(Decimal(top["saving_cents"])) in page
    assert "never guessed" in page


def test_person_page_and_json_show_ai_code_next_to_spend(web: tuple[WebEnv, TestClient]) -> None:
    _env, client = web
    people = client.get(f"/api/v1/ai-code?{PERIOD}").json()["people"]
    busiest = people[0]
    person = client.get(f"/api/v1/people/{busiest['email']}?{PERIOD}").json()
    assert person["ai_code"]["figures"]["ai_lines"] == busiest["ai_lines"]
    assert person["ai_code"]["figures"]["cost_cents"] == busiest["cost_cents"]
    assert person["adoption"]["email"] == busiest["email"]
    page = client.get(f"/people/{busiest['email']}?{PERIOD}").text
    assert f'id="person-ai-lines">{busiest["ai_lines"]:,}<' in page


def test_a_team_without_ai_code_tracking_says_why(settings: Settings, engine: sa.Engine) -> None:
    fake = fake_for(small_team(members=4, days=20, history_days=20), ai_code_enabled=False)
    connect_and_sync(engine, settings, fake, days=20)
    env = build_env(settings, engine)
    with signed_in(env, ADMIN_EMAIL, "admin") as client:
        page = client.get(f"/ai-code?{PERIOD}").text
        api = client.get(f"/api/v1/ai-code?{PERIOD}").json()
    assert "AI Code Tracking is not available" in api["empty_reason"]
    assert 'id="ai-code-empty"' in page
    assert "Enterprise" in page


def test_overview_card_is_the_totals_of_adoption_and_ai_code(
    web: tuple[WebEnv, TestClient],
) -> None:
    _env, client = web
    outcome = client.get(f"/api/v1/overview?{PERIOD}").json()["outcome"]
    code = client.get(f"/api/v1/ai-code?{PERIOD}").json()
    adoption = client.get(f"/api/v1/adoption?{PERIOD}").json()
    assert outcome["ai_share_percent"] == code["total"]["ai_share_percent"]
    assert outcome["cost_per_ai_commit_cents"] == code["total_ratios"]["cost_per_ai_commit_cents"]
    assert outcome["active_people"] == adoption["total"]["active_people"]
    page = client.get(f"/?{PERIOD}").text
    assert f'id="outcome-ai-share">{code["total"]["ai_share_percent"]}%<' in page
