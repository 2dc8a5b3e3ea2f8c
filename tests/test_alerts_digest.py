"""The weekly digest goes once a week to the digest channels only, with its sections."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from alert_receivers import webhook_receiver
from devspend.alerts.channels import add_channel
from devspend.alerts.check import run_check
from devspend.alerts.digest import DAYS
from devspend.settings import Settings
from sync_helpers import END_MS, connect_and_sync, fake_for, small_team

NOW = datetime.fromtimestamp(END_MS / 1000, tz=UTC)


def test_digest_once_a_week_to_its_channels(engine: sa.Engine, settings: Settings) -> None:
    connect_and_sync(engine, settings, fake_for(small_team()), days=30)
    weekly = settings.model_copy(update={"digest_channels": "weekly",
                                         "digest_day": DAYS[NOW.weekday()], "digest_hour": 9})
    with webhook_receiver() as digest_hook, webhook_receiver() as other_hook:
        add_channel(engine, weekly, url=digest_hook.url, name="weekly", now=NOW)
        add_channel(engine, weekly, url=other_hook.url, name="other", now=NOW)
        early = NOW.replace(hour=8)
        assert not [f for f in run_check(engine, weekly, now=early).found
                    if f.alert.kind == "digest"]  # fmt: skip
        run_check(engine, weekly, now=NOW)
        [digest] = [a for a in digest_hook.alerts() if a["kind"] == "digest"]
        assert not [a for a in other_hook.alerts() if a["kind"] == "digest"]
        assert digest["text"].startswith(f"Cost {NOW.date() - timedelta(days=7)} – ")
        for section in ("Top people (on-demand):", "Top models (usage value):",
                        "Budgets at risk: none.", "Integrations with problems:"):  # fmt: skip
            assert section in digest["text"]
        assert digest["top_people"]
        run_check(engine, weekly, now=NOW + timedelta(hours=2))
        assert len([a for a in digest_hook.alerts() if a["kind"] == "digest"]) == 1
    off = run_check(engine, settings, now=NOW + timedelta(days=7))
    assert not [f for f in off.found if f.alert.kind == "digest"]
