"""Lanes: separately limited endpoints are fetched side by side, each held up only by itself,
and the spend snapshot is fetched right after the event windows of the same sync."""

from __future__ import annotations

import threading
from collections.abc import Mapping

import sqlalchemy as sa

from devspend.cursor.client import DAILY_USAGE_PATH, EVENTS_PATH, SPEND_PATH
from devspend.cursor.fake.ratelimit import SlidingWindowLimiter
from devspend.settings import Settings
from devspend.store.tables import daily_usage, member_spend
from devspend.sync.progress import SyncProgress
from devspend.sync.service import connect_cursor, run_sync
from sync_helpers import END_MS, VALID_KEY, fake_for, small_team

STORM_RETRY_AFTER = 3.0  # seconds: each refusal holds the daily-usage lane this long


class DailyUsageStorm(SlidingWindowLimiter):
    """The fake's limiter, but daily usage is refused (Retry-After 3 s) while ``storm`` is set."""

    def __init__(self, *, limits: Mapping[str, int] | None) -> None:
        super().__init__(limits=limits, window_seconds=60.0, clock=lambda: 0.0)
        self.storm = threading.Event()

    def acquire(self, endpoint: str) -> float | None:
        if endpoint == "daily-usage-data" and self.storm.is_set():
            return STORM_RETRY_AFTER
        return None


def test_a_429_storm_on_daily_usage_does_not_delay_the_events(
    engine: sa.Engine, settings: Settings
) -> None:
    team = small_team()
    fake = fake_for(team)
    limiter = DailyUsageStorm(limits=None)
    fake.limiter = limiter
    with fake.transport() as transport:
        iid = connect_cursor(engine, settings, api_key=VALID_KEY, team_name="Acme",
                             transport=transport, now_ms=END_MS).integration_id  # fmt: skip
    fake.request_log.clear()
    limiter.storm.set()

    def progress(update: SyncProgress) -> None:
        if update.phase == "spend":  # the events lane is done: the storm may pass
            limiter.storm.clear()

    with fake.transport() as transport:
        result = run_sync(engine, settings, integration_id=iid, transport=transport,
                          now_ms=END_MS, progress=progress)  # fmt: skip
    assert result.ok, result.message
    assert result.notes == []
    assert result.events == team.expected_totals(start_ms=0, end_ms=END_MS).events
    log = [(r.path, r.status) for r in fake.request_log]
    events_at = [i for i, (path, _) in enumerate(log) if path == EVENTS_PATH]
    refused_at = [i for i, entry in enumerate(log) if entry == (DAILY_USAGE_PATH, 429)]
    assert len(events_at) > 5
    # Daily usage was being refused while the events were still being fetched ...
    assert refused_at
    assert refused_at[0] < events_at[-1]
    # ... and the events finished during its first couple of 3 s waits: they did not queue
    # behind it (every wait of the daily lane would have held them for 3 s each).
    assert len(refused_at) <= 2
    with engine.connect() as conn:
        rows = conn.execute(sa.select(sa.func.count()).select_from(daily_usage)).scalar()
    assert rows  # daily usage got through once the storm passed


def test_spend_is_fetched_right_after_the_event_windows_of_the_same_sync(
    engine: sa.Engine, settings: Settings
) -> None:
    fake = fake_for(small_team(days=40, history_days=40))
    with fake.transport() as transport:
        iid = connect_cursor(engine, settings, api_key=VALID_KEY, team_name="Acme",
                             transport=transport, now_ms=END_MS).integration_id  # fmt: skip
    fake.request_log.clear()
    with fake.transport() as transport:
        assert run_sync(engine, settings, integration_id=iid, days=40, transport=transport,
                        now_ms=END_MS).ok  # fmt: skip
    paths = [r.path for r in fake.request_log]
    last_events = max(i for i, p in enumerate(paths) if p == EVENTS_PATH)
    assert min(i for i, p in enumerate(paths) if p == SPEND_PATH) > last_events
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(member_spend)).scalar()
