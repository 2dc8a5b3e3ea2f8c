"""The money vocabulary: six words, defined once, used on every page, key, header and column.

``docs/money.md`` says the same at length; the ``/glossary`` page renders :data:`GLOSSARY`.
The JSON key of each word is its ``key``; older keys (``charged_cents``, …) keep their
meaning for scripts.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Term:
    """One money word: what faces call it, its JSON key, and what it means."""

    name: str
    key: str
    definition: str
    source: str
    """Where the figure comes from (API fields, settings)."""


GLOSSARY: tuple[Term, ...] = (
    Term("usage value", "usage_value_cents",
         "What the usage is worth at Cursor's rates, included in the plan or not.",
         "Σ chargedCents of all usage events"),
    Term("on-demand", "on_demand_cents",
         "What Cursor bills beyond the plan (usage-based).",
         "Σ chargedCents of chargeable events (isChargeable)"),
    Term("included", "included_cents",
         "Usage covered by the seats: usage value − on-demand.",
         "usage value − on-demand"),
    Term("model cost", "model_cost_cents",
         "The tokens' list cost before Cursor's fee.",
         "Σ tokenUsage.totalCents"),
    Term("seats", "seat_cents",
         "Seat price × seats for the period, prorated by day within each billing cycle.",
         "the integration's seat price (Settings → Integrations) × members active in the cycle"),
    Term("cost", "cost_cents",
         "What the company pays: seats + on-demand. The headline figure.",
         "seats + on-demand"),
)  # fmt: skip
