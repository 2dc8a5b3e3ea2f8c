"""The AI code view: rows add up, cost per outcome is cost ÷ count or hidden, empty says why."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from devspend.money import from_micros
from devspend.reports.ai_code import AiCodeFigures, CostBasis, build_ai_code
from devspend.settings import Settings
from devspend.store.outcome import spend_by_person_day
from sync_helpers import connect_and_sync, fake_for, small_team

TODAY = date(2026, 11, 20)
START = TODAY - timedelta(days=29)
ADDITIVE = [n for n in AiCodeFigures.model_fields if n != "cost_cents"]


def test_people_teams_repos_add_up_and_ratios_divide(engine: sa.Engine, settings: Settings) -> None:
    fake = fake_for(small_team(members=8, days=45, history_days=45))
    connect_and_sync(engine, settings, fake, days=45)
    with engine.connect() as conn:
        view = build_ai_code(conn, start=START, end=TODAY, basis=CostBasis.on_demand)
        value = build_ai_code(conn, start=START, end=TODAY, basis=CostBasis.usage_value)
        spend = spend_by_person_day(conn, start=START, end=TODAY)
        hidden = build_ai_code(conn, start=START, end=TODAY, min_lines=10**9, min_commits=10**9)
    assert view.empty_reason is None
    for name in ADDITIVE:
        total = getattr(view.total, name)
        assert sum(getattr(p, name) for p in view.people) == total
        assert sum(getattr(t, name) for t in view.teams) == total
    for name in ("commits", "ai_commits", "tab_lines", "composer_lines", "non_ai_lines"):
        assert sum(getattr(r, name) for r in view.repos) == getattr(view.total, name)
    assert view.total.cost_cents == from_micros(sum(b for _, b in spend.values()))
    assert value.total.cost_cents == from_micros(sum(v for v, _ in spend.values()))
    assert sum((r.cost_cents for r in view.repos), view.unattributed_repo_cents) == (
        view.total.cost_cents)
    assert all(r.attribution.startswith("inferred") for r in view.repos)
    ratios = view.total_ratios
    assert ratios.cost_per_accepted_ai_line_cents == (
        view.total.cost_cents / view.total.accepted_ai_lines).quantize(Decimal("0.0001"))
    assert ratios.cost_per_ai_commit_cents == (
        view.total.cost_cents / view.total.primary_ai_commits).quantize(Decimal("0.0001"))
    assert ratios.hidden == []
    share = view.total.ai_share_percent
    assert share is not None
    assert 0 < share < 100
    assert hidden.total_ratios.cost_per_accepted_ai_line_cents is None
    assert hidden.total_ratios.cost_per_ai_commit_cents is None
    assert len(hidden.total_ratios.hidden) == 2
    assert "fewer than" in hidden.total_ratios.hidden[0]
    assert view.models
    assert sum(m.accepted_composer_lines for m in view.models) <= view.total.accepted_composer_lines
    assert all(m.spend_cents >= 0 for m in view.models)
    dumped = view.model_dump(mode="json")
    assert isinstance(dumped["total"]["cost_cents"], str)


def test_a_team_without_access_says_why_it_is_empty(engine: sa.Engine, settings: Settings) -> None:
    fake = fake_for(small_team(members=4, days=20, history_days=20), ai_code_enabled=False)
    connect_and_sync(engine, settings, fake, days=20)
    with engine.connect() as conn:
        view = build_ai_code(conn, start=START, end=TODAY)
    assert view.total.commits == 0
    assert view.empty_reason is not None
    assert "AI Code Tracking" in view.empty_reason
    assert view.total.cost_cents > 0  # spend is still there, just no code to set it against
