"""CursorClient: the one door to Cursor's Admin API — read-only, paced, patient, key-safe.

* Auth is HTTP Basic with the key as username and an empty password.
* Only the five read endpoints in :data:`READ_ENDPOINTS` can be called; anything
  else is refused before a byte leaves the process (devspend never writes to Cursor).
* Each endpoint in :data:`ENDPOINTS` has its own :class:`~devspend.cursor.pacing.Pacer` at its
  own limit: bursts when there is budget, the limit on long backfills, never a 429.
* 429, 5xx, timeouts and dropped connections are retried per :class:`RetryPolicy`;
  401/403/400 become the matching :mod:`devspend.errors` classes at once.
* The key never appears in messages, logs or ``repr``.
"""

from __future__ import annotations

import base64
import logging
import math
import random
import threading
from collections import Counter
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

import httpx

from devspend.cursor.clock import Clock, SystemClock
from devspend.cursor.pacing import Pacer
from devspend.cursor.retry import RETRYABLE_EXCEPTIONS, RetryPolicy, parse_retry_after
from devspend.cursor.schemas import decode_json
from devspend.errors import (
    CursorAuthError,
    CursorError,
    CursorPlanError,
    CursorProtocolError,
    CursorRequestError,
    CursorUnavailableError,
)
from devspend.settings import Settings

__all__ = [
    "AI_CODE_CHANGES_PATH",
    "AI_CODE_COMMITS_PATH",
    "ENDPOINTS",
    "EVENTS_PATH",
    "READ_ENDPOINTS",
    "ClientStats",
    "Clock",
    "Conditional",
    "CursorClient",
    "Endpoint",
    "RetryPolicy",
    "SystemClock",
]

log = logging.getLogger(__name__)

MEMBERS_PATH = "/teams/members"
DAILY_USAGE_PATH = "/teams/daily-usage-data"
EVENTS_PATH = "/teams/filtered-usage-events"
SPEND_PATH = "/teams/spend"
GROUPS_PATH = "/teams/groups"
# AI Code Tracking (Enterprise, alpha): 20/min each, ETag + If-None-Match → 304 for free
AI_CODE_COMMITS_PATH = "/analytics/ai-code/commits"
AI_CODE_CHANGES_PATH = "/analytics/ai-code/changes"


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One read endpoint and its own rate limit (Cursor limits each endpoint separately).

    ``events_limit`` marks the endpoints paced by ``events_rpm`` (Cursor documents
    60/min for usage events); every other endpoint is paced by ``rpm`` (20/min).
    """

    method: str
    path: str
    events_limit: bool = False


# Everything devspend may ever ask of Cursor. All are reads, even the POSTs. Adding an
# endpoint is one line here: it gets its own pacer, so its limit is its own.
ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("GET", MEMBERS_PATH),
    Endpoint("POST", DAILY_USAGE_PATH),
    Endpoint("POST", EVENTS_PATH, events_limit=True),
    Endpoint("POST", SPEND_PATH),
    Endpoint("GET", GROUPS_PATH),
    Endpoint("GET", AI_CODE_COMMITS_PATH),
    Endpoint("GET", AI_CODE_CHANGES_PATH),
)
READ_ENDPOINTS: frozenset[tuple[str, str]] = frozenset((e.method, e.path) for e in ENDPOINTS)
PACING_HEADROOM = 0.02  # see devspend.cursor.pacing: latency wobble vs sliding windows
# A fresh client's first minute leaves this share of each limit to the client before it
# (``connect`` then ``sync``): see devspend.cursor.pacing.
PACING_RESERVE = 0.25
USER_AGENT = "devspend (read-only Cursor Admin API client)"


@dataclass(slots=True)
class ClientStats:
    """What the client did, for benchmarks, logs and tests: per-path counters."""

    sent: Counter[str] = field(default_factory=Counter)
    ok: Counter[str] = field(default_factory=Counter)
    rate_limited: Counter[str] = field(default_factory=Counter)
    retried: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    not_modified: Counter[str] = field(default_factory=Counter)
    paced_seconds: float = 0.0
    backoff_seconds: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def count(self, kind: str, path: str, *, seconds: float = 0.0) -> None:
        """Bump one counter (``sent``, ``ok``, ...); several lanes share one client."""
        with self._lock:
            counter: Counter[str] = getattr(self, kind)
            counter[path] += 1
            if kind == "sent":
                self.paced_seconds += seconds
            elif kind == "retried":
                self.backoff_seconds += seconds


@dataclass(frozen=True, slots=True)
class Conditional:
    """A conditional GET's answer: the body (``None`` on 304 Not Modified) and the ETag."""

    body: Any
    etag: str | None

    @property
    def not_modified(self) -> bool:
        return self.body is None


class CursorClient:
    """A synchronous client for Cursor's read endpoints; use it as a context manager."""

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str = "https://api.cursor.com",
        transport: httpx.BaseTransport | None = None,
        rpm: float = 20.0,
        events_rpm: float = 60.0,
        retry: RetryPolicy | None = None,
        clock: Clock | None = None,
        timeout: float = 30.0,
        rng: random.Random | None = None,
        minute_seconds: float = 60.0,
    ) -> None:
        """``minute_seconds`` is the rate-limit minute (shorter only against a compressed fake)."""
        if not api_key:
            raise ValueError("an API key is required")
        # The key as typed and as it travels (Basic auth): neither may leave in a message.
        self._secrets = (api_key, base64.b64encode(f"{api_key}:".encode()).decode())
        self.base_url = base_url.rstrip("/")
        self.retry = retry or RetryPolicy()
        self.clock: Clock = clock or SystemClock()
        self.stats = ClientStats()
        self._rng = rng or random.Random()
        self._rpm = {e.path: events_rpm if e.events_limit else rpm for e in ENDPOINTS}
        self._pacers = {
            path: Pacer(rpm=limit, clock=self.clock, headroom=PACING_HEADROOM,
                        minute_seconds=minute_seconds,
                        reserve=math.ceil(limit * PACING_RESERVE) if limit < 1e6 else 0)
            for path, limit in self._rpm.items()
        }  # fmt: skip
        self.minute_seconds = minute_seconds
        self._http = httpx.Client(
            base_url=self.base_url,
            auth=httpx.BasicAuth(api_key, ""),
            transport=transport,
            timeout=httpx.Timeout(timeout),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        )

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        api_key: str,
        transport: httpx.BaseTransport | None = None,
        clock: Clock | None = None,
        retry: RetryPolicy | None = None,
    ) -> CursorClient:
        """A client with the base URL, pacing limits and timeout the settings ask for."""
        return cls(
            api_key=api_key,
            base_url=settings.cursor_base_url,
            transport=transport,
            rpm=settings.cursor_rpm,
            events_rpm=settings.cursor_events_rpm,
            retry=retry,
            clock=clock,
            timeout=settings.cursor_timeout_seconds,
        )

    def rpm_for(self, path: str) -> float:
        """The requests per minute this client paces ``path`` to."""
        return self._rpm[path]

    def __repr__(self) -> str:
        return f"CursorClient(base_url={self.base_url!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _scrub(self, text: str) -> str:
        """Belt and braces: whatever a server echoes back, the key never gets out."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def get(self, path: str, *, params: dict[str, str] | None = None) -> Any:
        """GET a read endpoint and return its decoded JSON body."""
        return self.request("GET", path, params=params)

    def get_conditional(
        self, path: str, *, params: dict[str, str] | None = None, etag: str | None = None
    ) -> Conditional:
        """GET with ``If-None-Match``: a 304 (which Cursor does not count against the
        rate limit) comes back as ``body=None``, so unchanged data is never re-read."""
        headers = {"If-None-Match": etag} if etag else None
        response = self._send("GET", path, params=params, headers=headers)
        etag_out = response.headers.get("ETag") or (etag if response.status_code == 304 else None)
        if response.status_code == 304:  # only ever returned when an ETag was sent
            return Conditional(body=None, etag=etag_out)
        return Conditional(body=decode_json(response.content), etag=etag_out)

    def post(self, path: str, *, body: dict[str, Any]) -> Any:
        """POST a read endpoint (Cursor reads with POST bodies) and return its JSON body."""
        return self.request("POST", path, body=body)

    def post_raw(self, path: str, *, body: dict[str, Any]) -> bytes:
        """POST a read endpoint and return the body's bytes undecoded (the caller keeps
        slices of them: see :mod:`devspend.cursor.event_page`)."""
        return self._send("POST", path, body=body).content

    def request(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
    ) -> Any:
        """One logical call: paced, retried, and mapped to devspend's error tree."""
        return decode_json(self._send(method, path, body=body, params=params).content)

    def _send(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """The retry loop; returns the 200 (or, for a conditional GET, 304) response."""
        method = method.upper()
        if (method, path) not in READ_ENDPOINTS:
            raise CursorRequestError(
                f"devspend refused to call {method} {path}: it only reads from Cursor "
                "(this is a bug in devspend)",
                endpoint=path,
            )
        failures: Counter[bool] = Counter()  # failed attempts, by "was it a 429?"
        pacer = self._pacers[path]
        while True:
            try:
                with pacer.slot() as waited:
                    self.stats.count("sent", path, seconds=waited)
                    response = self._http.request(
                        method, path, json=body, params=params, headers=headers
                    )
            except RETRYABLE_EXCEPTIONS as exc:
                reason = f"{type(exc).__name__}: {self._scrub(str(exc)) or 'no detail'}"
                self._wait_or_give_up(
                    path, failures, rate_limited=False, reason=reason, retry_after=None
                )
                continue
            status = response.status_code
            if status == 200:
                self.stats.count("ok", path)
                return response
            if status == 304 and headers is not None:
                self.stats.count("not_modified", path)
                return response
            if not self.retry.should_retry_status(status):
                self.stats.count("failed", path)
                raise self._error_for(response, path)
            self._wait_or_give_up(
                path,
                failures,
                rate_limited=status == 429,
                reason=f"HTTP {status} {self._cursor_message(response)}".rstrip(),
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
            )

    def _wait_or_give_up(
        self,
        path: str,
        failures: Counter[bool],
        *,
        rate_limited: bool,
        reason: str,
        retry_after: float | None,
    ) -> None:
        """Count a failed attempt, then sleep before the next or raise if out of budget.

        429s and other failures have separate budgets: a 429 only means "later", so a
        backfill rides out a rate-limit storm that would exhaust the error budget.
        """
        failures[rate_limited] += 1
        if rate_limited:
            self.stats.count("rate_limited", path)
        attempts = failures.total()
        if failures[rate_limited] >= self.retry.attempts_allowed(rate_limited=rate_limited):
            self.stats.count("failed", path)
            raise CursorUnavailableError(
                f"Cursor's {path} did not answer after {attempts} attempts; "
                f"last reason: {reason}. Try again later.",
                endpoint=path,
            )
        delay = self.retry.delay_seconds(failures=attempts, retry_after=retry_after, rng=self._rng)
        log.warning(
            "Cursor %s: %s; retrying in %.2f s (attempt %d)", path, reason, delay, attempts + 1
        )
        self.stats.count("retried", path, seconds=delay)
        if rate_limited:
            self._pacers[path].slow_down()  # Cursor just said "slower": no bursts for a while
        self.clock.sleep(delay)

    def _cursor_message(self, response: httpx.Response) -> str:
        """Cursor's own words from an error body (``message``, else ``error``), key-scrubbed."""
        try:
            body = decode_json(response.content)
        except CursorProtocolError:
            return self._scrub(response.text[:200])
        if isinstance(body, dict):
            text = body.get("message") or body.get("error") or ""
            return self._scrub(str(text)[:500])
        return ""

    def _error_for(self, response: httpx.Response, path: str) -> CursorError:
        status = response.status_code
        said = self._cursor_message(response)
        if status == 401:
            return CursorAuthError(endpoint=path)
        if status == 403:
            return CursorPlanError(endpoint=path)
        if status == 400:
            return CursorRequestError(
                f"Cursor refused devspend's request to {path} (400: {said or 'no message'}). "
                "This is a bug in devspend; please report it.",
                endpoint=path,
            )
        if status == 404:
            return CursorRequestError(
                f"Cursor has no {path} at {self.base_url} (404). Check "
                "DEVSPEND_CURSOR_BASE_URL, or the team's plan may not offer this endpoint.",
                endpoint=path,
            )
        return CursorProtocolError(
            f"Cursor answered {path} with unexpected HTTP {status}: {said or 'no message'}",
            endpoint=path,
        )
