"""A viewer limited to some teams sees only those teams' people and figures: on every
page, in the JSON API, in CSV downloads — and cannot reach another team's person."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from devspend.cli import build_app
from devspend.settings import Settings
from devspend.store import accounts, viewer_teams
from devspend.store.allocations import Allocation, upsert_allocations
from devspend.store.tables import people
from sync_helpers import connect_and_sync, fake_for, small_team
from web_support import ADMIN_EMAIL, PASSWORD, WebEnv, build_env, client_for, login, signed_in

END_DAY = date(2026, 11, 20)
PERIOD = f"range=custom&start={END_DAY - timedelta(days=40)}&end={END_DAY}"
LIMITED = "lead@example.com"


@pytest.fixture
def store(settings: Settings, engine: sa.Engine) -> tuple[WebEnv, list[str], list[str]]:
    """Six synced people: three in Platform, three in Web; a viewer limited to Platform."""
    connect_and_sync(engine, settings, fake_for(small_team(members=6, days=60, history_days=60)),
                     days=60)  # fmt: skip
    with engine.begin() as conn:
        emails = sorted(str(e).lower() for e in conn.execute(sa.select(people.c.email)).scalars())
        now = datetime(2026, 11, 20, tzinfo=UTC)
        upsert_allocations(conn, [
            Allocation(e, "Platform" if i < 3 else "Web", None, "manual")
            for i, e in enumerate(emails)
        ], now=now)  # fmt: skip
    env = build_env(settings, engine)
    runner = CliRunner().invoke(build_app(), [
        "user", "add", "--viewer", LIMITED, "--team", "Platform", "--password-stdin",
    ], input=PASSWORD + "\n", env={
        "DEVSPEND_DATABASE_URL": settings.effective_database_url,
        "DEVSPEND_DATA_DIR": str(settings.data_dir), "DEVSPEND_SECRET_KEY": "x" * 32,
    })  # fmt: skip
    assert runner.exit_code == 0, runner.output
    assert "sees only: Platform" in runner.output
    return env, emails[:3], emails[3:]


def _viewer(env: WebEnv) -> TestClient:
    client = client_for(env.app)
    assert login(client, LIMITED).status_code == 303
    return client


def test_a_limited_viewer_sees_only_their_teams_people_and_figures(
    store: tuple[WebEnv, list[str], list[str]],
) -> None:
    env, platform, web = store
    with _viewer(env) as viewer, signed_in(env, ADMIN_EMAIL, "admin") as admin:
        rows = viewer.get(f"/api/v1/people?{PERIOD}").json()["rows"]
        assert {r["email"] for r in rows} == set(platform)
        csv_emails = {r["email"] for r in csv.DictReader(io.StringIO(
            viewer.get(f"/people.csv?{PERIOD}").text))}  # fmt: skip
        assert csv_emails == set(platform)
        page = viewer.get(f"/people?{PERIOD}").text
        assert all(e not in page for e in web)
        # every figure is the team's, whatever the URL asks for
        theirs = admin.get(f"/api/v1/overview?{PERIOD}&team=Platform").json()["period"]
        seen = viewer.get(f"/api/v1/overview?{PERIOD}").json()["period"]
        assert seen == theirs
        assert viewer.get(f"/api/v1/overview?{PERIOD}&team=Web").json()["period"]["events"] == 0
        models = viewer.get(f"/api/v1/models?{PERIOD}").json()["rows"]
        admin_models = admin.get(f"/api/v1/models?{PERIOD}&team=Platform").json()["rows"]
        assert models == admin_models
        teams = viewer.get(f"/api/v1/teams?{PERIOD}").json()
        assert [t["team"] for t in teams["teams"]] == ["Platform"]
        assert {p["email"] for p in teams["people"]} <= set(platform)
        assert Decimal(teams["unattributed_cents"]) == 0
        spend = viewer.get(f"/api/v1/spend?{PERIOD}").json()["totals"]
        assert sum(Decimal(t["ai_cents"]) for t in spend) == Decimal(theirs["on_demand_cents"])


def test_a_limited_viewer_cannot_reach_another_teams_person_or_team(
    store: tuple[WebEnv, list[str], list[str]],
) -> None:
    env, platform, web = store
    with _viewer(env) as viewer:
        assert viewer.get(f"/api/v1/people/{platform[0]}?{PERIOD}").status_code == 200
        for path in (f"/people/{web[0]}", f"/api/v1/people/{web[0]}", f"/people/{web[0]}.csv",
                     "/teams/Web", "/api/v1/teams/Web"):  # fmt: skip
            assert viewer.get(f"{path}?{PERIOD}").status_code == 404, path
        assert viewer.get(f"/api/v1/teams/Platform?{PERIOD}").status_code == 200


def test_admins_set_and_clear_a_viewers_teams(
    store: tuple[WebEnv, list[str], list[str]],
) -> None:
    env, platform, web = store
    with env.engine.connect() as conn:
        user = accounts.get_user_by_email(conn, LIMITED)
        assert user is not None
        assert viewer_teams.teams_of(conn, user_id=user.id) == frozenset({"Platform"})
    with signed_in(env, ADMIN_EMAIL, "admin") as admin:
        page = admin.get("/settings/users")
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        done = admin.post(f"/settings/users/{user.id}/teams",
                          data={"teams": "", "csrf_token": token})  # fmt: skip
        assert done.status_code == 303
    with env.engine.connect() as conn:
        assert viewer_teams.teams_of(conn, user_id=user.id) is None
    with _viewer(env) as viewer:
        rows = viewer.get(f"/api/v1/people?{PERIOD}").json()["rows"]
        assert {r["email"] for r in rows} == set(platform) | set(web)
