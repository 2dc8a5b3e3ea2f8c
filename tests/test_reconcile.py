"""Reconciliation against Cursor's own figures: a member whose reported spend differs is
flagged with exactly that delta, and nobody else; CLI, page and JSON twin agree."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from devspend.cli import build_app
from devspend.cursor.fake import FakeCursor
from devspend.reports.reconcile import NEWER_EVENTS, reconcile
from devspend.settings import Settings
from devspend.store import accounts, viewer_teams
from devspend.store.cloud_tables import allocations
from devspend.store.tables import member_spend, people
from sync_helpers import END_MS, connect_and_sync, fake_for, small_team
from web_support import ADMIN_EMAIL, add_user, build_env, client_for, login, signed_in

OFFSET = Decimal("123.456789")


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> Settings:
    monkeypatch.setenv("DEVSPEND_DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("DEVSPEND_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("DEVSPEND_SECRET_KEY", "x" * 32)
    monkeypatch.setenv("COLUMNS", "250")
    return settings


def _fake(offset: Decimal | None = None) -> tuple[FakeCursor, str]:
    """The test team, and the member whose spend Cursor misreports by ``offset`` cents."""
    team = small_team(members=12)
    target = next(p.email for p in team.profiles if p.removed_ms is None and p.index > 0)
    offsets = {target: offset} if offset is not None else {}
    return fake_for(team, spend_offsets_cents=offsets), target


def _run(*args: str) -> tuple[int, dict[str, object]]:
    result = CliRunner().invoke(build_app(), ["reconcile", "--format", "json", *args])
    return result.exit_code, json.loads(result.output)


def test_everything_matches_a_faithful_cursor(cli_env: Settings, engine: sa.Engine) -> None:
    fake, _ = _fake()
    connect_and_sync(engine, cli_env, fake, days=60)
    code, report = _run()
    assert code == 0
    assert report["ok"] is True
    [team] = report["integrations"]  # type: ignore[misc]
    assert team["cycle_start"] == "2026-11-01"
    assert team["members"]
    assert {m["status"] for m in team["members"]} == {"match"}
    assert {g["status"] for g in team["groups"]} == {"match"}
    assert len(team["days"]) == 20
    assert {d["status"] for d in team["days"]} == {"match"}
    row = team["members"][0]
    for key in ("email", "cycle_start", "events_on_demand_cents", "cursor_spend_cents",
                "events_usage_value_cents", "cursor_overall_cents", "delta_cents", "status",
                "reason"):  # fmt: skip
        assert key in row
    assert all("E" not in m["delta_cents"] for m in team["members"])
    table = CliRunner().invoke(build_app(), ["reconcile"])
    assert table.exit_code == 0
    assert "0 mismatch" in table.output


def test_the_member_whose_spend_differs_is_flagged_with_exactly_that_delta(
    cli_env: Settings, engine: sa.Engine
) -> None:
    fake, target = _fake(OFFSET)
    connect_and_sync(engine, cli_env, fake, days=60)
    code, report = _run("--integration", "1")
    assert code == 1
    assert report["ok"] is False
    [team] = report["integrations"]  # type: ignore[misc]
    flagged = [m for m in team["members"] if m["status"] != "match"]
    assert [m["email"] for m in flagged] == [target]
    [row] = flagged
    assert row["status"] == "mismatch"
    assert row["reason"] is None
    assert Decimal(row["delta_cents"]) == -OFFSET
    assert Decimal(row["usage_value_delta_cents"]) == -OFFSET
    assert Decimal(row["cursor_spend_cents"]) - Decimal(row["events_on_demand_cents"]) == OFFSET
    # billing groups come from /teams/groups, which the knob leaves alone
    assert {g["status"] for g in team["groups"]} == {"match"}
    table = CliRunner().invoke(build_app(), ["reconcile"])
    assert table.exit_code == 1
    assert "1 mismatch" in table.output


def test_a_snapshot_taken_after_the_events_explains_cursor_being_ahead(
    cli_env: Settings, engine: sa.Engine
) -> None:
    fake, target = _fake(OFFSET)
    connect_and_sync(engine, cli_env, fake, days=60)
    with engine.begin() as conn:  # as if events stopped an hour before the spend was taken
        conn.execute(member_spend.update().values(events_through_ms=END_MS - 3_600_000))
        result = reconcile(conn, integration_id=1)
    [row] = [m for m in result.members if m.status != "match"]
    assert (row.email, row.status, row.reason) == (target, "explained", NEWER_EVENTS)
    assert row.delta_cents == -OFFSET
    assert result.ok


def test_page_and_json_twin(settings: Settings, engine: sa.Engine) -> None:
    fake, target = _fake(OFFSET)
    connect_and_sync(engine, settings, fake, days=60)
    env = build_env(settings, engine)
    with signed_in(env, ADMIN_EMAIL, "admin") as client:
        page = client.get("/reconcile")
        data = client.get("/api/v1/reconcile").json()
    assert page.status_code == 200
    assert "Some figures do not match" in page.text
    assert f'data-email="{target}"' in page.text
    [team] = data["integrations"]
    assert data["ok"] is False
    [row] = [m for m in team["members"] if m["status"] == "mismatch"]
    assert row["email"] == target
    assert Decimal(row["delta_cents"]) == -OFFSET
    with engine.connect() as conn:
        assert team == json.loads(json.dumps(reconcile(conn, integration_id=1).as_json()))


def test_a_limited_viewer_reconciles_only_their_teams_people(
    settings: Settings, engine: sa.Engine
) -> None:
    fake, _target = _fake(OFFSET)
    connect_and_sync(engine, settings, fake, days=60)
    with engine.begin() as conn:
        emails = sorted(str(e).lower() for e in conn.execute(sa.select(people.c.email)).scalars())
        mine = emails[:3]
        conn.execute(allocations.delete())
        conn.execute(allocations.insert(), [
            {"email": e, "team": "Platform" if e in mine else "Web", "cost_center": None,
             "source": "manual", "updated_at": datetime(2026, 11, 20, tzinfo=UTC)}
            for e in emails
        ])  # fmt: skip
    env = build_env(settings, engine)
    add_user(env, "lead@example.com", "viewer")
    with engine.begin() as conn:
        user = accounts.get_user_by_email(conn, "lead@example.com")
        assert user is not None
        viewer_teams.set_teams(conn, user_id=user.id, teams=["Platform"])
    client = client_for(env.app)
    assert login(client, "lead@example.com").status_code == 303
    [team] = client.get("/api/v1/reconcile").json()["integrations"]
    assert {m["email"] for m in team["members"]} <= set(mine)
    assert team["members"]
    assert team["groups"] == []
    assert team["days"] == []
    assert "Only your teams' people" in team["note"]
