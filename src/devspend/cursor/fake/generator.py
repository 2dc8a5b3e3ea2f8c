"""Events of one member on one UTC day, drawn from ``(seed, member, day)`` alone.

Because nothing depends on other days, any range can be generated on demand and a
year of a 2,000-member team never has to sit in memory. The day's event count
comes from a hash of the key, so days without events cost no RNG seeding.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

from devspend.cursor.fake.members import DAY_MS, HOUR_MS, MemberProfile, weekday_factor
from devspend.cursor.fake.wire_event import QUANTILES, STANDARD_NORMAL, amount, wire_event

BOUNDARY_RATE = 0.04
"""Share of active member-days with an event at exactly 00:00:00.000 (and, apart, 23:59:59.999)."""
WORKING_DAY_MS = 9 * HOUR_MS
MAX_DELAY_MS = 6 * HOUR_MS
"""Late events appear, and revised ones settle, at most this long after their timestamp."""
_MASK64 = (1 << 64) - 1


@dataclass(frozen=True, slots=True)
class Lateness:
    """How a late or revised event shows over time."""

    visible_ms: int
    """When the API starts returning it (after its timestamp for late events)."""
    revised_ms: int
    """Until when the API shows ``early`` instead of the final form (0: never revised)."""
    early: dict[str, Any] | None

    def form(self, final: dict[str, Any], as_of_ms: int | None) -> dict[str, Any] | None:
        """The event as shown at ``as_of_ms`` (None: not yet visible; no moment: final)."""
        if as_of_ms is None:
            return final
        if self.visible_ms > as_of_ms:
            return None
        if self.early is not None and as_of_ms < self.revised_ms:
            return self.early
        return final


Generated = tuple[int, dict[str, Any], Lateness | None]
"""``(timestamp_ms, wire event, lateness)``; a plain tuple because there are millions."""


@dataclass(frozen=True, slots=True)
class GenerationParams:
    """Team-wide knobs shared by every member-day."""

    seed: int
    data_start_ms: int
    end_ms: int
    events_per_member_day: float
    duplicate_rate: float
    late_rate: float


def member_day(params: GenerationParams, profile: MemberProfile, day: int) -> list[Generated]:
    """The member's events on UTC day ``day`` (days since the epoch), oldest first."""
    day_start = day * DAY_MS
    day_end = day_start + DAY_MS - 1
    lo = max(day_start, profile.join_ms, params.data_start_ms)
    hi = min(day_end, params.end_ms)
    if profile.removed_ms is not None:
        hi = min(hi, profile.removed_ms - 1)
    if lo > hi:
        return []
    key = (params.seed * 1_000_003 + profile.index) * 1_000_033 + day
    mean = params.events_per_member_day * profile.rate * weekday_factor(day)
    count = _poisson(_unit(key), mean)
    if count == 0:
        return []
    rng = random.Random(key)
    rand = rng.random
    work_start = day_start + profile.work_start_ms
    span = hi - lo + 1
    times = []
    for _ in range(count):
        ts = work_start + int(rand() * WORKING_DAY_MS) if rand() < 0.75 else -1
        times.append(ts if lo <= ts <= hi else lo + int(rand() * span))
    times.sort()
    if rand() < BOUNDARY_RATE and lo == day_start:
        times[0] = day_start
    if rand() < BOUNDARY_RATE and hi == day_end:
        times[-1] = day_end
    late_rate, duplicate_rate = params.late_rate, params.duplicate_rate
    out: list[Generated] = []
    for ts in times:
        wire, early_charged = wire_event(rng, profile, ts)
        late = _lateness(rng, ts, wire, early_charged) if late_rate and rand() < late_rate else None
        out.append((ts, wire, late))
        if duplicate_rate and rand() < duplicate_rate:
            out.append((ts, dict(wire), late))
    return out


def _lateness(
    rng: random.Random, ts: int, wire: dict[str, Any], early_charged: int | None
) -> Lateness:
    if early_charged is not None and rng.random() < 0.5:
        revised = ts + rng.randrange(HOUR_MS, MAX_DELAY_MS - 2 * HOUR_MS)
        return Lateness(ts, revised, dict(wire, chargedCents=amount(early_charged)))
    return Lateness(ts + rng.randrange(HOUR_MS, MAX_DELAY_MS), 0, None)


def _unit(key: int) -> float:
    """A uniform [0, 1) number from an integer (splitmix64), cheaper than seeding an RNG."""
    z = (key * 0x9E3779B97F4A7C15) & _MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return ((z ^ (z >> 31)) >> 11) / 9_007_199_254_740_992


def _poisson(u: float, mean: float) -> int:
    """Inverse-CDF Poisson draw (normal approximation for large means)."""
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(mean + math.sqrt(mean) * STANDARD_NORMAL[int(u * QUANTILES)]))
    k, p = 0, math.exp(-mean)
    cdf = p
    while u > cdf and k < 200:
        k += 1
        p *= mean / k
        cdf += p
    return k
