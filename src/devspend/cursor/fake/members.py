"""The synthetic team's members: who they are, when they joined or left, how they work.

Every profile is derived from ``(seed, index)`` alone, so a member looks the same
whatever the team size, and events can be generated for any member-day on demand.
"""

from __future__ import annotations

import itertools
import math
import random
import string
from dataclasses import dataclass
from typing import Any

from devspend.cursor.fake.catalog import MODELS, ModelSpec

DAY_MS = 86_400_000
HOUR_MS = 3_600_000

_FIRST = (
    "ada", "bo", "carla", "dev", "elif", "farid", "grace", "hiro", "ines", "jon", "kemal",
    "lena", "mateo", "nia", "omar", "priya", "quinn", "rosa", "sven", "tariq", "uma",
    "viktor", "wen", "ximena", "yusuf", "zoe",
)  # fmt: skip
_LAST = (
    "lovelace", "hopper", "knuth", "ritchie", "liskov", "turing", "hamilton", "kay",
    "lamport", "torvalds", "goldberg", "allen", "perlman", "wirth", "dijkstra", "backus",
)  # fmt: skip
_ID_ALPHABET = string.ascii_letters + string.digits
GROUP_COUNT = 3
"""Billing groups 0..2; a member with ``group == GROUP_COUNT`` is unassigned."""


@dataclass(frozen=True, slots=True)
class MemberProfile:
    """A member and the parameters their events are drawn from."""

    index: int
    user_id: str | int
    name: str
    email: str
    role: str
    join_ms: int
    removed_ms: int | None
    rate: float
    """Mean events per weekday, before the team-wide scale."""
    models: tuple[ModelSpec, ...]
    model_cumulative: tuple[float, ...]
    usage_based_share: float
    work_start_ms: int
    """Offset into the UTC day at which this member's working hours start."""
    omit_is_removed: bool
    group: int
    previous_group: int | None
    """The group the member was in before ``group_moved_ms`` (None: never moved)."""
    group_moved_ms: int | None
    hard_limit_dollars: int
    monthly_limit_dollars: int | None

    def group_at(self, ms: int) -> int:
        """The billing group the member was in at that instant."""
        moved, previous = self.group_moved_ms, self.previous_group
        if moved is not None and previous is not None and ms < moved:
            return previous
        return self.group

    def wire(self) -> dict[str, Any]:
        """The member as ``/teams/members`` shows it."""
        row: dict[str, Any] = {
            "id": self.user_id,
            "name": self.name,
            "email": self.email,
            "role": self.role,
        }
        if self.removed_ms is not None or not self.omit_is_removed:
            row["isRemoved"] = self.removed_ms is not None
        return row


def build_profiles(
    *, seed: int, count: int, data_start_ms: int, end_ms: int
) -> tuple[MemberProfile, ...]:
    """All members of a team of ``count``; member 0 is always an active owner."""
    used_emails: set[str] = set()
    profiles = []
    for index in range(count):
        profile = _profile(seed, index, data_start_ms, end_ms, used_emails)
        used_emails.add(profile.email)
        profiles.append(profile)
    return tuple(profiles)


def _profile(
    seed: int, index: int, data_start_ms: int, end_ms: int, used_emails: set[str]
) -> MemberProfile:
    rng = random.Random(f"member:{seed}:{index}")
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    email = f"{first}.{last}@example.com"
    if email in used_emails:
        email = f"{first}.{last}{index}@example.com"
    user_id: str | int
    if index % 15 == 7:
        user_id = 100_000 + index * 37 + rng.randrange(30)
    else:
        user_id = "user_" + "".join(rng.choice(_ID_ALPHABET) for _ in range(24))
    span = max(end_ms - data_start_ms, DAY_MS)
    join_ms = data_start_ms - rng.randrange(1, 400) * DAY_MS
    removed_ms: int | None = None
    if index > 0:
        if rng.random() < 0.15:
            join_ms = data_start_ms + int(span * rng.uniform(0.05, 0.9))
        if rng.random() < 0.08:
            earliest = max(join_ms, data_start_ms) + 14 * DAY_MS
            latest = end_ms - DAY_MS
            if earliest < latest:
                removed_ms = rng.randrange(earliest, latest)
    sigma = 0.9
    rate = min(rng.lognormvariate(-sigma * sigma / 2, sigma), 12.0)
    weights = [spec.weight * rng.lognormvariate(0.0, 0.7) for spec in MODELS]
    previous_group: int | None = None
    moved_ms: int | None = None
    group = rng.randrange(GROUP_COUNT + 1)
    if rng.random() < 0.1:
        previous_group = (group + 1) % (GROUP_COUNT + 1)
        moved_ms = data_start_ms + int(span * rng.random())
    return MemberProfile(
        index=index,
        user_id=user_id,
        name=f"{first.title()} {last.title()}",
        email=email,
        role=_role(rng, index),
        join_ms=join_ms,
        removed_ms=removed_ms,
        rate=rate,
        models=MODELS,
        model_cumulative=tuple(itertools.accumulate(weights)),
        usage_based_share=0.1 + 0.6 * rng.random() ** 2,
        work_start_ms=int(rng.uniform(5.0, 16.0) * HOUR_MS),
        omit_is_removed=rng.random() < 0.05,
        group=group,
        previous_group=previous_group,
        group_moved_ms=moved_ms,
        hard_limit_dollars=rng.choice((0, 0, 0, 0, 500)),
        monthly_limit_dollars=rng.choice((None, None, None, 100, 250)),
    )


def _role(rng: random.Random, index: int) -> str:
    if index == 0:
        return "owner"
    roll = rng.random()
    if roll < 0.03:
        return "owner"
    if roll < 0.05:
        return "free-owner"
    return "member"


def weekday_factor(day_index: int) -> float:
    """Relative activity of a UTC day (1970-01-01 was a Thursday); weekdays average ~1.28."""
    return _WEEKDAY_FACTORS[(day_index + 3) % 7]


_RAW_FACTORS = (1.05, 1.15, 1.1, 1.05, 0.9, 0.25, 0.2)
_WEEKDAY_FACTORS = tuple(f * 7 / math.fsum(_RAW_FACTORS) for f in _RAW_FACTORS)
