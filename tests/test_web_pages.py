"""Pages and their JSON twins show exactly the figures the CLI report prints."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from devspend.cli import build_app
from devspend.money import format_dollars
from devspend.settings import Settings
from sync_helpers import connect_and_sync, fake_for, small_team
from web_support import ADMIN_EMAIL, WebEnv, build_env, signed_in

END_DAY = date(2026, 11, 20)
START_DAY = END_DAY - timedelta(days=44)
PERIOD = f"range=custom&start={START_DAY}&end={END_DAY}"


def _sync_fake_team(engine: sa.Engine, settings: Settings) -> None:
    connect_and_sync(engine, settings, fake_for(small_team(members=6, days=60, history_days=60)),
                     days=60)  # fmt: skip


@pytest.fixture
def web(settings: Settings, engine: sa.Engine) -> Iterator[tuple[WebEnv, TestClient]]:
    _sync_fake_team(engine, settings)
    env = build_env(settings, engine)
    with signed_in(env, ADMIN_EMAIL, "admin") as client:
        yield env, client


def cli_report(settings: Settings, name: str, *args: str) -> dict[str, Any]:
    """What ``devspend report NAME --format json`` prints for the same period: the JSON
    of the same view as the page's ``/api/v1`` twin."""
    env = {
        "DEVSPEND_DATABASE_URL": settings.effective_database_url,
        "DEVSPEND_DATA_DIR": str(settings.data_dir),
        "DEVSPEND_SECRET_KEY": "x" * 32,
    }
    result = CliRunner().invoke(
        build_app(), ["report", name, *args, "--from", str(START_DAY), "--to", str(END_DAY),
                      "--format", "json"], env=env,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    view: dict[str, Any] = json.loads(result.stdout)
    return view


def test_people_api_and_page_match_the_cli_users_report(
    web: tuple[WebEnv, TestClient],
) -> None:
    env, client = web
    expected = {r["email"]: r for r in cli_report(env.settings, "people")["rows"]
                if r["events"]}  # fmt: skip
    assert len(expected) >= 3
    api = client.get(f"/api/v1/people?{PERIOD}").json()["rows"]
    assert set(expected) <= {r["email"] for r in api}
    for row in api:
        if row["email"] not in expected:  # a member without usage in the period
            assert row["events"] == 0
            continue
        cli = expected[row["email"]]
        for field in ("charged_cents", "total_cents"):
            assert Decimal(row[field]) == Decimal(cli[field]), (row["email"], field)
        for field in ("events", "input_tokens", "output_tokens", "cache_read_tokens"):
            assert row[field] == cli[field], (row["email"], field)
    page = client.get(f"/people?{PERIOD}").text
    for cli in expected.values():
        assert format_dollars(Decimal(cli["charged_cents"])) in page


def test_people_lists_members_without_usage_with_zeros(web: tuple[WebEnv, TestClient]) -> None:
    _env, client = web
    idle = client.get("/api/v1/people?range=custom&start=2020-01-01&end=2020-01-31").json()
    assert len(idle["rows"]) == 6
    assert all(r["events"] == 0 for r in idle["rows"])
    assert all(Decimal(r["charged_cents"]) == 0 for r in idle["rows"])


def test_overview_and_models_match_the_cli_reports(web: tuple[WebEnv, TestClient]) -> None:
    env, client = web
    daily = cli_report(env.settings, "daily")["rows"]
    total = sum((Decimal(r["charged_cents"]) for r in daily), Decimal(0))
    overview = client.get(f"/api/v1/overview?{PERIOD}").json()
    assert Decimal(overview["period"]["charged_cents"]) == total
    assert overview["period"]["events"] == sum(r["events"] for r in daily)
    chart = overview["chart"]
    stacked = sum(Decimal(v) for s in chart["series"] for v in s["charged_cents"])
    assert stacked == total  # top-N plus "other" always adds up to the real total
    html = client.get(f"/?{PERIOD}").text
    assert f'id="spend-total">{format_dollars(total)}<' in html

    models = {r["model"]: r for r in cli_report(env.settings, "models")["rows"]}
    api_models = client.get(f"/api/v1/models?{PERIOD}").json()["rows"]
    assert {m["model"] for m in api_models} == set(models)
    for m in api_models:
        assert Decimal(m["charged_cents"]) == Decimal(models[m["model"]]["charged_cents"])
        assert m["events"] == models[m["model"]]["events"]
        assert 1 <= m["users"] <= 6


def test_people_csv_has_exactly_the_rows_the_table_shows(web: tuple[WebEnv, TestClient]) -> None:
    _env, client = web
    query = f"{PERIOD}&sort=events&dir=asc&q=example&limit=4"
    shown = client.get(f"/api/v1/people?{query}").json()["rows"]
    response = client.get(f"/people.csv?{query}")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 4
    assert [r["email"] for r in rows] == [r["email"] for r in shown]
    page = client.get(f"/people?{query}").text
    assert page.count('<td class="num spend">') == 4
    assert 'id="show-all"' in page
    assert [int(r["events"]) for r in rows] == sorted(int(r["events"]) for r in rows)
    assert [Decimal(r["charged_cents"]) for r in rows] == [
        Decimal(r["charged_cents"]) for r in shown
    ]
    one = shown[0]["email"][:5]
    filtered = client.get(f"/api/v1/people?{PERIOD}&q={one}").json()["rows"]
    assert filtered
    assert all(one in r["email"] for r in filtered)


def test_person_page_matches_the_cli_for_that_user(web: tuple[WebEnv, TestClient]) -> None:
    env, client = web
    top = cli_report(env.settings, "people")["rows"][0]
    person = client.get(f"/api/v1/people/{top['email']}?{PERIOD}").json()
    assert Decimal(person["charged_cents"]) == Decimal(top["charged_cents"])
    assert person["events"] == top["events"]
    assert sum(m["events"] for m in person["models"]) == top["events"]
    assert len(person["recent_events"]) == min(50, top["events"])
    html = client.get(f"/people/{top['email']}?{PERIOD}")
    assert html.status_code == 200
    assert format_dollars(Decimal(top["charged_cents"])) in html.text
    assert client.get(f"/api/v1/people/nobody@example.com?{PERIOD}").status_code == 404


def test_split_by_user_keeps_top_series_and_other(web: tuple[WebEnv, TestClient]) -> None:
    _env, client = web
    chart = client.get(f"/api/v1/overview?{PERIOD}&split=user").json()["chart"]
    assert chart["split"] == "user"
    assert len(chart["days"]) == 45
    assert all(len(s["charged_cents"]) == 45 for s in chart["series"])
    assert client.get(f"/api/v1/overview?{PERIOD}&split=nonsense").status_code == 422
