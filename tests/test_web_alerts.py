"""Budgets and Alerts pages and their JSON twins: admins manage, viewers read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from alert_receivers import webhook_receiver
from devspend.alerts.check import run_check
from devspend.cursor.fake import Spike
from devspend.settings import Settings
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
