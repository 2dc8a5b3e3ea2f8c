"""Seats: the member list days sync records, the proration rule, and seat figures per period."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

import sqlalchemy as sa

from devspend.reports.seats import (
    SEAT_PRICE_NOT_SET,
    billing_cycles,
    cost_cents,
    person_seats,
    seat_interval,
    seat_summary,
)
from devspend.settings import Settings
from devspend.store.integrations import create_integration, get_integration, set_seat_price
from devspend.store.seats import MembershipFacts
from devspend.store.tables import member_spend, people
from devspend.store.team_snapshots import PersonRecord, upsert_people
from sync_helpers import connect_and_sync, fake_for, small_team

D = date(2026, 11, 1)


def _integration(conn: sa.Connection) -> int:
    return create_integration(conn, display_name="Acme", api_key_encrypted=b"x", hint="key_…0001",
                              history_start=None, capabilities={})  # fmt: skip


def _person(email: str, *, removed: bool = False) -> PersonRecord:
    return PersonRecord(email=email, name=email.split("@")[0], cursor_user_id=None, role="member",
                        is_removed=removed)  # fmt: skip


def _facts(**kw: object) -> MembershipFacts:
    base: dict[str, object] = dict(
        integration_id=1, person_id=1, email="a@x.com", name=None, is_removed=False,
        listed_day=None, removed_day=None, first_seen_day=None, last_active_day=None,
        group_joined_day=None, group_left_day=None, at_connect=False, held_start=None,
    )  # fmt: skip
    base.update(kw)
    return MembershipFacts(**base)  # type: ignore[arg-type]


def test_sync_days_record_first_listing_and_first_removal(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        iid = _integration(conn)
        upsert_people(conn, integration_id=iid, records=[_person("a@x.com"), _person("b@x.com")],
                      today=D)  # fmt: skip
        # next day: a is flagged removed, b vanished from the list, c is new
        upsert_people(conn, integration_id=iid,
                      records=[_person("a@x.com", removed=True), _person("c@x.com")],
                      today=D + timedelta(days=1))  # fmt: skip
        upsert_people(conn, integration_id=iid, records=[_person("a@x.com", removed=True)],
                      today=D + timedelta(days=5))  # fmt: skip
        rows = {r.email: r for r in conn.execute(sa.select(people))}
    assert (rows["a@x.com"].listed_day, rows["a@x.com"].removed_day) == (D, D + timedelta(days=1))
    assert rows["b@x.com"].is_removed
    assert rows["b@x.com"].removed_day == D + timedelta(days=1)
    assert rows["c@x.com"].listed_day == D + timedelta(days=1)
    # c vanished on day 5, and was not moved again later
    assert rows["c@x.com"].removed_day == D + timedelta(days=5)


def test_interval_rule() -> None:
    held = date(2026, 1, 10)
    # listed by the first sync: a member since the start of the history held
    assert seat_interval(_facts(listed_day=D, at_connect=True, held_start=held)) == (held, None)
    # Cursor's group joinedAt wins over that assumption
    joined = date(2026, 6, 3)
    assert seat_interval(_facts(listed_day=D, at_connect=True, held_start=held,
                                group_joined_day=joined)) == (joined, None)  # fmt: skip
    # joined after the first sync: from the day a sync first listed them, or earlier usage
    assert seat_interval(_facts(listed_day=D)) == (D, None)
    assert seat_interval(_facts(listed_day=D, first_seen_day=D - timedelta(days=2))) == (
        D - timedelta(days=2), None)  # fmt: skip
    # removed: until the day the removal was seen, or the day after leftAt when earlier
    gone = D + timedelta(days=9)
    assert seat_interval(_facts(listed_day=D, removed_day=gone)) == (D, gone)
    assert seat_interval(_facts(listed_day=D, removed_day=gone,
                                group_left_day=D + timedelta(days=3))) == (
        D, D + timedelta(days=4))  # fmt: skip
    # already removed when first listed: only what usage proves
    assert seat_interval(_facts(listed_day=D, removed_day=D)) is None
    assert seat_interval(_facts(listed_day=D, removed_day=D, first_seen_day=date(2026, 5, 1),
                                last_active_day=date(2026, 5, 20))) == (
        date(2026, 5, 1), date(2026, 5, 21))  # fmt: skip


def test_cycles_follow_the_anchor_day() -> None:
    assert list(billing_cycles(start=date(2026, 1, 20), end=date(2026, 2, 20), anchor_day=15)) == [
        (date(2026, 1, 15), date(2026, 2, 15)), (date(2026, 2, 15), date(2026, 3, 15))]


def test_seats_prorated_by_day(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        iid = _integration(conn)
        # the first sync lists a; b arrives on Nov 21 (10 of November's 30 days)
        upsert_people(conn, integration_id=iid, records=[_person("a@x.com")], today=D)
        upsert_people(conn, integration_id=iid, records=[_person("a@x.com"), _person("b@x.com")],
                      today=date(2026, 11, 21))  # fmt: skip
        period = {"start": date(2026, 11, 1), "end": date(2026, 11, 30)}
        unset = seat_summary(conn, integration_id=iid, **period)
        set_seat_price(conn, iid, dollars=40)
        assert get_integration(conn, iid).seat_price_dollars == 40
        summary = seat_summary(conn, integration_id=iid, **period)
        seats = {s.email: s for s in person_seats(conn, integration_id=iid, **period)}
        team = seat_summary(conn, integration_id=iid, emails=["b@x.com"], **period)
    assert unset.seat_cents is None
    assert unset.label == SEAT_PRICE_NOT_SET
    assert unset.cost_cents(Decimal("12.5")) == Decimal("12.5")
    assert seats["a@x.com"].seat_cents == Decimal("4000")
    assert seats["b@x.com"].seat_days == 10
    assert seats["b@x.com"].seat_cents == Decimal("1333.333333")
    assert summary.seat_cents == Decimal("5333.333333")
    assert summary.seats == 2
    assert summary.idle_seats == 2
    assert summary.label is None
    assert team.seat_cents == Decimal("1333.333333")
    assert cost_cents(seat_cents=summary.seat_cents, on_demand_cents=Decimal("1")) == Decimal(
        "5334.333333")  # fmt: skip


def test_seats_of_a_synced_team(engine: sa.Engine, settings: Settings) -> None:
    """A whole billing cycle: members since before it cost the full price, later joiners
    their days (Cursor's joinedAt, read from /teams/groups), removed ones nothing more."""
    team = small_team(members=12)
    connect_and_sync(engine, settings, fake_for(team), days=60)
    with engine.begin() as conn:
        set_seat_price(conn, 1, dollars=40)
        cycle = conn.execute(sa.select(member_spend.c.cycle_start)).scalars().first()
        assert cycle is not None
        start = cycle.date() if isinstance(cycle, datetime) else cycle
        nxt = start.replace(month=start.month % 12 + 1, year=start.year + start.month // 12)
        summary = seat_summary(conn, integration_id=1, start=start, end=nxt - timedelta(days=1))
    cycle_days = (nxt - start).days
    by_email = {s.email: s for s in summary.people}
    current = [p for p in team.profiles if p.removed_ms is None]
    assert current
    for p in current:
        joined = datetime.fromtimestamp(p.join_ms / 1000, tz=UTC).date()
        days = cycle_days - max((joined - start).days, 0)
        share = (Decimal(4000 * 1_000_000 * days) / cycle_days).to_integral_value(
            rounding=ROUND_HALF_EVEN) / 1_000_000  # fmt: skip
        assert by_email[p.email].seat_cents == share, p.email
    assert summary.seat_cents == sum((s.seat_cents or Decimal(0)) for s in summary.people)
    assert summary.idle_seats == sum(1 for s in summary.people if not s.has_usage)


def test_idle_members_of_the_fake_are_idle_seats(engine: sa.Engine, settings: Settings) -> None:
    team = small_team(members=12, idle_members=2)
    idle = {p.email for p in team.profiles if p.rate == 0}
    assert len(idle) == 2
    connect_and_sync(engine, settings, fake_for(team), days=60)
    with engine.begin() as conn:
        set_seat_price(conn, 1, dollars=40)
        summary = seat_summary(conn, integration_id=1, start=date(2026, 10, 22),
                               end=date(2026, 11, 20))  # fmt: skip
    idle_rows = [s for s in summary.people if not s.has_usage]
    assert {s.email for s in idle_rows} >= idle
    assert all(s.seat_cents for s in idle_rows)
    assert summary.idle_seats == len(idle_rows)
