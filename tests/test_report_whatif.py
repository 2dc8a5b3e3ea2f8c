"""What-if re-pricing: token sums and charges from the events, list prices from genai-prices."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from devspend.reports.prices import price_refs, unit_prices
from devspend.reports.whatif import build_suggestions, build_whatif
from devspend.settings import Settings
from sync_helpers import END_MS, connect_and_sync, fake_for, small_team

TODAY = date(2026, 11, 20)
START = TODAY - timedelta(days=29)


def _events(fake: object, model: str, max_mode: bool | None = None) -> list[dict[str, object]]:
    lo = int(datetime(START.year, START.month, START.day, tzinfo=UTC).timestamp() * 1000)
    found = []
    for e in fake.team.iter_events(start_ms=lo, end_ms=END_MS):  # type: ignore[attr-defined]
        if e["model"] == model and e.get("isTokenBasedCall") and (
            max_mode is None or bool(e.get("maxMode")) is max_mode
        ):
            found.append(e)
    return found


def _tokens(events: list[dict[str, object]]) -> dict[str, int]:
    keys = {"input_tokens": "inputTokens", "output_tokens": "outputTokens",
            "cache_write_tokens": "cacheWriteTokens", "cache_read_tokens": "cacheReadTokens"}
    return {ours: sum(int(e["tokenUsage"].get(theirs, 0)) for e in events)  # type: ignore[union-attr]
            for ours, theirs in keys.items()}  # fmt: skip


def test_repricing_uses_the_events_tokens_and_observed_markups(
    engine: sa.Engine, settings: Settings
) -> None:
    fake = fake_for(small_team(members=8, days=40, history_days=40))
    connect_and_sync(engine, settings, fake, days=40)
    with engine.connect() as conn:
        view = build_whatif(conn, start=START, end=TODAY, from_model="claude-4.1-opus",
                            to_model="claude-4.5-sonnet", max_mode=True)  # fmt: skip
        unknown = build_whatif(conn, start=START, end=TODAY, from_model="claude-4.5-sonnet",
                               to_model="composer-1")  # fmt: skip
        suggestions = build_suggestions(conn, start=START, end=TODAY)
    r = view.result
    events = _events(fake, "claude-4.1-opus", max_mode=True)
    assert r.token_events == len(events) > 0
    assert {k: getattr(r, k) for k in _tokens(events)} == _tokens(events)
    assert r.actual_cents == sum(Decimal(str(e.get("chargedCents", 0))) for e in events)
    sonnet = _events(fake, "claude-4.5-sonnet")
    listed = unit_prices("claude-4.5-sonnet").cents(**_tokens(sonnet))  # type: ignore[union-attr]
    markup = (sum(Decimal(str(e.get("chargedCents", 0))) for e in sonnet) / listed).quantize(
        Decimal("0.0001"))
    assert r.to_markup == markup
    assert r.markup_source == "claude-4.5-sonnet"
    to_list = unit_prices("claude-4.5-sonnet").cents(**_tokens(events))  # type: ignore[union-attr]
    assert r.repriced_cents == (to_list * markup).quantize(Decimal("0.0001"))
    assert r.saving_cents == r.actual_cents - r.repriced_cents
    assert r.saving_cents > 0  # opus is dearer than sonnet
    assert unknown.result.repriced_cents is None
    assert unknown.result.saving_cents is None
    assert unknown.result.priced_as["composer-1"] is None
    assert "composer-1" in suggestions.unknown_models
    assert suggestions.rows
    savings = [s.saving_cents for s in suggestions.rows]
    assert savings == sorted(savings, reverse=True)  # type: ignore[type-var]
    assert Decimal(view.model_dump(mode="json")["result"]["saving_cents"]) == r.saving_cents


def test_cursor_names_map_to_genai_prices_names() -> None:
    assert price_refs("claude-4.5-sonnet-thinking")[-1] == "claude-sonnet-4-5"
    assert unit_prices("gpt-5-high") == unit_prices("gpt-5")
    assert unit_prices("composer-1") is None
    assert unit_prices("default") is None
