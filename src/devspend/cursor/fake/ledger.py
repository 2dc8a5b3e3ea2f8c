"""Chargeable spend per member, group and day over a billing cycle, from the events.

``/teams/spend`` and ``/teams/groups`` both need one pass over a cycle's events;
the ledger does it once per (range, moment) and keeps the last result, because a
client pages through spend right after asking for page 1.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from devspend.cursor.fake.catalog import KIND_USAGE_BASED
from devspend.cursor.fake.members import DAY_MS
from devspend.cursor.fake.team import SyntheticTeam
from devspend.cursor.fake.totals import wire_decimal


@dataclass(slots=True)
class MemberCycle:
    """One member's figures for a cycle."""

    spend_cents: Decimal = field(default_factory=Decimal)
    """Σ ``chargedCents`` of chargeable events (on-demand spend)."""
    overall_cents: Decimal = field(default_factory=Decimal)
    """Σ ``chargedCents`` of every event (on-demand plus included)."""
    usage_based_events: int = 0


@dataclass(slots=True)
class CycleSums:
    """Everything spend and groups report for one range and moment."""

    by_member: dict[str, MemberCycle] = field(default_factory=dict)
    by_member_group: dict[tuple[str, int], Decimal] = field(default_factory=dict)
    by_group_day: dict[tuple[int, int], Decimal] = field(default_factory=dict)


class CycleLedger:
    """Computes :class:`CycleSums`, remembering the most recent one."""

    def __init__(self, team: SyntheticTeam) -> None:
        self._team = team
        self._last: tuple[tuple[int, int, int], CycleSums] | None = None
        self._lock = threading.Lock()

    def sums(self, *, start_ms: int, end_ms: int, as_of_ms: int) -> CycleSums:
        """Sums over the events the API shows in ``[start_ms, end_ms]`` at ``as_of_ms``."""
        key = (start_ms, end_ms, as_of_ms)
        with self._lock:
            if self._last is not None and self._last[0] == key:
                return self._last[1]
            sums = self._compute(start_ms, end_ms, as_of_ms)
            self._last = (key, sums)
            return sums

    def _compute(self, start_ms: int, end_ms: int, as_of_ms: int) -> CycleSums:
        members: defaultdict[str, MemberCycle] = defaultdict(MemberCycle)
        member_group: defaultdict[tuple[str, int], Decimal] = defaultdict(Decimal)
        group_day: defaultdict[tuple[int, int], Decimal] = defaultdict(Decimal)
        for event in self._team.iter_events(start_ms=start_ms, end_ms=end_ms, as_of_ms=as_of_ms):
            email = event["userEmail"]
            figures = members[email]
            charged = wire_decimal(event.get("chargedCents"))
            figures.overall_cents += charged
            figures.usage_based_events += event["kind"] == KIND_USAGE_BASED
            if not event.get("isChargeable"):
                continue
            figures.spend_cents += charged
            profile = self._team.profile_for(email)
            if profile is None:
                continue
            ts = int(event["timestamp"])
            group = profile.group_at(ts)
            member_group[(email, group)] += charged
            group_day[(group, ts // DAY_MS)] += charged
        return CycleSums(dict(members), dict(member_group), dict(group_day))
