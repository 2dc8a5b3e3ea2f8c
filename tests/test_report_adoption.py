"""The adoption view: rows add up to teams and the total, and idle seats are the right people."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from devspend.reports.adoption import AdoptionFigures, build_adoption
from devspend.settings import Settings
from devspend.store.adoption import adoption_by_email
from devspend.store.allocations import Allocation, delete_allocation, upsert_allocations
from sync_helpers import END_MS, connect_and_sync, fake_for, small_team

TODAY = date(2026, 11, 20)
FIGURES = list(AdoptionFigures.model_fields)


def _allocate(engine: sa.Engine, emails: list[str]) -> None:
    with engine.begin() as conn:
        upsert_allocations(conn, [Allocation(e, "Platform" if i % 2 else "Mobile", None, "manual")
                                  for i, e in enumerate(emails[:-1])], now=datetime.now(UTC))
        delete_allocation(conn, email=emails[-1])  # one person without a team


def test_people_add_up_to_teams_and_total(engine: sa.Engine, settings: Settings) -> None:
    fake = fake_for(small_team(members=8, days=45, history_days=45))
    connect_and_sync(engine, settings, fake, days=45)
    _allocate(engine, sorted(m["email"] for m in fake.team.members()))
    start = TODAY - timedelta(days=29)
    with engine.connect() as conn:
        view = build_adoption(conn, start=start, end=TODAY)
        stored = adoption_by_email(conn, start=start, end=TODAY)
    assert view.has_daily_usage
    assert {t.team for t in view.teams} == {"Platform", "Mobile", "(no team)"}
    for name in FIGURES:
        assert sum(getattr(t, name) for t in view.teams) == getattr(view.total, name)
        assert sum(getattr(p, name) for p in view.people) == getattr(view.total, name)
    assert view.total.active_days == sum(p.active_days for p in stored.values())
    assert view.total.tabs_accepted == sum(p.counts["tabs_accepted"] for p in stored.values())
    rate = view.total.tab_accept_rate_percent
    assert rate is not None
    assert 0 < rate < 100
    assert view.model_dump(mode="json")["total"]["tab_accept_rate_percent"] == str(rate)
    busiest = view.people[0]
    assert busiest.most_used_model
    assert busiest.client_version


def test_idle_seats_are_listed_members_without_recent_activity(
    engine: sa.Engine, settings: Settings
) -> None:
    fake = fake_for(small_team(members=10, days=45, history_days=45))
    connect_and_sync(engine, settings, fake, days=45)
    since = TODAY
    recent = {
        e["userEmail"].lower()
        for e in fake.team.iter_events(start_ms=END_MS - 4 * 86_400_000, end_ms=END_MS)
        if datetime.fromtimestamp(int(e["timestamp"]) / 1000, tz=UTC).date() >= since
    }
    listed = {m["email"].lower() for m in fake.team.members() if not m.get("isRemoved")}
    with engine.connect() as conn:
        view = build_adoption(conn, start=TODAY - timedelta(days=29), end=TODAY, idle_days=1)
        one = build_adoption(conn, start=TODAY - timedelta(days=29), end=TODAY,
                             emails=[sorted(listed)[0]])  # fmt: skip
    idle = {s.email for s in view.idle_seats}
    assert idle == listed - recent
    assert idle  # someone is idle in this team
    assert all(s.seat_cents is None for s in view.idle_seats)  # no seat price set
    assert [p.email for p in one.people] == [sorted(listed)[0]]
