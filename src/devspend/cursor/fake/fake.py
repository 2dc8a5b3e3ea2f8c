"""``FakeCursor``: the state of one fake Cursor Admin API (keys, limits, faults, clock, log)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import NamedTuple

import httpx

from devspend.cursor.fake.ai_code import AiCodeData
from devspend.cursor.fake.app import create_fake_app, read_routes
from devspend.cursor.fake.faults import FaultConfig, FaultInjector
from devspend.cursor.fake.ledger import CycleLedger
from devspend.cursor.fake.paging import EventPager
from devspend.cursor.fake.ratelimit import SlidingWindowLimiter
from devspend.cursor.fake.team import SyntheticTeam
from devspend.cursor.fake.transport import InProcessTransport


class LoggedRequest(NamedTuple):
    """One request the fake received; ``status`` is 0 when the connection was dropped."""

    method: str
    path: str
    status: int


class FakeCursor:
    """Everything the fake API's behaviour depends on; apps and transports share one instance.

    ``valid_keys`` and ``not_enterprise_keys`` are live sets (discard a key to revoke
    it); ``clock_ms`` is "now" for the data (defaults to the team's fixed end; nothing
    newer than it, nor than ``team.end_ms``, is returned), while ``rate_clock``
    (seconds, monotonic) paces the rate limiter. ``rate_limits`` maps endpoint names
    (``members``, ``daily-usage-data``, ``filtered-usage-events``, ``spend``,
    ``groups``, ``ai-code-commits``, ``ai-code-changes``) to requests per
    ``minute_seconds``; unnamed ones keep Cursor's documented 60 (usage events) and
    20 (the rest). ``ai_code_enabled=False`` makes the team one without AI Code
    Tracking (Enterprise, alpha): those endpoints answer ``ai_code_denial`` (403
    ``Enterprise access required``, or the 401 some servers send) while everything
    else keeps working.
    """

    def __init__(
        self,
        *,
        team: SyntheticTeam,
        valid_keys: Iterable[str] = (),
        not_enterprise_keys: Iterable[str] = (),
        minute_seconds: float = 60.0,
        rate_limits: Mapping[str, int] | None = None,
        send_retry_after: bool = True,
        faults: FaultConfig | None = None,
        clock_ms: Callable[[], int] | None = None,
        rate_clock: Callable[[], float] | None = None,
        billing_cycle_day: int = 1,
        ai_code_enabled: bool = True,
        ai_code_denial: int = 403,
        spend_offsets_cents: Mapping[str, Decimal] | None = None,
    ) -> None:
        if not 1 <= billing_cycle_day <= 28:
            raise ValueError("billing_cycle_day must be between 1 and 28")
        unknown = set(rate_limits or ()) - {route.name for route in read_routes().values()}
        if unknown:  # a misspelt name would silently leave the documented limit in place
            raise ValueError(f"rate_limits names no endpoint: {', '.join(sorted(unknown))}")
        self.team = team
        self.valid_keys: set[str] = set(valid_keys)
        self.not_enterprise_keys: set[str] = set(not_enterprise_keys)
        self.minute_seconds = minute_seconds
        self.send_retry_after = send_retry_after
        self.billing_cycle_day = billing_cycle_day
        self.spend_offsets_cents: dict[str, Decimal] = dict(spend_offsets_cents or {})
        self.limiter = SlidingWindowLimiter(
            limits=rate_limits, window_seconds=minute_seconds, clock=rate_clock or time.monotonic
        )
        self.faults = FaultInjector(faults or FaultConfig())
        self._clock_ms = clock_ms
        self.request_log: list[LoggedRequest] = []
        self.pager = EventPager(team)
        self.ledger = CycleLedger(team)
        if ai_code_denial not in (401, 403):
            raise ValueError("ai_code_denial must be 401 or 403")
        self.ai_code_enabled = ai_code_enabled
        self.ai_code_denial = ai_code_denial
        self.ai_code = AiCodeData(team)

    def set_faults(self, config: FaultConfig) -> None:
        """Replace the fault injection (e.g. start a 5xx burst mid-test)."""
        self.faults = FaultInjector(config)

    def now_ms(self) -> int:
        """The API's "now": nothing newer is returned."""
        return self._clock_ms() if self._clock_ms is not None else self.team.end_ms

    def log(self, method: str, path: str, status: int) -> None:
        """Record a request for assertions."""
        self.request_log.append(LoggedRequest(method, path, status))

    def transport(self) -> httpx.BaseTransport:
        """A synchronous in-process httpx transport to this fake (close it when done)."""
        return InProcessTransport(create_fake_app(self))
