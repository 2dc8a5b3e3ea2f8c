"""Where requests came from: every event counts under one origin (automation, service
account, cloud agent, headless, else interactive), exactly as the fake Cursor sent them,
and the origins add up to the period on every surface."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from devspend.reports.filters import ReportFilter
from devspend.reports.overview import Split, build_overview
from devspend.reports.people import build_people
from devspend.settings import Settings
from sync_helpers import END_MS, connect_and_sync, fake_for, small_team

ALL = ReportFilter("custom", date(2025, 1, 1), date(2026, 12, 31))


def test_origins_equal_the_fakes_ground_truth(engine: sa.Engine, settings: Settings) -> None:
    team = small_team(members=8, events_per_member_day=6.0)
    connect_and_sync(engine, settings, fake_for(team), days=365)
    truth = team.expected_totals(start_ms=0, end_ms=END_MS)
    with engine.connect() as conn:
        view = build_overview(conn, ALL, split=Split.model)
        people = build_people(conn, ALL).rows
    shown = {o.origin: (o.events, o.charged_cents) for o in view.origins}
    expected = {name: (truth.origin_events.get(name, 0),
                       Decimal(truth.origin_cents.get(name, Decimal(0))))
                for name in shown}  # fmt: skip
    assert shown == expected
    assert {n for n, (events, _) in shown.items() if events} >= {
        "interactive", "headless", "cloud_agent", "service_account", "automation"}  # fmt: skip
    assert sum(events for events, _ in shown.values()) == view.period.events
    assert sum(cents for _, cents in shown.values()) == view.period.charged_cents
    for person in people:
        assert sum(e for _, e, _ in person.by_origin()) == person.events
        assert sum(c for _, _, c in person.by_origin()) == person.charged_cents
