"""Every surface agrees on cost: one person's and one team's cost, seats and on-demand for
one period through the HTML page, the JSON API, the CSV download, ``devspend report``
JSON and the FOCUS export (Σ BilledCost) are equal."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from devspend.cli import build_app
from devspend.money import format_dollars
from devspend.settings import Settings
from devspend.store.cloud_tables import allocations
from devspend.store.integrations import set_seat_price
from devspend.store.tables import people
from sync_helpers import connect_and_sync, fake_for, small_team
from web_support import ADMIN_EMAIL, WebEnv, build_env, signed_in

END_DAY = date(2026, 11, 20)
START_DAY = END_DAY - timedelta(days=40)
DAYS = ["--from", str(START_DAY), "--to", str(END_DAY)]
PERIOD = f"range=custom&start={START_DAY}&end={END_DAY}"
TEAM = "Platform"


@pytest.fixture
def faces(settings: Settings, engine: sa.Engine) -> Iterator[tuple[WebEnv, TestClient, str]]:
    """A synced team of 6 at $40 a seat; its first three people are team Platform."""
    connect_and_sync(engine, settings, fake_for(small_team(members=6, days=60, history_days=60)),
                     days=60)  # fmt: skip
    with engine.begin() as conn:
        set_seat_price(conn, 1, dollars=40)
        emails = sorted(str(e).lower() for e in conn.execute(sa.select(people.c.email)).scalars())
        now = datetime(2026, 11, 20, tzinfo=UTC)
        conn.execute(allocations.delete())  # the sync filled them from billing groups
        conn.execute(allocations.insert(), [
            {"email": e, "team": TEAM if i < 3 else "Web", "cost_center": None,
             "source": "manual", "updated_at": now}
            for i, e in enumerate(emails)
        ])  # fmt: skip
    env = build_env(settings, engine)
    with signed_in(env, ADMIN_EMAIL, "admin") as client:
        yield env, client, emails[0]


def _cli(settings: Settings, *args: str) -> str:
    env = {"DEVSPEND_DATABASE_URL": settings.effective_database_url,
           "DEVSPEND_DATA_DIR": str(settings.data_dir), "DEVSPEND_SECRET_KEY": "x" * 32}
    result = CliRunner().invoke(build_app(), list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _figures(row: dict[str, Any], on_demand: str) -> tuple[Decimal, Decimal, Decimal]:
    return Decimal(row["cost_cents"]), Decimal(row["seat_cents"]), Decimal(row[on_demand])


def _html_figure(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}">([^<]+)<', html)
    assert found, element_id
    return found.group(1).strip()


def test_one_person_and_one_team_agree_on_every_surface(
    faces: tuple[WebEnv, TestClient, str],
) -> None:
    env, client, email = faces
    focus = _csv(_cli(env.settings, "export", "focus", *DAYS))

    # one person
    api = client.get(f"/api/v1/people/{quote(email)}?{PERIOD}").json()
    cost = api["cost"]
    person = _figures(cost, "on_demand_cents")
    assert person[1] > 0  # the seat price is set: seats are part of cost
    assert person[0] == person[1] + person[2]
    from_cli = json.loads(_cli(env.settings, "report", "person", email, *DAYS, "--format",
                               "json"))  # fmt: skip
    assert _figures(from_cli["cost"], "on_demand_cents") == person
    [listed] = [r for r in client.get(f"/api/v1/people?{PERIOD}&limit=0").json()["rows"]
                if r["email"] == email]  # fmt: skip
    assert _figures(listed, "on_demand_cents") == person
    [from_csv] = [r for r in _csv(client.get(f"/people.csv?{PERIOD}&limit=0").text)
                  if r["email"] == email]  # fmt: skip
    assert _figures(from_csv, "on_demand_cents") == person
    html = client.get(f"/people/{quote(email)}?{PERIOD}").text
    assert _html_figure(html, "person-cost") == format_dollars(person[0])
    billed = sum((Decimal(r["BilledCost"]) for r in focus if r["x_UserEmail"] == email),
                 Decimal(0))  # fmt: skip
    assert billed * 100 == person[0]

    # one team
    team_api = client.get(f"/api/v1/teams/{TEAM}?{PERIOD}").json()
    team = _figures(team_api, "ai_cents")
    assert team[0] == team[1] + team[2]
    assert team[1] > person[1]
    [listed_team] = [t for t in client.get(f"/api/v1/teams?{PERIOD}").json()["teams"]
                     if t["team"] == TEAM]  # fmt: skip
    assert _figures(listed_team, "ai_cents") == team
    team_cli = json.loads(_cli(env.settings, "report", "team", TEAM, *DAYS, "--format", "json"))
    assert _figures(team_cli, "ai_cents") == team
    [team_csv] = [r for r in _csv(client.get(f"/teams.csv?{PERIOD}").text) if r["team"] == TEAM]
    assert _figures(team_csv, "ai_cents") == team
    overview = client.get(f"/api/v1/overview?{PERIOD}&team={TEAM}").json()["cost"]
    assert _figures(overview, "on_demand_cents") == team
    spend = client.get(f"/api/v1/spend?{PERIOD}&team={TEAM}").json()
    [usd] = [t for t in spend["totals"] if t["currency"] == "USD"]
    assert Decimal(usd["ai_cents"]) == team[0]  # the Spend page's AI side is cost
    spend_cli = json.loads(_cli(env.settings, "spend-report", *DAYS, "--team", TEAM, "--format",
                                "json"))  # fmt: skip
    assert spend_cli == spend
    html = client.get(f"/teams/{TEAM}?{PERIOD}").text
    assert _html_figure(html, "team-cost") == format_dollars(team[0])
    html = client.get(f"/?{PERIOD}&team={TEAM}").text
    assert _html_figure(html, "cost-total") == format_dollars(team[0])
    team_billed = sum((Decimal(r["BilledCost"]) for r in focus
                       if json.loads(r["Tags"] or "{}").get("team") == TEAM), Decimal(0))
    assert team_billed * 100 == team[0]


def test_a_model_filter_leaves_seats_out_of_cost(faces: tuple[WebEnv, TestClient, str]) -> None:
    _env, client, _email = faces
    [model] = client.get(f"/api/v1/models?{PERIOD}").json()["rows"][:1]
    cost = client.get(f"/api/v1/overview?{PERIOD}&model={quote(model['model'])}").json()["cost"]
    assert cost["seat_cents"] is None
    assert "per person" in cost["seat_note"]
    assert Decimal(cost["cost_cents"]) == Decimal(cost["on_demand_cents"])
