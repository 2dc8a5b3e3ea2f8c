"""One usage event as the API sends it, drawn from a member's profile.

This is the hot path of the generator (millions of calls for benchmark teams), so
it uses table lookups instead of distribution functions, integer amounts (units of
1/10,000 cent) and as few calls as possible.
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from statistics import NormalDist
from typing import Any

from devspend.cursor.fake.catalog import (
    FEE_PRICE_TENTHS,
    KIND_ERRORED,
    KIND_INCLUDED,
    KIND_UNSEEN,
    KIND_USAGE_BASED,
    REQUEST_BASED_TENTHS,
    REQUEST_PRICE_UNITS_PER_TENTH,
    UNITS_PER_CENT,
)
from devspend.cursor.fake.members import MemberProfile

QUANTILES = 4096
STANDARD_NORMAL = tuple(NormalDist().inv_cdf((i + 0.5) / QUANTILES) for i in range(QUANTILES))
"""Quantiles of N(0, 1): ``STANDARD_NORMAL[int(u * QUANTILES)]`` is a normal draw."""


def _lognormal_table(mu: float, sigma: float) -> tuple[float, ...]:
    return tuple(math.exp(mu + sigma * z) for z in STANDARD_NORMAL)


_INPUT_TOKENS = _lognormal_table(7.8, 1.0)
_OUTPUT_TOKENS = _lognormal_table(6.4, 1.0)
_CACHE_READ_RATIO = _lognormal_table(2.5, 0.6)
_CACHE_WRITE_TOKENS = _lognormal_table(8.2, 1.0)
_REQUEST_CHOICES = len(REQUEST_BASED_TENTHS)


def amount(units: int) -> int | float:
    """Units of 1/10,000 cent as a JSON number of cents (exact: at most 4 decimals)."""
    if units % UNITS_PER_CENT == 0:
        return units // UNITS_PER_CENT
    return units / UNITS_PER_CENT


def tenths(value: int) -> int | float:
    """Tenths of a request unit as a JSON number."""
    return value // 10 if value % 10 == 0 else value / 10


def wire_event(
    rng: random.Random, profile: MemberProfile, ts: int
) -> tuple[dict[str, Any], int | None]:
    """One wire event, and a lower earlier ``chargedCents`` (units) should it be revised."""
    rand = rng.random
    cumulative = profile.model_cumulative
    spec = profile.models[bisect(cumulative, rand() * cumulative[-1])]
    max_mode = rand() < spec.max_mode_rate
    roll = rand()
    if roll < 0.04:
        kind = KIND_ERRORED
    elif roll < 0.045:
        kind = KIND_UNSEEN
    elif roll < 0.045 + profile.usage_based_share:
        kind = KIND_USAGE_BASED
    else:
        kind = KIND_INCLUDED
    usage_based = kind is KIND_USAGE_BASED
    token_based = rand() < spec.token_based_rate
    event: dict[str, Any] = {
        "timestamp": str(ts),
        "userEmail": profile.email,
        "model": spec.name,
        "kind": kind,
        "maxMode": max_mode,
    }
    fee = 0
    usage: dict[str, Any] | None = None
    if token_based:
        inp = int(_INPUT_TOKENS[int(rand() * QUANTILES)])
        out = int(spec.output_scale * _OUTPUT_TOKENS[int(rand() * QUANTILES)])
        cache_read = int(inp * _CACHE_READ_RATIO[int(rand() * QUANTILES)])
        cache_write = 0 if rand() < 0.3 else int(_CACHE_WRITE_TOKENS[int(rand() * QUANTILES)])
        units = (
            inp * spec.input_price
            + out * spec.output_price
            + cache_write * spec.cache_write_price
            + cache_read * spec.cache_read_price
        ) // 1000
        if max_mode:
            units = units * 6 // 5
        requests = spec.request_tenths * 2 if max_mode else spec.request_tenths
        usage = {
            "inputTokens": inp,
            "outputTokens": out,
            "cacheWriteTokens": cache_write,
            "cacheReadTokens": cache_read,
            "totalCents": amount(units),
        }
        if rand() < 0.01:
            usage["discountPercentOff"] = 10
        if usage_based and rand() < 0.35:
            fee = (inp + out + cache_write + cache_read) * FEE_PRICE_TENTHS // 1000
    else:
        requests = REQUEST_BASED_TENTHS[int(rand() * _REQUEST_CHOICES)]
        units = requests * REQUEST_PRICE_UNITS_PER_TENTH
    event["requestsCosts"] = requests // 10 if requests % 10 == 0 else requests / 10
    event["isTokenBasedCall"] = token_based
    charged: int | None
    if usage_based:
        charged = units + fee
    elif kind is KIND_INCLUDED:
        charged = units if rand() < 0.8 else None
    elif kind is KIND_ERRORED:
        charged = 0 if rand() < 0.5 else None
    else:
        charged = 0
    if kind is not KIND_ERRORED or rand() < 0.5:
        event["isChargeable"] = usage_based
    if rand() < 0.97:
        event["isHeadless"] = rand() < 0.05
    if rand() < 0.85:
        h = "%032x" % rng.getrandbits(128)  # noqa: UP031 - the fastest formatting here
        event["conversationId"] = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
    if usage is not None:
        event["tokenUsage"] = usage
    if charged is not None:
        event["chargedCents"] = amount(charged)
    if fee:
        event["cursorTokenFee"] = amount(fee)
    if rand() < 0.01:
        _add_unknown_field(rng, event)
    return event, (charged * 3 // 5 if usage_based and charged else None)


def _add_unknown_field(rng: random.Random, event: dict[str, Any]) -> None:
    """Fields devspend has never seen, as newer API versions add them."""
    choice = rng.randrange(4)
    if choice == 0:
        event["serviceAccountId"] = f"sa_{rng.getrandbits(40):010x}"
        event["serviceAccountName"] = "ci-bot"
    elif choice == 1:
        event["cloudAgentId"] = f"bc_{rng.getrandbits(40):010x}"
    elif choice == 2:
        event["automationId"] = f"auto_{rng.getrandbits(32):08x}"
    else:
        event["experimentalBucket"] = {"name": "fast-lane", "variant": rng.randrange(3)}
