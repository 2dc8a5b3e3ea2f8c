"""``SyntheticTeam``: a deterministic team whose usage is generated on demand from a seed."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Sequence
from operator import itemgetter
from typing import Any

from devspend.cursor.fake.generator import (
    MAX_DELAY_MS,
    Generated,
    GenerationParams,
    Spike,
    member_day,
    member_day_count,
)
from devspend.cursor.fake.members import DAY_MS, MemberProfile, build_profiles
from devspend.cursor.fake.totals import Totals, total_events


class SyntheticTeam:
    """A seeded team: members, and their usage events for ``days`` days up to ``end_ms``.

    Events exist with timestamps in ``[end_ms - days·24h, end_ms]``; the API forgets
    those older than :attr:`history_start_ms`. Nothing is precomputed but the member
    list, so a 2,000-member year costs nothing until a range is asked for.
    """

    def __init__(
        self,
        *,
        seed: int = 7,
        members: int = 20,
        end_ms: int,
        days: int = 365,
        events_per_member_day: float = 3.0,
        history_days: int = 365,
        duplicate_rate: float = 0.01,
        late_rate: float = 0.0,
        spikes: Sequence[Spike] = (),
        idle_members: int = 0,
    ) -> None:
        """``idle_members``: that many of the last current members (never the owner) hold
        a seat but never use Cursor, so idle seats show (the demo)."""
        self.seed = seed
        self.end_ms = end_ms
        self.days = days
        self.data_start_ms = end_ms - days * DAY_MS
        self.history_start_ms = end_ms - history_days * DAY_MS
        self.profiles: tuple[MemberProfile, ...] = build_profiles(
            seed=seed, count=members, data_start_ms=self.data_start_ms, end_ms=end_ms
        )
        if idle_members:
            idle = [p.index for p in self.profiles if p.index > 0 and p.removed_ms is None]
            chosen = set(idle[-idle_members:])
            self.profiles = tuple(dataclasses.replace(p, rate=0.0) if p.index in chosen else p
                                  for p in self.profiles)  # fmt: skip
        self._by_email = {p.email: p for p in self.profiles}
        by_member_day = {}
        for spike in spikes:
            profile = self._by_email.get(spike.email)
            if profile is None:
                raise ValueError(f"spike for {spike.email}: no such member")
            by_member_day[(profile.index, spike.day)] = spike
        self.params = GenerationParams(
            seed=seed,
            data_start_ms=self.data_start_ms,
            end_ms=end_ms,
            events_per_member_day=events_per_member_day,
            duplicate_rate=duplicate_rate,
            late_rate=late_rate,
            spikes=by_member_day,
        )

    def members(self) -> list[dict[str, Any]]:
        """``/teams/members`` rows (removed members included, flagged ``isRemoved``)."""
        return [p.wire() for p in self.profiles]

    def profile_for(self, email: str) -> MemberProfile | None:
        """The member with that email, if any."""
        return self._by_email.get(email)

    def selected(self, email: str | None) -> tuple[MemberProfile, ...]:
        """Every member, or only the one with ``email`` (none if unknown)."""
        if email is None:
            return self.profiles
        profile = self._by_email.get(email)
        return (profile,) if profile else ()

    def day_events(self, day: int, profiles: Iterable[MemberProfile]) -> list[Generated]:
        """Everything generated on a UTC day for these members, newest first, unfiltered."""
        out: list[Generated] = []
        for profile in profiles:
            out.extend(member_day(self.params, profile, day))
        # Stable sort on the timestamp alone: ties keep member-then-sequence order.
        out.sort(key=_TIMESTAMP, reverse=True)
        return out

    def settled_as_of(self, *, end_ms: int, as_of_ms: int | None) -> int | None:
        """``as_of_ms``, or None when asking at that moment shows the final data anyway.

        Lets caches keyed on the moment of asking survive a clock that keeps moving.
        """
        if as_of_ms is None:
            return None
        newest = min(end_ms, self.end_ms)
        settle = MAX_DELAY_MS if self.params.late_rate else 0
        return None if as_of_ms >= newest + settle else as_of_ms

    def _bounds(self, start_ms: int, end_ms: int, as_of_ms: int | None) -> tuple[int, int]:
        """The timestamps ``[lo, hi]`` a query can return (empty when ``lo > hi``).

        Nothing before the data starts or the API's history reaches back, nothing
        after the data ends or the moment of asking.
        """
        hi = min(end_ms, self.end_ms)
        if as_of_ms is not None:
            hi = min(hi, as_of_ms)
        return max(start_ms, self.history_start_ms, self.data_start_ms), hi

    def iter_visible(
        self, *, start_ms: int, end_ms: int, email: str | None, as_of_ms: int | None
    ) -> Iterator[tuple[int, list[dict[str, Any]]]]:
        """Per UTC day, newest first: the day and the events the API shows in the range."""
        lo, hi = self._bounds(start_ms, end_ms, as_of_ms)
        if lo > hi:
            return
        profiles = self.selected(email)
        for day in range(hi // DAY_MS, lo // DAY_MS - 1, -1):
            shown = []
            for ts, wire, late in self.day_events(day, profiles):
                if lo <= ts <= hi:
                    if late is None:
                        shown.append(wire)
                    elif (form := late.form(wire, as_of_ms)) is not None:
                        shown.append(form)
            yield day, shown

    def iter_day_counts(
        self, *, start_ms: int, end_ms: int, email: str | None, as_of_ms: int | None
    ) -> Iterator[tuple[int, int]]:
        """Per UTC day, newest first: how many events :meth:`iter_visible` would show.

        Several times cheaper than generating them: only timestamps and fates are drawn.
        """
        lo, hi = self._bounds(start_ms, end_ms, as_of_ms)
        if lo > hi:
            return
        profiles = self.selected(email)
        params = self.params
        for day in range(hi // DAY_MS, lo // DAY_MS - 1, -1):
            yield (
                day,
                sum(
                    member_day_count(params, p, day, lo=lo, hi=hi, as_of_ms=as_of_ms)
                    for p in profiles
                ),
            )

    def iter_events(
        self,
        *,
        start_ms: int,
        end_ms: int,
        email: str | None = None,
        as_of_ms: int | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Wire events the API shows for an inclusive range, newest first, generated lazily.

        ``as_of_ms`` is the moment of asking: late events appear only once visible
        and revised events show their earlier form until revised (None: final data).
        """
        for _day, events in self.iter_visible(
            start_ms=start_ms, end_ms=end_ms, email=email, as_of_ms=as_of_ms
        ):
            yield from events

    def expected_totals(
        self,
        *,
        start_ms: int,
        end_ms: int,
        email: str | None = None,
        as_of_ms: int | None = None,
    ) -> Totals:
        """Exact sums of :meth:`iter_events` over the same arguments."""
        return total_events(
            self.iter_events(start_ms=start_ms, end_ms=end_ms, email=email, as_of_ms=as_of_ms)
        )


_TIMESTAMP = itemgetter(0)
