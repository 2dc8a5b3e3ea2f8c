"""RetryPolicy maths and Retry-After parsing: pure data, no clock needed."""

from __future__ import annotations

import random

import pytest

from devspend.cursor.retry import RetryPolicy, parse_retry_after


def test_backoff_doubles_up_to_the_cap_with_bounded_jitter() -> None:
    policy = RetryPolicy(base_seconds=1.0, cap_seconds=16.0)
    rng = random.Random(3)
    for failures, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (5, 16.0), (9, 16.0)]:
        for _ in range(50):
            delay = policy.backoff_seconds(failures, rng)
            assert ceiling / 2 <= delay <= ceiling


def test_jitter_comes_from_the_injected_rng() -> None:
    policy = RetryPolicy()
    a = [policy.backoff_seconds(3, random.Random(42)) for _ in range(3)]
    assert len(set(a)) == 1
    assert policy.backoff_seconds(3, random.Random(1)) != policy.backoff_seconds(
        3, random.Random(2)
    )


def test_retry_after_wins_over_backoff_and_is_capped() -> None:
    policy = RetryPolicy(retry_after_cap_seconds=30.0)
    rng = random.Random(0)
    assert policy.delay_seconds(failures=5, retry_after=2.5, rng=rng) == 2.5
    assert policy.delay_seconds(failures=1, retry_after=0.0, rng=rng) == 0.0
    assert policy.delay_seconds(failures=1, retry_after=3600, rng=rng) == 30.0


def test_rate_limits_get_a_bigger_budget_than_errors() -> None:
    policy = RetryPolicy(max_attempts=3, max_rate_limited_attempts=20)
    assert policy.attempts_allowed(rate_limited=False) == 3
    assert policy.attempts_allowed(rate_limited=True) == 20


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_transient_statuses_are_retried(status: int) -> None:
    assert RetryPolicy().should_retry_status(status)


@pytest.mark.parametrize("status", [200, 400, 401, 403, 404, 501])
def test_other_statuses_are_not(status: int) -> None:
    assert not RetryPolicy().should_retry_status(status)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("3", 3.0), ("0.25", 0.25), (" 7 ", 7.0), ("-1", 0.0), (None, None), ("", None),
     ("Wed, 21 Oct 2015 07:28:00 GMT", None), ("nan", None)],
)  # fmt: skip
def test_retry_after_accepts_int_and_float_seconds(
    header: str | None, seconds: float | None
) -> None:
    assert parse_retry_after(header) == seconds


def test_a_policy_without_attempts_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one attempt"):
        RetryPolicy(max_attempts=0)
