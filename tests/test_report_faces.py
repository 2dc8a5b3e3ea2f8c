"""Every page family shows one view on four faces: the HTML page, its ``/api/v1`` JSON,
its CSV download and ``devspend report … --format json|csv`` agree on one period and
filter (here: a team), figure for figure."""

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
from devspend.store.tables import people
from sync_helpers import connect_and_sync, fake_for, small_team
from web_support import ADMIN_EMAIL, WebEnv, build_env, signed_in

END_DAY = date(2026, 11, 20)
START_DAY = END_DAY - timedelta(days=40)
DAYS = ["--from", str(START_DAY), "--to", str(END_DAY)]
PERIOD = f"range=custom&start={START_DAY}&end={END_DAY}"


@pytest.fixture
def faces(settings: Settings, engine: sa.Engine) -> Iterator[tuple[WebEnv, TestClient, str]]:
    """A synced team of 6 whose first three people are allocated to team Platform."""
    connect_and_sync(engine, settings, fake_for(small_team(members=6, days=60, history_days=60)),
                     days=60)  # fmt: skip
    with engine.begin() as conn:
        emails = sorted(str(e).lower() for e in conn.execute(sa.select(people.c.email)).scalars())
        now = datetime(2026, 11, 20, tzinfo=UTC)
        upsert_allocations(conn, [
            Allocation(e, "Platform" if i < 3 else "Web", f"cc-{i % 2}", "manual")
            for i, e in enumerate(emails)
        ], now=now)  # fmt: skip
    env = build_env(settings, engine)
    with signed_in(env, ADMIN_EMAIL, "admin") as client:
        yield env, client, emails[0]


def cli(settings: Settings, *args: str) -> str:
    env = {
        "DEVSPEND_DATABASE_URL": settings.effective_database_url,
        "DEVSPEND_DATA_DIR": str(settings.data_dir),
        "DEVSPEND_SECRET_KEY": "x" * 32,
    }
    result = CliRunner().invoke(build_app(), ["report", *args], env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# (CLI command, web path, API path, main table's rows in the JSON, CLI options)
Family = tuple[str, str | None, str, str | None, list[str]]
FAMILIES: list[Family] = [
    ("overview", "/", "/api/v1/overview", None, ["--team", "Platform"]),
    ("people", "/people", "/api/v1/people", "rows", ["--team", "Platform"]),
    ("models", "/models", "/api/v1/models", "rows", ["--team", "Platform"]),
    ("teams", "/teams", "/api/v1/teams", "teams", ["--team", "Platform"]),
    ("spend", "/spend", "/api/v1/spend", "periods", ["--team", "Platform"]),
    ("kinds", None, "/api/v1/kinds", "rows", ["--team", "Platform"]),
    ("daily", None, "/api/v1/daily", "rows", ["--team", "Platform"]),
]


def test_page_json_csv_and_cli_agree(faces: tuple[WebEnv, TestClient, str]) -> None:
    """One synced store for every family (a sync per family would cost a minute)."""
    for family in FAMILIES:
        _agree(*faces[:2], family)


def _agree(env: WebEnv, client: TestClient, family: Family) -> None:
    name, page, api, table, options = family
    query = f"{PERIOD}&team=Platform"
    from_api = client.get(f"{api}?{query}")
    assert from_api.status_code == 200, from_api.text
    from_cli = json.loads(cli(env.settings, name, *DAYS, *options, "--format", "json"))
    if name == "people":  # the API pages people (500 by default), the CLI prints them all
        from_api_all = client.get(f"{api}?{query}&limit=0").json()
        assert from_api_all == from_cli
    else:
        assert from_api.json() == from_cli
    view = from_cli
    rows = view[table] if table else [view["period"], view["previous"]]
    if name == "teams":  # the page's table ends with the people without a team
        rows = [*rows, view["without_team"]]
    from_csv = csv_rows(cli(env.settings, name, *DAYS, *options, "--format", "csv"))
    web_csv = client.get(f"{api.removeprefix('/api/v1')}.csv?{query}")
    assert web_csv.status_code == 200, web_csv.text
    assert csv_rows(web_csv.text) == from_csv
    assert len(from_csv) == len(rows)
    for got, want in zip(from_csv, rows, strict=True):
        for key, value in want.items():
            if isinstance(value, dict | list):
                continue
            assert got[key] == ("" if value is None else str(value).lower()
                                if isinstance(value, bool) else str(value)), key  # fmt: skip
    if page is not None:
        html = client.get(f"{page}?{query}").text
        money = next((k for k in ("charged_cents", "ai_cents") if rows and k in rows[0]), None)
        if money is not None:
            for row in rows[:5]:
                assert format_dollars(Decimal(row[money])) in html, (name, row)


def test_the_team_filter_narrows_to_its_people(faces: tuple[WebEnv, TestClient, str]) -> None:
    _env, client, _ = faces
    everyone = client.get(f"/api/v1/overview?{PERIOD}").json()["period"]
    platform = client.get(f"/api/v1/overview?{PERIOD}&team=Platform").json()["period"]
    web = client.get(f"/api/v1/overview?{PERIOD}&team=Web").json()["period"]
    for key in ("charged_cents", "on_demand_cents", "total_cents"):
        assert Decimal(platform[key]) + Decimal(web[key]) == Decimal(everyone[key]), key
    assert platform["events"] + web["events"] == everyone["events"]
    assert 0 < platform["events"] < everyone["events"]
    rows = client.get(f"/api/v1/people?{PERIOD}&team=Platform").json()["rows"]
    assert len(rows) == 3
    by_center = client.get(f"/api/v1/people?{PERIOD}&cost_center=cc-0").json()["rows"]
    assert len(by_center) == 3
    team_page = client.get(f"/teams/Platform?{PERIOD}")
    assert team_page.status_code == 200
    team = client.get(f"/api/v1/teams/Platform?{PERIOD}").json()
    assert {p["email"] for p in team["people"]} == {r["email"] for r in rows}
    assert client.get(f"/api/v1/teams/Nobody?{PERIOD}").status_code == 404


def test_person_page_json_csv_and_cli_agree(faces: tuple[WebEnv, TestClient, str]) -> None:
    env, client, email = faces
    from_api: dict[str, Any] = client.get(f"/api/v1/people/{email}?{PERIOD}").json()
    from_cli = json.loads(cli(env.settings, "person", email, *DAYS, "--format", "json"))
    assert from_api == from_cli
    models = csv_rows(client.get(f"/people/{email}.csv?{PERIOD}&table=models").text)
    assert [m["key"] for m in models] == [m["key"] for m in from_api["models"]]
    assert sum(int(m["events"]) for m in models) == from_api["events"]
    html = client.get(f"/people/{email}?{PERIOD}").text
    assert f'id="person-spend">{format_dollars(Decimal(from_api["charged_cents"]))}<' in html
