"""Where the requests came from — a person in the editor, a headless run (CLI), a cloud
agent, a service account's key or an automation — as shares of one period's usage.

Each event counts under one origin only (``store.origins``), so the rows add up to the
period's events and usage value.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel

from devspend.money import Money
from devspend.store.usage import Usage

LABELS = {
    "interactive": "Interactive (in the editor)", "headless": "Headless (CLI, no editor)",
    "cloud_agent": "Cloud / background agent", "service_account": "Service account",
    "automation": "Automation",
}  # fmt: skip


class OriginShare(BaseModel):
    origin: str
    label: str
    events: int
    charged_cents: Money
    share_percent: Decimal | None


def origin_shares(usage: Usage) -> list[OriginShare]:
    """One row per origin (interactive first), with its share of the usage value."""
    total = usage.charged_cents
    return [
        OriginShare(origin=name, label=LABELS[name], events=events, charged_cents=cents,
                    share_percent=(cents * 100 / total).quantize(Decimal("0.1")) if total
                    else None)
        for name, events, cents in usage.by_origin()
    ]  # fmt: skip
