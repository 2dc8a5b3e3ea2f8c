"""Exact ground-truth sums over wire events, for tests to compare a sync against.

Amounts are read back from the wire numbers (``Decimal(repr(x))`` of a float with
at most 4 decimals is exactly the amount the generator meant), so the totals are
computed from precisely what the API sends.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


def wire_decimal(value: Any) -> Decimal:
    """A JSON number from a wire dict as the exact Decimal its text denotes."""
    if value is None:
        return Decimal(0)
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


@dataclass(slots=True)
class Tally:
    """Scalar sums over a set of events."""

    events: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_write_tokens: int = 0
    cache_read_tokens: int = 0
    total_cents: Decimal = field(default_factory=Decimal)
    charged_cents: Decimal = field(default_factory=Decimal)
    """Σ ``chargedCents`` of every event that has it (included events too)."""
    chargeable_cents: Decimal = field(default_factory=Decimal)
    """Σ ``chargedCents`` of events with ``isChargeable`` true: what ``/teams/spend`` reports."""
    cursor_token_fee: Decimal = field(default_factory=Decimal)
    requests_costs: Decimal = field(default_factory=Decimal)
    max_mode_events: int = 0
    headless_events: int = 0
    origin_events: dict[str, int] = field(default_factory=dict)
    """Events per origin, each under the first of automation, service account, cloud
    agent, headless (else interactive) — what devspend's origin split must show."""
    origin_cents: dict[str, Decimal] = field(default_factory=dict)

    def add(self, event: Mapping[str, Any]) -> None:
        """Count one wire event."""
        self.events += 1
        usage = event.get("tokenUsage")
        if usage:
            self.input_tokens += usage.get("inputTokens", 0)
            self.output_tokens += usage.get("outputTokens", 0)
            self.cache_write_tokens += usage.get("cacheWriteTokens", 0)
            self.cache_read_tokens += usage.get("cacheReadTokens", 0)
            self.total_cents += wire_decimal(usage.get("totalCents"))
        charged = wire_decimal(event.get("chargedCents"))
        self.charged_cents += charged
        if event.get("isChargeable"):
            self.chargeable_cents += charged
        self.cursor_token_fee += wire_decimal(event.get("cursorTokenFee"))
        self.requests_costs += wire_decimal(event.get("requestsCosts"))
        self.max_mode_events += bool(event.get("maxMode"))
        self.headless_events += bool(event.get("isHeadless"))
        origin = _origin(event)
        self.origin_events[origin] = self.origin_events.get(origin, 0) + 1
        self.origin_cents[origin] = self.origin_cents.get(origin, Decimal(0)) + charged


def _origin(event: Mapping[str, Any]) -> str:
    for field_name, origin in (("automationId", "automation"),
                               ("serviceAccountId", "service_account"),
                               ("cloudAgentId", "cloud_agent")):  # fmt: skip
        if event.get(field_name) is not None:
            return origin
    return "headless" if event.get("isHeadless") else "interactive"


@dataclass(slots=True)
class Totals(Tally):
    """Sums over a range plus the same sums per user email, model and kind."""

    by_user: dict[str, Tally] = field(default_factory=dict)
    by_model: dict[str, Tally] = field(default_factory=dict)
    by_kind: dict[str, Tally] = field(default_factory=dict)

    def add(self, event: Mapping[str, Any]) -> None:
        """Count one wire event in the total and in its user, model and kind."""
        Tally.add(self, event)
        for groups, key in (
            (self.by_user, event["userEmail"]),
            (self.by_model, event["model"]),
            (self.by_kind, event["kind"]),
        ):
            tally = groups.get(key)
            if tally is None:
                tally = groups[key] = Tally()
            tally.add(event)


def total_events(events: Iterable[Mapping[str, Any]]) -> Totals:
    """The exact totals of some wire events."""
    totals = Totals()
    for event in events:
        totals.add(event)
    return totals


def decimal_number(value: Decimal) -> int | float:
    """An exact Decimal (at most ~15 significant digits) as a JSON number with the same text."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)
