"""Events of one member on one UTC day, drawn from ``(seed, member, day)`` alone.

Because nothing depends on other days, any range can be generated on demand and a
year of a 2,000-member team never has to sit in memory. The day's event count
comes from a hash of the key, so days without events cost no RNG seeding.
"""

from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from devspend.cursor.fake.catalog import MODELS
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
class Spike:
    """Extra usage injected for one member on one UTC day (alert tests, the demo).

    ``events`` usage-based events of ``model`` (in Max mode when ``max_mode``) are
    added to whatever the member would have done that day, inside their working hours.
    """

    email: str
    day: int
    """Days since the epoch (``date.toordinal() - 719163``)."""
    events: int = 250
    model: str = "claude-4.1-opus"
    max_mode: bool = True
    headless: bool = False
    """Mark the events headless (a background agent run away) instead of interactive."""


@dataclass(frozen=True, slots=True)
class GenerationParams:
    """Team-wide knobs shared by every member-day."""

    seed: int
    data_start_ms: int
    end_ms: int
    events_per_member_day: float
    duplicate_rate: float
    late_rate: float
    spikes: Mapping[tuple[int, int], Spike] = field(default_factory=dict)
    """Injected spikes by (member index, day)."""


@dataclass(slots=True)
class _Plan:
    """A member-day's timestamps and per-event fates, drawn before any event body.

    Drawing them first lets :func:`member_day_count` count a day's events at a
    fraction of the cost of generating them, from the very same random stream.
    """

    rng: random.Random
    times: list[int]
    duplicated: list[bool]
    revision_after: list[int]
    """Per event: ms after its timestamp when a revision settles (0: not revised)."""
    delay: list[int]
    """Per event: ms after its timestamp when it becomes visible (0: at once)."""


def _plan(params: GenerationParams, profile: MemberProfile, day: int) -> _Plan | None:
    day_start = day * DAY_MS
    day_end = day_start + DAY_MS - 1
    lo = max(day_start, profile.join_ms, params.data_start_ms)
    hi = min(day_end, params.end_ms)
    if profile.removed_ms is not None:
        hi = min(hi, profile.removed_ms - 1)
    if lo > hi:
        return None
    key = (params.seed * 1_000_003 + profile.index) * 1_000_033 + day
    mean = params.events_per_member_day * profile.rate * weekday_factor(day)
    count = _poisson(_unit(key), mean)
    if count == 0:
        return None
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
    rate = params.duplicate_rate
    duplicated = [rand() < rate for _ in times] if rate else [False] * count
    revision_after, delay = [0] * count, [0] * count
    if params.late_rate:
        for i in range(count):
            if rand() < params.late_rate:
                if rand() < 0.5:
                    revision_after[i] = rng.randrange(HOUR_MS, MAX_DELAY_MS - 2 * HOUR_MS)
                else:
                    delay[i] = rng.randrange(HOUR_MS, MAX_DELAY_MS)
    return _Plan(rng, times, duplicated, revision_after, delay)


def _spike_events(
    params: GenerationParams, profile: MemberProfile, day: int
) -> list[tuple[int, dict[str, Any]]]:
    """The injected spike's events of a member-day (none without a spike), oldest first."""
    spike = params.spikes.get((profile.index, day))
    if spike is None:
        return []
    day_start = day * DAY_MS
    lo = max(day_start, profile.join_ms, params.data_start_ms)
    hi = min(day_start + DAY_MS - 1, params.end_ms)
    if lo > hi:
        return []
    spec = next((m for m in MODELS if m.name == spike.model), MODELS[0])
    spec = dataclasses.replace(spec, name=spike.model, max_mode_rate=1.0 if spike.max_mode else 0.0,
                               token_based_rate=1.0)  # fmt: skip
    spiked = dataclasses.replace(profile, models=(spec,), model_cumulative=(1.0,),
                                 usage_based_share=1.0)  # fmt: skip
    rng = random.Random(f"spike:{params.seed}:{profile.index}:{day}")
    work_start = day_start + profile.work_start_ms
    times = sorted(min(max(work_start + int(rng.random() * WORKING_DAY_MS), lo), hi)
                   for _ in range(spike.events))  # fmt: skip
    out = []
    for ts in times:
        wire, _ = wire_event(rng, spiked, ts)
        wire["kind"] = "Usage-based"
        wire["isChargeable"] = True
        wire["isHeadless"] = spike.headless
        out.append((ts, wire))
    return out


def member_day(params: GenerationParams, profile: MemberProfile, day: int) -> list[Generated]:
    """The member's events on UTC day ``day`` (days since the epoch), oldest first."""
    plan = _plan(params, profile, day)
    spiked: list[Generated] = [(ts, w, None) for ts, w in _spike_events(params, profile, day)]
    if plan is None:
        return spiked
    out: list[Generated] = []
    for i, ts in enumerate(plan.times):
        wire, early_charged = wire_event(plan.rng, profile, ts)
        late: Lateness | None = None
        if plan.delay[i]:
            late = Lateness(ts + plan.delay[i], 0, None)
        elif plan.revision_after[i] and early_charged is not None:
            early = dict(wire, chargedCents=amount(early_charged))
            late = Lateness(ts, ts + plan.revision_after[i], early)
        out.append((ts, wire, late))
        if plan.duplicated[i]:
            out.append((ts, dict(wire), late))
    if spiked:
        out = sorted(out + spiked, key=lambda g: g[0])
    return out


def member_day_count(
    params: GenerationParams,
    profile: MemberProfile,
    day: int,
    *,
    lo: int,
    hi: int,
    as_of_ms: int | None,
) -> int:
    """How many of :func:`member_day`'s events with ``lo <= ts <= hi`` are visible at a moment."""
    plan = _plan(params, profile, day)
    count = 0
    if (profile.index, day) in params.spikes:
        count = sum(1 for ts, _ in _spike_events(params, profile, day) if lo <= ts <= hi)
    if plan is None:
        return count
    for ts, twice, delay in zip(plan.times, plan.duplicated, plan.delay, strict=True):
        if lo <= ts <= hi and (as_of_ms is None or ts + delay <= as_of_ms):
            count += 2 if twice else 1
    return count


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
