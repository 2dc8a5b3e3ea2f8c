"""Seats: what the seats of an integration, a person or a team cost over a period.

*cost* = *seats* + *on-demand* (``docs/money.md``). This module owns the *seats* half;
every face, view and alert that shows cost calls :func:`seat_summary` (or
:func:`person_seats`) and adds on-demand with :func:`cost_cents`, so the figure is
computed in one place.

The rule, prorated by day like Cursor's invoices:

- A billing cycle is ``[anchor, next anchor)``; the anchor is the day of the month of
  Cursor's ``subscriptionCycleStart`` (calendar months until a spend snapshot exists).
- A member holds a seat from their *start day* until (not including) their *end day*:

  start: their billing group ``joinedAt`` when Cursor gave one; else, when the first
  sync already listed them, the first day of history devspend holds (they were members
  before devspend was connected); else the day a sync first listed them. Never later
  than their first day with usage.

  end: the day a sync first saw them removed (or their last billing-group ``leftAt``
  + 1 day, when earlier); open while they are listed. Never earlier than the day after
  their last usage. Someone already removed when first listed, or never listed but
  seen in events, holds a seat only over the days their usage (or group) proves.
- Each cycle's seat cents per member = seat price × days held in the cycle ∩ period
  ÷ days in the cycle, rounded half-even to a micro-cent once per member and cycle;
  totals are sums of those (so a team's seats equal the sum of its people's).
- Seat price unset (the default): ``seat_cents`` is None and faces say
  :data:`SEAT_PRICE_NOT_SET`; cost is then on-demand alone.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy.engine import Connection

from devspend.money import MICROS_PER_UNIT, from_micros
from devspend.store.person_scope import PeopleFilter
from devspend.store.seats import (
    MembershipFacts,
    cycle_anchor_day,
    membership_facts,
    people_with_usage,
    seat_prices,
)

SEAT_PRICE_NOT_SET = "seat price not set"
"""What every face shows where seats would be when an integration has no seat price."""


@dataclass(frozen=True, slots=True)
class PersonSeat:
    """One person's seat over a period: days held and what they cost."""

    integration_id: int
    person_id: int
    email: str
    name: str | None
    seat_from: date
    seat_until: date | None
    """First day *not* held (None: still held)."""
    seat_days: int
    """Days of the period the seat was held."""
    seat_cents: Decimal | None
    """None when the integration's seat price is not set."""
    has_usage: bool
    """Whether they had any event in the period (False: an idle seat)."""


@dataclass(frozen=True, slots=True)
class SeatSummary:
    """The seats of an integration (or all, or some people) over ``start``..``end``."""

    start: date
    end: date
    price_set: bool
    """Every integration in scope has a seat price (else seat figures are partial/None)."""
    seat_price_dollars: int | None
    """The seat price when every integration in scope has the same one."""
    seats: int
    """People holding a seat on at least one day of the period."""
    seat_days: int
    seat_cents: Decimal | None
    """Σ of the people's seat cents; None when no integration in scope has a price."""
    idle_seats: int
    """Seat holders without a single event in the period."""
    idle_seat_cents: Decimal | None
    people: tuple[PersonSeat, ...]

    def cost_cents(self, on_demand_cents: Decimal) -> Decimal:
        """cost = seats + on-demand (seats count 0 while no price is set)."""
        return cost_cents(seat_cents=self.seat_cents, on_demand_cents=on_demand_cents)

    @property
    def label(self) -> str | None:
        """:data:`SEAT_PRICE_NOT_SET` when the price is missing, for faces to show."""
        return None if self.price_set else SEAT_PRICE_NOT_SET


def cost_cents(*, seat_cents: Decimal | None, on_demand_cents: Decimal) -> Decimal:
    """*cost* = *seats* + *on-demand*; with no seat price it is on-demand alone."""
    return (seat_cents or Decimal(0)) + on_demand_cents


def seat_interval(facts: MembershipFacts) -> tuple[date, date | None] | None:
    """``(first day held, first day not held or None)`` by the rule of the module
    docstring, or None when nothing shows the person ever held a seat."""
    removed_when_listed = facts.removed_day is not None and facts.removed_day == facts.listed_day
    listed = facts.listed_day is not None and not removed_when_listed
    start: date | None = None
    if facts.group_joined_day is not None:
        start = facts.group_joined_day
    elif listed and facts.at_connect and facts.held_start is not None:
        start = min(facts.held_start, facts.listed_day)  # type: ignore[type-var]
    elif listed:
        start = facts.listed_day
    if facts.first_seen_day is not None:
        start = facts.first_seen_day if start is None else min(start, facts.first_seen_day)
    if start is None:
        return None
    left = facts.group_left_day + timedelta(days=1) if facts.group_left_day else None
    end: date | None
    if listed and facts.removed_day is None:
        end = None
    elif listed:
        end = facts.removed_day if left is None else min(left, facts.removed_day)  # type: ignore[type-var]
    else:
        end = left
        if end is None:
            if facts.last_active_day is None:
                return None
            end = facts.last_active_day + timedelta(days=1)
    if facts.last_active_day is not None and end is not None:
        end = max(end, facts.last_active_day + timedelta(days=1))
    if end is not None and end <= start:
        return None
    return start, end


def billing_cycles(*, start: date, end: date, anchor_day: int) -> Iterator[tuple[date, date]]:
    """The cycles ``[cycle start, next cycle start)`` that overlap ``start``..``end``."""
    anchor = min(max(anchor_day, 1), 28)
    cycle = start.replace(day=anchor) if start.day >= anchor else _add_month(
        start.replace(day=anchor), -1)  # fmt: skip
    while cycle <= end:
        following = _add_month(cycle, 1)
        yield cycle, following
        cycle = following


def _add_month(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return day.replace(year=index // 12, month=index % 12 + 1)


def _overlap(a: date, b: date | None, c: date, d: date) -> int:
    """Days in ``[a, b) ∩ [c, d)`` (``b`` None: open)."""
    lo = max(a, c)
    hi = d if b is None else min(b, d)
    return max((hi - lo).days, 0)


def _cycle_shares(
    interval: tuple[date, date | None], *, start: date, end: date, anchor_day: int,
    price_dollars: int,
) -> Iterator[tuple[date, date, date, date, int, int]]:  # fmt: skip
    """Per billing cycle the seat touches in the period: (cycle start, cycle end, first
    day charged, first day not charged, days, seat micro-cents, rounded once)."""
    price_ucents = price_dollars * 100 * MICROS_PER_UNIT
    stop = end + timedelta(days=1)
    for cycle_start, cycle_end in billing_cycles(start=start, end=end, anchor_day=anchor_day):
        lo = max(cycle_start, start, interval[0])
        hi = min(cycle_end, stop) if interval[1] is None else min(cycle_end, stop, interval[1])
        held = max((hi - lo).days, 0)
        if held:
            share = Decimal(price_ucents * held) / (cycle_end - cycle_start).days
            yield (cycle_start, cycle_end, lo, hi, held,
                   int(share.to_integral_value(rounding=ROUND_HALF_EVEN)))  # fmt: skip


def _seat_ucents(
    interval: tuple[date, date | None], *, start: date, end: date, anchor_day: int,
    price_dollars: int,
) -> tuple[int, int]:  # fmt: skip
    """(days held in the period, seat micro-cents) summed cycle by cycle."""
    shares = list(_cycle_shares(interval, start=start, end=end, anchor_day=anchor_day,
                                price_dollars=price_dollars))  # fmt: skip
    return sum(s[4] for s in shares), sum(s[5] for s in shares)


def _held_days(interval: tuple[date, date | None], *, start: date, end: date) -> int:
    return _overlap(interval[0], interval[1], start, end + timedelta(days=1))


@dataclass(frozen=True, slots=True)
class SeatCharge:
    """One person's seat in one billing cycle, clipped to a period: what a FOCUS
    ``Purchase`` row of the cycle carries (``charge_end`` exclusive)."""

    integration_id: int
    email: str
    cycle_start: date
    cycle_end: date
    charge_start: date
    charge_end: date
    seat_days: int
    seat_price_dollars: int
    seat_cents: Decimal


def seat_charges(
    conn: Connection, *, start: date, end: date, integration_id: int | None = None
) -> list[SeatCharge]:
    """Every priced seat of ``start``..``end`` split by billing cycle (integrations without
    a seat price have none); Σ per person = :func:`person_seats`' ``seat_cents``."""
    prices = seat_prices(conn, integration_id=integration_id)
    anchors: dict[int, int] = {}
    out = []
    for facts in membership_facts(conn, integration_id=integration_id):
        price = prices.get(facts.integration_id)
        interval = seat_interval(facts)
        if price is None or interval is None:
            continue
        iid = facts.integration_id
        if iid not in anchors:
            anchors[iid] = cycle_anchor_day(conn, integration_id=iid) or 1
        for c_start, c_end, lo, hi, days, ucents in _cycle_shares(
            interval, start=start, end=end, anchor_day=anchors[iid], price_dollars=price
        ):
            out.append(SeatCharge(
                integration_id=iid, email=facts.email, cycle_start=c_start, cycle_end=c_end,
                charge_start=lo, charge_end=hi, seat_days=days, seat_price_dollars=price,
                seat_cents=from_micros(ucents),
            ))  # fmt: skip
    return out


def person_seats(
    conn: Connection,
    *,
    start: date,
    end: date,
    integration_id: int | None = None,
    emails: Collection[str] | None = None,
    who: PeopleFilter | None = None,
) -> list[PersonSeat]:
    """Every person who held a seat on some day of ``start``..``end`` (inclusive), with
    their seat days and cents; ``emails`` narrows it to some people (a person, a team)."""
    wanted = None if emails is None else {e.lower() for e in emails}
    prices = seat_prices(conn, integration_id=integration_id)
    anchors: dict[int, int] = {}
    held: list[tuple[MembershipFacts, tuple[date, date | None], int]] = []
    for facts in membership_facts(conn, integration_id=integration_id, who=who):
        if wanted is not None and facts.email not in wanted:
            continue
        interval = seat_interval(facts)
        if interval is None:
            continue
        days = _held_days(interval, start=start, end=end)
        if days:
            held.append((facts, interval, days))
    active = people_with_usage(
        conn, start=start, end=end, integration_id=integration_id,
        person_ids=[f.person_id for f, _i, _d in held]
        if wanted is not None or (who is not None and not who.is_everyone()) else None,
    )  # fmt: skip
    out = []
    for facts, interval, days in held:
        iid = facts.integration_id
        price = prices.get(iid)
        cents: Decimal | None = None
        if price is not None:
            if iid not in anchors:
                anchors[iid] = cycle_anchor_day(conn, integration_id=iid) or 1
            _days, ucents = _seat_ucents(interval, start=start, end=end,
                                         anchor_day=anchors[iid], price_dollars=price)  # fmt: skip
            cents = from_micros(ucents)
        out.append(PersonSeat(
            integration_id=iid, person_id=facts.person_id, email=facts.email, name=facts.name,
            seat_from=interval[0], seat_until=interval[1], seat_days=days, seat_cents=cents,
            has_usage=facts.person_id in active,
        ))  # fmt: skip
    return out


def seat_cents_by_period(
    conn: Connection,
    *,
    periods: Sequence[tuple[date, date]],
    integration_id: int | None = None,
    who: PeopleFilter | None = None,
) -> list[Decimal] | None:
    """Seat cents of each ``(first, last)`` period (inclusive days), reading the members
    once: each period's figure is what :func:`seat_summary` gives for it. None when no
    integration in scope has a seat price."""
    prices = seat_prices(conn, integration_id=integration_id)
    if all(p is None for p in prices.values()):
        return None
    anchors: dict[int, int] = {}
    held = []
    for facts in membership_facts(conn, integration_id=integration_id, who=who):
        price = prices.get(facts.integration_id)
        interval = seat_interval(facts)
        if price is None or interval is None:
            continue
        if facts.integration_id not in anchors:
            anchors[facts.integration_id] = cycle_anchor_day(
                conn, integration_id=facts.integration_id) or 1  # fmt: skip
        held.append((interval, anchors[facts.integration_id], price))
    out = []
    for first, last in periods:
        ucents = sum(_seat_ucents(interval, start=first, end=last, anchor_day=anchor,
                                  price_dollars=price)[1]
                     for interval, anchor, price in held)  # fmt: skip
        out.append(from_micros(ucents))
    return out


def seat_summary(
    conn: Connection,
    *,
    start: date,
    end: date,
    integration_id: int | None = None,
    emails: Collection[str] | None = None,
    who: PeopleFilter | None = None,
) -> SeatSummary:
    """The seats over ``start``..``end`` of one integration (None: all), optionally only
    of ``emails``. ``seat_cents`` is None while no integration in scope has a price."""
    rows = person_seats(conn, start=start, end=end, integration_id=integration_id,
                        emails=emails, who=who)  # fmt: skip
    prices = seat_prices(conn, integration_id=integration_id)
    in_scope = {r.integration_id for r in rows} or set(prices)
    scoped = {prices.get(i) for i in in_scope}
    priced = [r.seat_cents for r in rows if r.seat_cents is not None]
    idle = [r for r in rows if not r.has_usage]
    any_price = any(p is not None for p in scoped)
    return SeatSummary(
        start=start, end=end,
        price_set=bool(scoped) and None not in scoped,
        seat_price_dollars=next(iter(scoped)) if len(scoped) == 1 else None,
        seats=len(rows), seat_days=sum(r.seat_days for r in rows),
        seat_cents=sum(priced, Decimal(0)).quantize(Decimal("0.000001")) if any_price else None,
        idle_seats=len(idle),
        idle_seat_cents=sum((r.seat_cents for r in idle if r.seat_cents is not None),
                            Decimal(0)).quantize(Decimal("0.000001")) if any_price else None,
        people=tuple(rows),
    )  # fmt: skip
