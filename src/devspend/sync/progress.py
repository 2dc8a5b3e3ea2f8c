"""Progress reports a sync sends to whoever watches it (Rich bar, JSON lines, web page)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class SyncProgress:
    """A snapshot of a running sync.

    ``phase`` is one of ``members``, ``events``, ``daily_usage``, ``spend``, ``groups``,
    ``done``. Days are the unit of event progress because window sizes adapt to the
    team's density; ``eta_seconds`` extrapolates the rate of days fetched so far.
    """

    integration_id: int
    phase: str
    days_done: int
    days_total: int
    events: int
    windows: int
    window_start_ms: int | None = None
    window_end_ms: int | None = None
    eta_seconds: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


ProgressCallback = Callable[[SyncProgress], None]
