"""What the synthetic team uses: Cursor's models with their token prices, and event kinds.

Prices are kept as integers so that generating millions of events stays exact and
fast: a price is in tenths of a cent per million tokens, and an amount is in
"units" of 1/10,000 of a cent (so every amount has at most 4 decimal places).
"""

from __future__ import annotations

from dataclasses import dataclass

UNITS_PER_CENT = 10_000
"""An amount of ``n`` units is ``n / 10_000`` cents."""

KIND_USAGE_BASED = "Usage-based"
KIND_INCLUDED = "Included in Business"
KIND_ERRORED = "Errored, Not Charged"
KIND_UNSEEN = "Free Credit (Promotional)"
"""A kind no client has seen before: it must be stored and shown, never dropped."""

FEE_PRICE_TENTHS = 250
"""Cursor's token fee (tenths of a cent per million tokens of any type)."""

REQUEST_PRICE_UNITS_PER_TENTH = 4_000
"""A request-based event costs 4 cents per request unit, i.e. 4,000 units per 0.1 request."""


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """One model: its popularity, prices and how its events usually look."""

    name: str
    weight: float
    input_price: int
    output_price: int
    cache_write_price: int
    cache_read_price: int
    request_tenths: int
    """``requestsCosts`` of a token-based event, in tenths of a request unit."""
    max_mode_rate: float
    token_based_rate: float
    output_scale: float


MODELS: tuple[ModelSpec, ...] = (
    ModelSpec("claude-4.5-sonnet", 28, 3000, 15000, 3750, 300, 10, 0.06, 0.92, 1.0),
    ModelSpec("claude-4.5-sonnet-thinking", 10, 3000, 15000, 3750, 300, 20, 0.10, 0.95, 1.8),
    ModelSpec("claude-4.1-opus", 3, 15000, 75000, 18750, 1500, 50, 0.25, 0.97, 1.2),
    ModelSpec("gpt-5", 12, 1250, 10000, 1250, 125, 10, 0.05, 0.92, 1.1),
    ModelSpec("gpt-5-codex", 8, 1250, 10000, 1250, 125, 10, 0.04, 0.95, 1.3),
    ModelSpec("gpt-5-high", 4, 1250, 10000, 1250, 125, 20, 0.12, 0.95, 2.5),
    ModelSpec("composer-1", 12, 1250, 10000, 1250, 125, 10, 0.0, 0.85, 0.9),
    ModelSpec("default", 14, 1250, 6000, 1250, 250, 10, 0.0, 0.80, 0.8),
    ModelSpec("gemini-2.5-pro", 4, 1250, 10000, 1250, 310, 10, 0.08, 0.93, 1.0),
    ModelSpec("grok-code-fast-1", 4, 200, 1500, 200, 20, 5, 0.0, 0.90, 0.7),
    ModelSpec("o3", 1, 2000, 8000, 2000, 500, 10, 0.15, 0.93, 1.5),
)

REQUEST_BASED_TENTHS: tuple[int, ...] = (5, 10, 10, 10, 14, 20)
"""``requestsCosts`` of request-based events (tenths): 0.5, 1, 1.4, 2 — fractional on purpose."""
