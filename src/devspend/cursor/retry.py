"""When and how long to retry a Cursor call: a policy as plain data, with the backoff maths.

Cursor asks for exponential backoff of 1–16 s on 429 and 5xx. The delay for attempt
``n`` (1-based count of failures so far) is ``min(cap, base * 2**(n-1))`` with
"equal jitter" (half fixed, half random) so many clients do not retry in step.
When Cursor sends ``Retry-After`` on a 429 we wait exactly that long (capped),
because it knows better than our guess.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import httpx

RETRY_STATUSES: frozenset[int] = frozenset({429, 500, 502, 503, 504})

# Network failures that are worth another try: the request may simply not have arrived.
RETRYABLE_EXCEPTIONS: tuple[type[Exception], ...] = (
    httpx.TimeoutException,
    httpx.RemoteProtocolError,
    httpx.ReadError,
    httpx.WriteError,
    httpx.ConnectError,
)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How persistent the client is.

    ``max_attempts`` bounds calls that fail with 5xx or network errors;
    ``max_rate_limited_attempts`` is larger because a 429 only means "later":
    a backfill should ride out a rate-limit storm rather than give up.
    """

    max_attempts: int = 6
    max_rate_limited_attempts: int = 30
    base_seconds: float = 1.0
    cap_seconds: float = 16.0
    retry_after_cap_seconds: float = 120.0
    retry_statuses: frozenset[int] = field(default=RETRY_STATUSES)

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.max_rate_limited_attempts < 1:
            raise ValueError("a retry policy needs at least one attempt")
        if self.base_seconds < 0 or self.cap_seconds < 0 or self.retry_after_cap_seconds < 0:
            raise ValueError("retry delays cannot be negative")

    def should_retry_status(self, status: int) -> bool:
        return status in self.retry_statuses

    def attempts_allowed(self, *, rate_limited: bool) -> int:
        """How many attempts a call may make, given the kind of its latest failure."""
        return self.max_rate_limited_attempts if rate_limited else self.max_attempts

    def backoff_seconds(self, failures: int, rng: random.Random) -> float:
        """Capped exponential backoff with equal jitter after ``failures`` failed attempts."""
        ceiling = min(self.cap_seconds, self.base_seconds * 2.0 ** max(failures - 1, 0))
        return ceiling / 2 + rng.uniform(0, ceiling / 2)

    def delay_seconds(
        self, *, failures: int, retry_after: float | None, rng: random.Random
    ) -> float:
        """The wait before the next attempt: ``Retry-After`` when given, else backoff."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.retry_after_cap_seconds)
        return self.backoff_seconds(failures, rng)


def parse_retry_after(value: str | None) -> float | None:
    """``Retry-After`` in seconds (integer or decimal); ``None`` when absent or an HTTP date."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None  # an HTTP-date: rare, and our own backoff is a fine substitute
    if seconds != seconds or seconds in (float("inf"), float("-inf")):
        return None
    return max(seconds, 0.0)
