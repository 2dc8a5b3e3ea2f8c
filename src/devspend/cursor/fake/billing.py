"""Handlers of ``/teams/spend`` (current cycle, ``totalPages`` only) and ``/teams/groups``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from devspend.cursor.fake.cycles import cycle_containing, day_of, iso_ms, ms_of
from devspend.cursor.fake.ledger import CycleSums, MemberCycle
from devspend.cursor.fake.members import DAY_MS, GROUP_COUNT, MemberProfile
from devspend.cursor.fake.totals import decimal_number
from devspend.cursor.fake.validation import BadRequest, integer

if TYPE_CHECKING:
    from devspend.cursor.fake.fake import FakeCursor

DEFAULT_SPEND_PAGE_SIZE = 100
GROUP_NAMES = ("Platform", "Product", "Research")
_SORTS = ("amount", "date", "user")


def current_cycle_ms(fake: FakeCursor) -> tuple[int, int]:
    """``[start, next start)`` of the billing cycle containing the fake's "now"."""
    start, end = cycle_containing(day_of(fake.now_ms()), anchor_day=fake.billing_cycle_day)
    return ms_of(start), ms_of(end)


def spend(fake: FakeCursor, body: Mapping[str, Any]) -> dict[str, Any]:
    """Per-member spend this cycle, one page of it; loop while ``page < totalPages``."""
    now = fake.now_ms()
    start, _end = current_cycle_ms(fake)
    sums = fake.ledger.sums(start_ms=start, end_ms=now, as_of_ms=now)
    page = integer(body, "page", 1)
    size = integer(body, "pageSize", DEFAULT_SPEND_PAGE_SIZE)
    if page < 1 or size < 1:
        raise BadRequest("page and pageSize must be positive")
    members = [
        p
        for p in fake.team.profiles
        if p.join_ms <= now and (p.removed_ms is None or p.removed_ms >= start)
    ]
    term = str(body.get("searchTerm") or "").lower()
    if term:
        members = [p for p in members if term in p.name.lower() or term in p.email.lower()]
    figures = {p.email: sums.by_member.get(p.email, MemberCycle()) for p in members}
    members = _sorted(
        members, figures, str(body.get("sortBy") or "amount"), body.get("sortDirection")
    )
    offsets = fake.spend_offsets_cents
    rows = [
        _spend_row(p, figures[p.email], offsets.get(p.email, Decimal(0)))
        for p in members[(page - 1) * size : page * size]
    ]
    return {
        "teamMemberSpend": rows,
        "subscriptionCycleStart": start,
        "totalMembers": len(members),
        "totalPages": max(1, -(-len(members) // size)),
    }


def _spend_row(profile: MemberProfile, figures: MemberCycle, offset: Decimal) -> dict[str, Any]:
    hard = profile.hard_limit_dollars
    monthly = profile.monthly_limit_dollars
    return {
        "userId": profile.user_id,
        "name": profile.name,
        "email": profile.email,
        "role": profile.role,
        "spendCents": decimal_number(figures.spend_cents + offset),
        "overallSpendCents": decimal_number(figures.overall_cents + offset),
        "fastPremiumRequests": figures.usage_based_events,
        "hardLimitOverrideDollars": hard,
        "monthlyLimitDollars": monthly,
        "effectivePerUserLimitDollars": hard or monthly,
    }


def _sorted(
    members: list[MemberProfile],
    figures: Mapping[str, MemberCycle],
    sort_by: str,
    direction: Any,
) -> list[MemberProfile]:
    """Members in the requested order (amount: spend; date: joined; user: name), ties by email."""
    if sort_by not in _SORTS:
        raise BadRequest(f"sortBy must be one of {', '.join(_SORTS)}")
    if direction not in (None, "asc", "desc"):
        raise BadRequest("sortDirection must be asc or desc")
    descending = direction != "asc" if sort_by == "amount" else direction == "desc"
    members = sorted(members, key=lambda p: p.email)
    if sort_by == "amount":
        return sorted(members, key=lambda p: figures[p.email].spend_cents, reverse=descending)
    if sort_by == "user":
        return sorted(members, key=lambda p: p.name, reverse=descending)
    return sorted(members, key=lambda p: p.join_ms, reverse=descending)


def groups(fake: FakeCursor, query: Mapping[str, Any]) -> dict[str, Any]:
    """Billing groups for a cycle (``billingCycle=YYYY-MM-DD``, default: the current one)."""
    now = fake.now_ms()
    raw = query.get("billingCycle")
    try:
        day = date.fromisoformat(str(raw)) if raw else day_of(now)
    except ValueError:
        raise BadRequest("billingCycle must be a date YYYY-MM-DD") from None
    start_day, end_day = cycle_containing(day, anchor_day=fake.billing_cycle_day)
    start, end = ms_of(start_day), ms_of(end_day)
    last = min(end - 1, now)
    sums = fake.ledger.sums(start_ms=start, end_ms=last, as_of_ms=now) if start <= last else None
    built = [_group(fake, g, start, last, sums) for g in range(GROUP_COUNT + 1)]
    return {
        "groups": built[:GROUP_COUNT],
        "unassignedGroup": built[GROUP_COUNT],
        "billingCycle": {"cycleStart": iso_ms(start), "cycleEnd": iso_ms(end - 1)},
    }


def _group(
    fake: FakeCursor, group: int, start: int, last: int, sums: CycleSums | None
) -> dict[str, Any]:
    current: list[dict[str, Any]] = []
    former: list[dict[str, Any]] = []
    total = Decimal(0)
    for profile in fake.team.profiles:
        membership = _membership(profile, group, start, last)
        if membership is None:
            continue
        joined, left = membership
        cents = sums.by_member_group.get((profile.email, group), Decimal(0)) if sums else Decimal(0)
        total += cents
        row = {
            "userId": profile.user_id,
            "name": profile.name,
            "email": profile.email,
            "joinedAt": iso_ms(joined),
            "leftAt": iso_ms(left) if left is not None else None,
            "spendCents": decimal_number(cents),
        }
        (former if left is not None else current).append(row)
    daily = [
        {"date": day_of(day * DAY_MS).isoformat(), "spendCents": decimal_number(cents)}
        for (g, day), cents in sorted((sums.by_group_day if sums else {}).items())
        if g == group
    ]
    if group == GROUP_COUNT:
        ident, name, kind = "unassigned", "Unassigned", "UNASSIGNED"
    else:
        ident, name, kind = f"group_{fake.team.seed}_{group}", GROUP_NAMES[group], "BILLING"
    return {
        "id": ident,
        "name": name,
        "type": kind,
        "memberCount": len(current),
        "spendCents": decimal_number(total),
        "currentMembers": current,
        "formerMembers": former,
        "dailySpend": daily,
    }


def _membership(
    profile: MemberProfile, group: int, start: int, last: int
) -> tuple[int, int | None] | None:
    """When the member joined and left ``group`` if they were in it during ``[start, last]``."""
    begin = profile.join_ms
    end = profile.removed_ms
    moved = profile.group_moved_ms
    if moved is not None and profile.previous_group is not None:
        if group == profile.previous_group:
            end = moved if end is None else min(end, moved)
        elif group == profile.group:
            begin = max(begin, moved)
        else:
            return None
    elif group != profile.group:
        return None
    if begin > last or (end is not None and end <= start):
        return None
    left = end if end is not None and end <= last else None
    return begin, left
