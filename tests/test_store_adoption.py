"""Adoption reads from stored daily usage agree with what Cursor's daily-usage endpoint sent."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta

import sqlalchemy as sa

from devspend.cursor.client import CursorClient
from devspend.cursor.clock import FakeClock
from devspend.cursor.endpoints import iter_daily_usage
from devspend.settings import Settings
from devspend.store.adoption import (
    COUNTERS,
    adoption_by_email,
    daily_active_people,
    last_active_days,
)
from sync_helpers import DAY_MS, END_MS, VALID_KEY, connect_and_sync, fake_for, small_team

TODAY = date(2026, 11, 20)


def test_adoption_sums_equal_the_daily_rows_cursor_sent(
    engine: sa.Engine, settings: Settings
) -> None:
    fake = fake_for(small_team(members=6, days=60, history_days=60))
    connect_and_sync(engine, settings, fake, days=60)
    start, end = TODAY - timedelta(days=20), TODAY - timedelta(days=3)
    with CursorClient(api_key=VALID_KEY, base_url="http://fake", transport=fake.transport(),
                      clock=FakeClock()) as client:  # fmt: skip
        rows = [r for r in iter_daily_usage(client, start_ms=END_MS - 30 * DAY_MS, end_ms=END_MS)
                if start <= r.day <= end]  # fmt: skip
    sums: dict[str, Counter[str]] = defaultdict(Counter)
    models: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        mine = sums[r.email.lower()]
        mine.update({ours: r.counters[theirs] for theirs, ours in COUNTERS.items()})
        mine["active"] += r.is_active
        if r.most_used_model:
            models[r.email.lower()][r.most_used_model] += 1
    with engine.connect() as conn:
        found = adoption_by_email(conn, start=start, end=end)
    assert set(found) == set(sums)
    for email, person in found.items():
        assert person.active_days == sums[email]["active"]
        assert person.counts == {name: sums[email][name] for name in COUNTERS.values()}
        if models[email]:
            top = max(models[email].values())
            assert person.most_used_model_days == top
            assert models[email][person.most_used_model or ""] == top
            assert person.client_version is not None
        else:
            assert person.most_used_model is None
    assert any(p.counts["tabs_accepted"] for p in found.values())


def test_filters_last_active_and_daily_active(engine: sa.Engine, settings: Settings) -> None:
    fake = fake_for(small_team(members=6, days=40, history_days=40))
    connect_and_sync(engine, settings, fake, days=40)
    start, end = TODAY - timedelta(days=30), TODAY
    with engine.connect() as conn:
        everyone = adoption_by_email(conn, start=start, end=end)
        one = next(iter(everyone))
        assert set(adoption_by_email(conn, start=start, end=end, emails=[one.upper()])) == {one}
        assert adoption_by_email(conn, start=start, end=end, emails=[]) == {}
        assert adoption_by_email(conn, start=start, end=end, integration_id=999) == {}
        last = last_active_days(conn)
        dau = daily_active_people(conn, start=start, end=end)
    assert {e: p.last_active_day for e, p in everyone.items() if p.last_active_day} == last
    assert sum(dau.values()) == sum(p.active_days for p in everyone.values())
