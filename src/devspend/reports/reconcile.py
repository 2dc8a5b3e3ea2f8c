"""Reconciliation: devspend's figures proved against Cursor's own, for the current cycle.

Per member: on-demand of the stored events vs ``/teams/spend`` ``spendCents``, and usage
value vs ``overallSpendCents``. Per billing group: Σ on-demand of its members' events
while in the group vs the group's ``spendCents``. Per day: usage-based and included
event counts vs ``/teams/daily-usage-data`` ``usageBasedReqs`` /
``subscriptionIncludedReqs`` (counts, not money).

Statuses: ``match`` when |Δ| < 0.01 ¢ per member (counts: equal); ``explained`` when a
known cause accounts for a difference, with the reason in words; else ``mismatch``.
Reasons, checked in this order and only when the evidence is there:

- *events newer than the last sync*: events were synced past the spend snapshot (a
  later sync could not read ``/teams/spend``), or the snapshot was taken after the
  instant the events were synced through and Cursor shows more;
- *member removed*: the member is removed from the team;
- *data before the API's history*: the cycle starts before the first day devspend holds;
- *days inside the look-back*: a day still inside the sync look-back (coverage
  ``partial``) where the member's event counts differ from Cursor's daily usage.

The spend snapshot and the events come from one sync: sync takes the snapshot right
after the event windows and records both instants, shown here as ``events_through`` and
``spend_taken_at``. ``delta_cents`` is always events − Cursor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import Connection

from devspend.money import from_micros
from devspend.store.checkpoints import PARTIAL, UNAVAILABLE
from devspend.store.history import held_history
from devspend.store.integrations import get_integration, list_integrations
from devspend.store.person_scope import PeopleFilter
from devspend.store.reconcile import (
    DayCounts,
    PersonFigures,
    billing_groups_of,
    coverage_of,
    day_counts,
    has_daily_usage,
    latest_spend_snapshot,
    on_demand_between,
    person_figures,
)

MATCH, EXPLAINED, MISMATCH = "match", "explained", "mismatch"
TOLERANCE_UCENTS = 10_000
"""0.01 ¢ in micro-cents: a member's difference below it is a match."""

NEWER_EVENTS = "events newer than the last sync"
MEMBER_REMOVED = "member removed"
BEFORE_HISTORY = "data before the API's history"
LOOKBACK = "days inside the look-back"
NO_SPEND_ROW = "Cursor's spend snapshot has no row for this member"

ReasonFor = Callable[[str, bool, int], "str | None"]
"""(email, removed, signed difference in µ¢) → the reason that explains it, if any."""


@dataclass(frozen=True, slots=True)
class MemberRow:
    integration_id: int
    email: str
    name: str | None
    cycle_start: date
    events_on_demand_cents: Decimal
    cursor_spend_cents: Decimal | None
    events_usage_value_cents: Decimal
    cursor_overall_cents: Decimal | None
    delta_cents: Decimal | None
    """events − Cursor, on-demand."""
    usage_value_delta_cents: Decimal | None
    """events − Cursor, usage value."""
    status: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class GroupRow:
    integration_id: int
    group_id: str
    name: str
    cycle_start: date
    members: int
    events_on_demand_cents: Decimal
    cursor_spend_cents: Decimal | None
    delta_cents: Decimal | None
    status: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class DayRow:
    integration_id: int
    day: date
    events_usage_based: int
    cursor_usage_based_reqs: int | None
    events_included: int
    cursor_included_reqs: int | None
    status: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """One integration's current cycle, compared; ``note`` says why something is absent."""

    integration_id: int
    name: str
    cycle_start: date | None
    events_through: datetime | None
    spend_taken_at: datetime | None
    members: tuple[MemberRow, ...]
    groups: tuple[GroupRow, ...]
    days: tuple[DayRow, ...]
    note: str | None

    @property
    def counts(self) -> dict[str, int]:
        """How many rows (members, groups, days) have each status."""
        out = {MATCH: 0, EXPLAINED: 0, MISMATCH: 0}
        rows: tuple[MemberRow | GroupRow | DayRow, ...] = (*self.members, *self.groups,
                                                           *self.days)  # fmt: skip
        for row in rows:
            out[row.status] += 1
        return out

    @property
    def ok(self) -> bool:
        """Nothing is a mismatch (``devspend reconcile`` exits 0)."""
        return self.counts[MISMATCH] == 0

    def as_json(self) -> dict[str, Any]:
        """The JSON form every face prints (CLI ``--format json``, ``/api/v1/reconcile``):
        money as plain decimal text of cents, days as YYYY-MM-DD, instants as ISO 8601."""
        return {
            "integration_id": self.integration_id, "name": self.name,
            "cycle_start": _plain(self.cycle_start), "events_through": _plain(self.events_through),
            "spend_taken_at": _plain(self.spend_taken_at), "ok": self.ok, "counts": self.counts,
            "note": self.note,
            "members": [_row_json(r) for r in self.members],
            "groups": [_row_json(r) for r in self.groups],
            "days": [_row_json(r) for r in self.days],
        }  # fmt: skip


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _row_json(row: MemberRow | GroupRow | DayRow) -> dict[str, Any]:
    return {f.name: _plain(getattr(row, f.name)) for f in fields(row)}


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _day(ms: int) -> date:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).date()


LIMITED_NOTE = ("Only your teams' people are shown; billing groups and days are team-wide "
                "and shown to admins.")


def reconcile(
    conn: Connection, *, integration_id: int, who: PeopleFilter | None = None
) -> Reconciliation:
    """Compare one integration's stored events with Cursor's figures for its current cycle.

    ``who`` narrows the members (a limited viewer's teams); billing groups and days,
    which are team-wide, are then left out."""
    limited = who is not None and not who.is_everyone()
    integration = get_integration(conn, integration_id)
    snapshot = latest_spend_snapshot(conn, integration_id=integration_id)
    if snapshot is None:
        return Reconciliation(
            integration_id=integration_id, name=integration.name, cycle_start=None,
            events_through=None, spend_taken_at=None, members=(), groups=(), days=(),
            note="Cursor's spend was never read for this team (sync first, with a key that "
            "can read /teams/spend)",
        )  # fmt: skip
    cycle_start = snapshot.cycle_start.astimezone(UTC).date()
    through_ms = snapshot.events_through_ms or integration.watermark_ms or _ms(snapshot.taken_at)
    last = max(_day(through_ms), cycle_start)
    held = held_history(conn, integration_id=integration_id)
    before_history = held.first is None or held.first > cycle_start
    newer_events = (integration.watermark_ms or 0) > through_ms
    taken_later = _ms(snapshot.taken_at) > through_ms
    coverage = coverage_of(conn, integration_id=integration_id, first=cycle_start, last=last)
    partial_days = {d for d, s in coverage.items() if s == PARTIAL}
    lookback_people = {
        c.email for c in day_counts(conn, integration_id=integration_id, first=cycle_start,
                                    last=last, per_person=True)
        if c.day in partial_days and c.cursor_usage_based is not None
        and (c.events_usage_based, c.events_included)
        != (c.cursor_usage_based, c.cursor_included)
    }  # fmt: skip

    def reason_for(email: str, removed: bool, delta: int) -> str | None:
        if newer_events or (taken_later and delta < 0):
            return NEWER_EVENTS
        if removed:
            return MEMBER_REMOVED
        if before_history and delta < 0:
            return BEFORE_HISTORY
        if email in lookback_people:
            return LOOKBACK
        return None

    figures = person_figures(conn, integration_id=integration_id, first=cycle_start, last=last,
                             who=who)  # fmt: skip
    members = []
    for person in figures:
        cursor = snapshot.members.get(person.email)
        if cursor is None and not person.on_demand_ucents and not person.usage_value_ucents:
            continue
        members.append(_member_row(integration_id, cycle_start, person, cursor, reason_for))
    groups = [] if limited else _group_rows(
        conn, integration_id, cycle_start, through_ms, figures, reason_for,
        {m.email: m for m in members})  # fmt: skip
    days = [] if limited else _day_rows(conn, integration_id, cycle_start, last, coverage,
                                        held.first)  # fmt: skip
    note = None if has_daily_usage(conn, integration_id=integration_id) else (
        "Cursor's daily usage was not readable: days are not compared")  # fmt: skip
    return Reconciliation(
        integration_id=integration_id, name=integration.name, cycle_start=cycle_start,
        events_through=datetime.fromtimestamp(through_ms / 1000, tz=UTC),
        spend_taken_at=snapshot.taken_at, members=tuple(members), groups=tuple(groups),
        days=tuple(days), note=LIMITED_NOTE if limited else note,
    )  # fmt: skip


def _member_row(
    integration_id: int,
    cycle_start: date,
    person: PersonFigures,
    cursor: tuple[int, int | None] | None,
    reason_for: ReasonFor,
) -> MemberRow:
    events_od, events_value = person.on_demand_ucents, person.usage_value_ucents
    if cursor is None:
        delta = value_delta = None
        reason = MEMBER_REMOVED if person.is_removed else NO_SPEND_ROW
        status = EXPLAINED if person.is_removed else MISMATCH
    else:
        delta = events_od - cursor[0]
        value_delta = None if cursor[1] is None else events_value - cursor[1]
        off = [d for d in (delta, value_delta) if d is not None and abs(d) >= TOLERANCE_UCENTS]
        if not off:
            status, reason = MATCH, None
        else:
            reason = reason_for(person.email, person.is_removed, min(off, key=abs))
            status = EXPLAINED if reason else MISMATCH
    return MemberRow(
        integration_id=integration_id, email=person.email, name=person.name,
        cycle_start=cycle_start, events_on_demand_cents=from_micros(events_od),
        cursor_spend_cents=None if cursor is None else from_micros(cursor[0]),
        events_usage_value_cents=from_micros(events_value),
        cursor_overall_cents=None if cursor is None or cursor[1] is None
        else from_micros(cursor[1]),
        delta_cents=None if delta is None else from_micros(delta),
        usage_value_delta_cents=None if value_delta is None else from_micros(value_delta),
        status=status, reason=reason,
    )  # fmt: skip


def _group_rows(
    conn: Connection,
    integration_id: int,
    cycle_start: date,
    through_ms: int,
    figures: list[PersonFigures],
    reason_for: ReasonFor,
    member_rows: dict[str, MemberRow],
) -> list[GroupRow]:
    groups, memberships = billing_groups_of(conn, integration_id=integration_id)
    if not groups:
        return []
    by_email = {p.email: p for p in figures}
    start_ms = _ms(datetime(cycle_start.year, cycle_start.month, cycle_start.day, tzinfo=UTC))
    spans: dict[tuple[str, str], tuple[int, int, int] | None] = {}
    for m in memberships:
        person = by_email.get(m.email)
        if person is None:
            spans[(m.group_id, m.email)] = None
            continue
        whole = m.joined_at_ms <= start_ms and m.left_at_ms is None
        spans[(m.group_id, m.email)] = None if whole else (
            person.person_id, max(m.joined_at_ms, start_ms),
            min(m.left_at_ms - 1 if m.left_at_ms is not None else through_ms, through_ms))
    exact = on_demand_between(conn, integration_id=integration_id,
                              spans=[s for s in spans.values() if s is not None])  # fmt: skip
    out = []
    for g in groups:
        mine = [m for m in memberships if m.group_id == g.group_id]
        total = 0
        for m in mine:
            span = spans[(m.group_id, m.email)]
            person = by_email.get(m.email)
            if span is not None:
                total += exact[span]
            elif person is not None:
                total += person.on_demand_ucents
        cursor = g.cursor_spend_ucents
        delta = None if cursor is None else total - cursor
        tolerance = TOLERANCE_UCENTS * max(len(mine), 1)
        reason: str | None = None
        if delta is None:
            status = MISMATCH
            reason = "Cursor gave no spend for this group"
        elif abs(delta) < tolerance:
            status = MATCH
        else:
            explained = sorted({r.reason for m in mine if (r := member_rows.get(m.email))
                                and r.status == EXPLAINED and r.reason})  # fmt: skip
            reason = "; ".join(explained) or None
            status = EXPLAINED if reason else MISMATCH
        out.append(GroupRow(
            integration_id=integration_id, group_id=g.group_id, name=g.name,
            cycle_start=cycle_start, members=len({m.email for m in mine}),
            events_on_demand_cents=from_micros(total),
            cursor_spend_cents=None if cursor is None else from_micros(cursor),
            delta_cents=None if delta is None else from_micros(delta), status=status,
            reason=reason,
        ))  # fmt: skip
    return out


def _day_rows(
    conn: Connection,
    integration_id: int,
    first: date,
    last: date,
    coverage: dict[date, str],
    held_first: date | None,
) -> list[DayRow]:
    if not has_daily_usage(conn, integration_id=integration_id):
        return []
    counts: dict[date, DayCounts] = {
        c.day: c for c in day_counts(conn, integration_id=integration_id, first=first,
                                     last=last, per_person=False)
    }  # fmt: skip
    out = []
    day = first
    while day <= last:
        c = counts.get(day)
        e_ub, e_inc = (c.events_usage_based, c.events_included) if c else (0, 0)
        cur_ub = c.cursor_usage_based if c else None
        cur_inc = c.cursor_included if c else None
        same = (e_ub, e_inc) == (cur_ub or 0, cur_inc or 0)
        reason: str | None = None
        if same:
            status = MATCH
        elif coverage.get(day) == UNAVAILABLE or held_first is None or day < held_first:
            status, reason = EXPLAINED, BEFORE_HISTORY
        elif coverage.get(day) == PARTIAL:
            status, reason = EXPLAINED, LOOKBACK
        else:
            status = MISMATCH
        out.append(DayRow(integration_id=integration_id, day=day, events_usage_based=e_ub,
                          cursor_usage_based_reqs=cur_ub, events_included=e_inc,
                          cursor_included_reqs=cur_inc, status=status, reason=reason))  # fmt: skip
        day += timedelta(days=1)
    return out


def reconcile_all(
    conn: Connection, *, integration_id: int | None = None, who: PeopleFilter | None = None
) -> list[Reconciliation]:
    """:func:`reconcile` for one integration, or for every connected one."""
    ids = [integration_id] if integration_id is not None else [
        i.id for i in list_integrations(conn)]  # fmt: skip
    return [reconcile(conn, integration_id=i, who=who) for i in ids]
