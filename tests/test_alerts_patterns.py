"""New patterns: a person's first heavy Max mode / expensive-model day and a headless jump,
caught from spikes injected into the fake, and nothing on the same team without them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from devspend.alerts.evaluate import evaluate
from devspend.cursor.fake import Spike
from devspend.focus.importer import import_focus
from devspend.settings import Settings
from sync_helpers import END_MS, connect_and_sync, fake_for, small_team

NOW = datetime.fromtimestamp(END_MS / 1000, tz=UTC)
TODAY = (NOW.date() - date(1970, 1, 1)).days
QUIET = "lena.hamilton@example.com"
AGENT = "tariq.perlman@example.com"


def _rules(engine: sa.Engine, settings: Settings) -> dict[str, list[str]]:
    with engine.connect() as conn:
        found = evaluate(conn, settings, as_of=NOW).alerts
    out: dict[str, list[str]] = {}
    for a in found:
        out.setdefault(a.rule, []).append(a.message)
    return out


def test_spikes_show_as_new_patterns(engine: sa.Engine, settings: Settings) -> None:
    team = small_team(spikes=(
        Spike(QUIET, TODAY),
        Spike(AGENT, TODAY, max_mode=False, headless=True),
    ))  # fmt: skip
    connect_and_sync(engine, settings, fake_for(team), days=70)
    rules = _rules(engine, settings)
    first_heavy = rules.get("pattern:max_mode", []) + rules.get("pattern:expensive_model", [])
    assert any("Lena Hamilton: first heavy use of" in m for m in first_heavy), rules
    [headless] = rules["pattern:headless"]
    assert headless.startswith("Tariq Perlman: headless / background-agent spend jumped to $")
    assert "headless requests (usually" in headless


def test_ordinary_days_raise_no_patterns(engine: sa.Engine, settings: Settings) -> None:
    connect_and_sync(engine, settings, fake_for(small_team()), days=70)
    rules = _rules(engine, settings)
    assert not [r for r in rules if r.startswith(("pattern:", "anomaly:"))], rules


def test_spike_words_include_owned_cloud_spend(
    engine: sa.Engine, settings: Settings, tmp_path: Path
) -> None:
    yesterday = NOW.date() - timedelta(days=1)
    connect_and_sync(engine, settings, fake_for(small_team(spikes=(Spike(QUIET, TODAY - 1),))),
                     days=70)  # fmt: skip
    day = yesterday - timedelta(days=2)
    owned = tmp_path / "owned.csv"
    owned.write_text(
        "BillingAccountId,BillingPeriodStart,ChargePeriodStart,ChargePeriodEnd,BilledCost,"
        "BillingCurrency,ProviderName,ServiceName,Tags\n"
        f"777,{day.replace(day=1)},{day},{day + timedelta(days=1)},123.45,USD,GCP,"
        f'BigQuery,"{{""owner"": ""{QUIET}""}}"\n'
    )
    import_focus(engine, [owned], settings=settings)
    [spike] = _rules(engine, settings)["anomaly:person"]
    assert spike.startswith("Lena Hamilton: $")
    assert f"owned cloud spend $123.45 in the 7 days to {yesterday}" in spike
