"""Alerts reach a real webhook and a real SMTP server through Apprise, once, and failures retry.

A fake team with two injected spikes is synced (SQLite and PostgreSQL); budgets are
set around what the check measures, so the test knows which thresholds must fire.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from alert_receivers import smtp_receiver, webhook_receiver
from devspend.alerts.channels import add_channel
from devspend.alerts.check import run_check
from devspend.alerts.evaluate import evaluate
from devspend.cursor.fake import Spike
from devspend.money import to_micros
from devspend.settings import Settings
from devspend.store import alerts as store
from devspend.store.engine import make_engine
from sync_helpers import END_MS, connect_and_sync, fake_for, small_team

NOW = datetime.fromtimestamp(END_MS / 1000, tz=UTC)
TODAY = NOW.date()
EPOCH = date(1970, 1, 1)
SPIKED = "lena.hamilton@example.com"
LIMITED = "elif.backus@example.com"  # a $100 monthly limit in the fake


def _day(d: date) -> int:
    return (d - EPOCH).days


@pytest.fixture
def synced(engine: sa.Engine, settings: Settings) -> sa.Engine:
    team = small_team(spikes=(
        Spike(email=SPIKED, day=_day(TODAY - timedelta(days=1))),
        Spike(email=LIMITED, day=_day(TODAY - timedelta(days=3))),
    ))  # fmt: skip
    connect_and_sync(engine, settings, fake_for(team), days=90)
    return engine


def _budget(engine: sa.Engine, name: str, amount_cents: Decimal, **kw: object) -> int:
    values: dict[str, object] = {
        "period": "cycle", "scope_kind": "all", "scope_value": None, "figure": "on_demand",
        "thresholds": (50, 80, 100), "forecast_alert": True,
    }  # fmt: skip
    values.update(kw)
    with engine.begin() as conn:
        return store.create_budget(conn, name=name, amount_ucents=to_micros(amount_cents),
                                   now=NOW, **values).id  # type: ignore[arg-type]


def _measure(engine: sa.Engine, settings: Settings) -> tuple[Decimal, Decimal]:
    probe = _budget(engine, "probe", Decimal(10**9))
    with engine.connect() as conn:
        status = next(s for s in evaluate(conn, settings, as_of=NOW).budgets)
    with engine.begin() as conn:
        store.delete_budget(conn, probe)
    return status.spent_cents, status.forecast_cents


def test_alerts_delivered_once_to_webhook_and_email(synced: sa.Engine, settings: Settings) -> None:
    spent, forecast = _measure(synced, settings)
    assert forecast > spent > 0
    _budget(synced, "eighty", spent / Decimal("0.85"), forecast_alert=False)
    _budget(synced, "hundred", spent / Decimal("1.05"))
    _budget(synced, "forecast", (spent + forecast) / 2)
    with webhook_receiver() as hook, smtp_receiver() as (mail_url, mails):
        add_channel(synced, settings, url=hook.url, name="hook", now=NOW)
        add_channel(synced, settings, url=mail_url, name="mail", now=NOW)
        first = run_check(synced, settings, now=NOW)
        got = {(a["kind"], a.get("budget"), a.get("threshold_percent")) for a in hook.alerts()}
        assert ("budget_threshold", "eighty", 80) in got
        assert ("budget_threshold", "hundred", 100) in got
        assert ("budget_forecast", "forecast", None) in got
        # a lower threshold crossed together with a higher one is recorded, not sent
        assert ("budget_threshold", "eighty", 50) not in got
        kinds = [a["kind"] for a in hook.alerts()]
        assert "limit_forecast" in kinds
        spike = [a for a in hook.alerts() if a["kind"] == "anomaly" and a["person"] == SPIKED]
        assert spike, hook.alerts()
        assert "claude-4.1-opus in Max mode" in spike[0]["driver"]
        assert spike[0]["period"] == str(TODAY - timedelta(days=1))
        assert spike[0]["link"].endswith(f"/people/{SPIKED}")
        limit = next(a for a in hook.alerts() if a["kind"] == "limit_forecast")
        assert limit["person"] == LIMITED
        assert "at this pace reaches the $100 limit on" in limit["text"]
        assert all(d.status == "sent" for d in first.deliveries)
        sent = len(hook.bodies)
        quiet = first.evaluation.quiet_keys
        assert sent == len(mails) == len([f for f in first.found
                                          if f.new and f.alert.dedupe_key not in quiet])
        assert any("eighty" in str(m) and "crossed 80 %" in str(m) for m in mails)
        second = run_check(synced, settings, now=NOW)
        assert not second.new
        assert not second.deliveries
        assert len(hook.bodies) == sent
        assert len(mails) == sent


def test_two_replicas_send_once(synced: sa.Engine, settings: Settings, db_url: str) -> None:
    spent, _ = _measure(synced, settings)
    _budget(synced, "shared", spent / Decimal("0.9"), forecast_alert=False)
    replicas = [make_engine(db_url) for _ in range(2)]
    with webhook_receiver() as hook:
        add_channel(synced, settings, url=hook.url, name="hook", now=NOW)
        errors: list[BaseException] = []

        def check(engine: sa.Engine) -> None:
            try:
                run_check(engine, settings, now=NOW)
            except BaseException as exc:  # surfaced below
                errors.append(exc)

        threads = [threading.Thread(target=check, args=(e,)) for e in replicas]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not errors
        keys = [(a["rule"], a["scope"], a["period"], a["kind"], a.get("threshold_percent"))
                for a in hook.alerts()]  # fmt: skip
        assert keys
        assert len(keys) == len(set(keys))
        assert any(a.get("budget") == "shared" and a["threshold_percent"] == 80
                   for a in hook.alerts())  # fmt: skip
    for e in replicas:
        e.dispose()


def test_failed_delivery_is_kept_and_retried(synced: sa.Engine, settings: Settings) -> None:
    spent, _ = _measure(synced, settings)
    _budget(synced, "retry", spent / Decimal("0.85"), forecast_alert=False)
    with webhook_receiver() as hook:
        add_channel(synced, settings, url=hook.url, name="hook", now=NOW)
        hook.failing = True
        first = run_check(synced, settings, now=NOW)
        assert first.deliveries
        assert all(d.status == "failed" for d in first.deliveries)
        assert all(d.error for d in first.deliveries)
        with synced.connect() as conn:
            shown = store.list_alerts(conn)
        assert all(d.status == "failed" and d.last_error for a in shown for d in a.deliveries)
        hook.failing = False
        later = NOW + timedelta(minutes=5)
        second = run_check(synced, settings, now=later)
        assert not second.new
        assert second.deliveries
        assert all(d.status == "sent" for d in second.deliveries)
        assert len(hook.bodies) == len(first.deliveries)
        assert not run_check(synced, settings, now=later).deliveries

