"""Budgets and Alerts pages and their JSON twins: admins manage, viewers read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from alert_receivers import webhook_receiver
from devspend.alerts.check import run_check
from devspend.cursor.fake import Spike
from devspend.focus.allocations import set_allocation
from devspend.settings import Settings
from devspend.store import accounts, alert_reads
from devspend.store import alerts as store
from devspend.store.viewer_teams import set_teams
from sync_helpers import END_MS, connect_and_sync, fake_for, small_team
from web_support import ADMIN_EMAIL, VIEWER_EMAIL, build_env, page_csrf, signed_in

NOW = datetime.fromtimestamp(END_MS / 1000, tz=UTC)
SPIKED = "lena.hamilton@example.com"


def test_budget_channel_alert_acknowledge_mute(engine: sa.Engine, settings: Settings) -> None:
    day = (NOW.date() - timedelta(days=1) - datetime(1970, 1, 1).date()).days
    connect_and_sync(engine, settings, fake_for(small_team(spikes=(Spike(SPIKED, day),))),
                     days=70)  # fmt: skip
    env = build_env(settings, engine, now=NOW)
    with webhook_receiver() as hook, signed_in(env, ADMIN_EMAIL, "admin") as admin:
        csrf = page_csrf(admin, "/budgets")
        made = admin.post("/budgets", data={
            "csrf_token": csrf, "name": "Tiny", "amount": "1", "period": "cycle",
            "figure": "usage_value", "scope": "all",
        })  # fmt: skip
        assert made.status_code == 303, made.text
        bad = admin.post("/budgets", data={"csrf_token": csrf, "name": "x", "amount": "1",
                                           "scope": "team"})  # fmt: skip
        assert bad.status_code == 400
        assert "Say which team" in bad.text
        secret = hook.url + "/t0ps3cret"
        added = admin.post("/budgets/channels", data={"csrf_token": csrf, "url": secret,
                                                      "name": "ops hook"})  # fmt: skip
        assert added.status_code == 303
        page = admin.get("/budgets").text
        assert "ops hook" in page
        assert "t0ps3cret" not in page
        assert "forecast $" in page
        assert "at cycle end (budget $1.00)" in page
        tested = admin.post("/budgets/channels/1/test", data={"csrf_token": csrf})
        assert "Test message sent" in tested.text
        report = run_check(engine, settings, now=NOW)
        assert report.new
        alerts_page = admin.get("/alerts").text
        assert "crossed 100 %" in alerts_page
        assert "ops hook: sent" in alerts_page
        assert "Lena Hamilton" in alerts_page
        assert "claude-4.1-opus in Max mode" in alerts_page
        api = admin.get("/api/v1/alerts").json()
        spike = next(a for a in api["alerts"] if a["kind"] == "anomaly" and a["person"] == SPIKED)
        assert spike["deliveries"][0]["status"] == "sent"
        assert admin.post(f"/alerts/{spike['id']}/acknowledge",
                          data={"csrf_token": csrf}).status_code == 303  # fmt: skip
        assert admin.post("/alerts/mute", data={"csrf_token": csrf,
                                                "rule": "anomaly:person"}).status_code == 303
        api = admin.get("/api/v1/alerts").json()
        assert api["muted_rules"] == ["anomaly:person"]
        assert next(a for a in api["alerts"] if a["id"] == spike["id"])["acknowledged_by"] == (
            ADMIN_EMAIL)  # fmt: skip
        budgets = admin.get("/api/v1/budgets").json()["budgets"]
        assert budgets[0]["crossed"] == [50, 80, 100]
        assert budgets[0]["amount_cents"] == "100"
    with signed_in(env, VIEWER_EMAIL, "viewer") as viewer:
        page = viewer.get("/budgets").text
        assert "Tiny" in page
        assert "ops hook" not in page
        csrf = page_csrf(viewer, "/budgets")
        refused = viewer.post("/budgets", data={"csrf_token": csrf, "name": "v", "amount": "1"})
        assert refused.status_code == 403
        assert viewer.post("/alerts/mute", data={"csrf_token": csrf,
                                                 "rule": "limit"}).status_code == 403
        assert viewer.get("/alerts").status_code == 200


def test_a_failed_delivery_is_shown_then_retried(engine: sa.Engine, settings: Settings) -> None:
    connect_and_sync(engine, settings, fake_for(small_team()), days=30)
    env = build_env(settings, engine, now=NOW)
    with webhook_receiver() as hook, signed_in(env, ADMIN_EMAIL, "admin") as admin:
        csrf = page_csrf(admin, "/budgets")
        admin.post("/budgets", data={"csrf_token": csrf, "name": "Tiny", "amount": "0.01",
                                     "figure": "usage_value"})  # fmt: skip
        admin.post("/budgets/channels", data={"csrf_token": csrf, "url": hook.url,
                                              "name": "flaky"})  # fmt: skip
        hook.failing = True
        run_check(engine, settings, now=NOW)
        page = admin.get("/alerts").text
        assert "flaky: failed" in page
        assert "500" in page  # Apprise's reason, kept with the delivery
        hook.failing = False
        run_check(engine, settings, now=NOW + timedelta(minutes=10))
        page = admin.get("/alerts").text
        assert "flaky: sent (2 attempts)" in page
        assert len(hook.alerts()) == 1


def test_forecast_lines_and_limited_viewers(engine: sa.Engine, settings: Settings) -> None:
    connect_and_sync(engine, settings, fake_for(small_team()), days=30)
    with engine.connect() as conn:
        someone = sorted(alert_reads.allocation_map(conn) or
                         {r.email for r in alert_reads.person_days(
                             conn, start=NOW.date() - timedelta(days=20), end=NOW.date())})[0]
    set_allocation(engine, email=someone, team="Platform", cost_center=None)
    with engine.begin() as conn:
        for name, kind, value in (("Company", "all", None), ("Platform AI", "team", "Platform")):
            store.create_budget(conn, name=name, amount_ucents=10**9, period="cycle",
                                scope_kind=kind, scope_value=value, figure="on_demand",
                                thresholds=(50, 80, 100), forecast_alert=True, now=NOW)
    env = build_env(settings, engine, now=NOW)
    with signed_in(env, ADMIN_EMAIL, "admin") as admin:
        overview = admin.get("/?range=30d").text
        assert "at cycle end (budget “Company” $10.00" in overview
        team = admin.get("/teams/Platform?range=30d").text
        assert "at cycle end (budget “Platform AI” $10.00" in team
        person = admin.get(f"/people/{someone}?range=30d").text
        assert "On-demand spend: forecast $" in person
    with signed_in(env, VIEWER_EMAIL, "viewer") as viewer:
        with engine.begin() as conn:
            user = accounts.get_user_by_email(conn, VIEWER_EMAIL)
            assert user is not None
            set_teams(conn, user_id=user.id, teams=["Platform"])
        names = [b["name"] for b in viewer.get("/api/v1/budgets").json()["budgets"]]
        assert names == ["Platform AI"]
        page = viewer.get("/budgets").text
        assert "Platform AI" in page
        assert "Company" not in page
        assert "Company" not in viewer.get("/?range=30d").text
        forecasts = viewer.get("/api/v1/alerts").json()["forecasts"]
        assert [f["scope"] for f in forecasts] == ["team:Platform"]
