"""Seeded fault injection: random 500/502s, slow responses and dropped connections.

Each request draws the same number of random numbers, so a given seed and request
sequence always produce the same faults (a test can reproduce a failure exactly).
A ``script`` plays exact faults first (e.g. a burst of 5xx), then the rates apply.
"""

from __future__ import annotations

import random
import threading
from collections import deque
from dataclasses import dataclass

ScriptStep = int | str | None
"""A scripted fault: ``500``, ``502``, ``429``, ``"drop"``, ``"slow"`` or ``None`` (no fault)."""


@dataclass(frozen=True, slots=True)
class FaultConfig:
    """How often each fault happens (rates are probabilities per request)."""

    seed: int = 1
    error_rate: float = 0.0
    drop_rate: float = 0.0
    slow_rate: float = 0.0
    slow_seconds: float = 0.0
    script: tuple[ScriptStep, ...] = ()
    """Faults for the first requests, in order, before the random ones start."""


@dataclass(frozen=True, slots=True)
class FaultPlan:
    """What to do to one request."""

    status: int | None = None
    """500, 502 (or a scripted 429) instead of the real answer."""
    drop: bool = False
    """Close the connection without a complete response."""
    delay_seconds: float = 0.0


class FaultInjector:
    """Draws a :class:`FaultPlan` per request from a seeded RNG."""

    def __init__(self, config: FaultConfig) -> None:
        self.config = config
        self._rng = random.Random(config.seed)
        self._script = deque(config.script)
        self._lock = threading.Lock()

    def next_plan(self) -> FaultPlan:
        """The fault (possibly none) for the next request."""
        cfg = self.config
        with self._lock:
            if self._script:
                return _scripted(self._script.popleft(), cfg.slow_seconds)
            roll, which, slow = self._rng.random(), self._rng.random(), self._rng.random()
        delay = cfg.slow_seconds if slow < cfg.slow_rate else 0.0
        if roll < cfg.error_rate:
            return FaultPlan(status=500 if which < 0.7 else 502, delay_seconds=delay)
        if roll < cfg.error_rate + cfg.drop_rate:
            return FaultPlan(drop=True, delay_seconds=delay)
        return FaultPlan(delay_seconds=delay)


def _scripted(step: ScriptStep, slow_seconds: float) -> FaultPlan:
    if step is None:
        return FaultPlan()
    if step == "drop":
        return FaultPlan(drop=True)
    if step == "slow":
        return FaultPlan(delay_seconds=slow_seconds)
    if step in (429, 500, 502):
        return FaultPlan(status=int(step))
    raise ValueError(f"unknown scripted fault {step!r}")
