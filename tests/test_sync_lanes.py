"""Lanes: separately limited endpoints are fetched side by side, each held up only by itself,
and the spend snapshot is fetched right after the event windows of the same sync."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from datetime import timedelta

import pytest
import sqlalchemy as sa

from devspend.cursor.client import DAILY_USAGE_PATH, EVENTS_PATH, GROUPS_PATH, SPEND_PATH
from devspend.cursor.clock import FakeClock, SystemClock
from devspend.cursor.fake.ratelimit import SlidingWindowLimiter
from devspend.errors import CursorAuthError, CursorPlanError, CursorProtocolError
from devspend.settings import Settings
from devspend.store.checkpoints import completed_days
from devspend.store.events import StoredEvent, day_of
from devspend.store.integrations import create_integration
from devspend.store.tables import daily_usage, member_spend, usage_events
from devspend.sync.events import fetch_event_windows
from devspend.sync.lanes import (
    CancellableClock,
    Lane,
    LaneCancelled,
    LaneContext,
    WriteJob,
    run_lanes,
)
from devspend.sync.plan import Window
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


class ThreadClock(SystemClock):
    """The real clock, noting which thread waited how long."""

    def __init__(self) -> None:
        self.sleeps: list[tuple[str, float]] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append((threading.current_thread().name, seconds))
        super().sleep(seconds)


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

    clock = ThreadClock()
    with fake.transport() as transport:
        result = run_sync(engine, settings, integration_id=iid, transport=transport,
                          now_ms=END_MS, progress=progress, clock=clock)  # fmt: skip
    assert result.ok, result.message
    assert result.notes == []
    assert result.events == team.expected_totals(start_ms=0, end_ms=END_MS).events
    log = [(r.path, r.status) for r in fake.request_log]
    events_at = [i for i, (path, _) in enumerate(log) if path == EVENTS_PATH]
    refused_at = [i for i, entry in enumerate(log) if entry == (DAILY_USAGE_PATH, 429)]
    assert len(events_at) > 5
    # Daily usage was refused while the events were still being fetched, and the storm
    # lasted until they were all in: the events never waited for it to pass ...
    assert refused_at
    assert refused_at[0] < events_at[-1]
    # ... nor for a single one of its 3 s backoffs: those were slept by the daily lane alone.
    backoffs = [name for name, seconds in clock.sleeps if seconds >= STORM_RETRY_AFTER]
    assert backoffs
    assert set(backoffs) == {"devspend-lane-daily_usage"}
    assert all(seconds < 1 for name, seconds in clock.sleeps if name == "devspend-lane-events")
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


def lane_context(write: Callable[[WriteJob], None],
                 on_close: Callable[[WriteJob], None]) -> LaneContext:  # fmt: skip
    return LaneContext(client=None, integration_id=1, now_ms=END_MS,  # type: ignore[arg-type]
                       wall_ms=lambda: END_MS, days=[], lookback_start_ms=END_MS,
                       progress=None, write=write, on_close=on_close)  # fmt: skip


def test_lanes_write_in_order_on_the_calling_thread_and_leave_the_clock_usable(
    engine: sa.Engine,
) -> None:
    written: list[tuple[str, int, str]] = []

    def counting(name: str) -> Callable[[LaneContext], None]:
        def fetch(ctx: LaneContext) -> None:
            for i in range(20):
                ctx.write(lambda _engine, i=i: written.append(
                    (name, i, threading.current_thread().name)))  # fmt: skip

        return fetch

    cancelled = threading.Event()
    lanes = [Lane("a", EVENTS_PATH, counting("a"), required=True),
             Lane("b", SPEND_PATH, counting("b"), after="a"),
             Lane("c", DAILY_USAGE_PATH, counting("c"))]  # fmt: skip
    assert run_lanes(engine, lanes, make_context=lane_context, cancelled=cancelled) == []
    assert {thread for _, _, thread in written} == {threading.current_thread().name}
    for name in "abc":
        assert [i for n, i, _ in written if n == name] == list(range(20))
    first_b = min(k for k, (n, _, _) in enumerate(written) if n == "b")
    assert first_b > max(k for k, (n, _, _) in enumerate(written) if n == "a")
    # a finished sync does not cancel: a later phase may still wait on the same clock
    assert not cancelled.is_set()
    CancellableClock(FakeClock(), cancelled).sleep(1.0)


def test_a_failing_required_lane_stops_the_others_at_their_next_wait(engine: sa.Engine) -> None:
    cancelled = threading.Event()
    clock = CancellableClock(SystemClock(), cancelled)
    waited: list[str] = []

    def patient(ctx: LaneContext) -> None:
        try:
            clock.sleep(600.0)  # e.g. a pacer waiting for the next minute
        except LaneCancelled:
            waited.append("cancelled")
            raise

    def failing(ctx: LaneContext) -> None:
        raise CursorProtocolError("Cursor sent nonsense", endpoint=EVENTS_PATH)

    lanes = [Lane("events", EVENTS_PATH, failing, required=True),
             Lane("groups", GROUPS_PATH, patient)]  # fmt: skip
    with pytest.raises(CursorProtocolError):
        run_lanes(engine, lanes, make_context=lane_context, cancelled=cancelled)
    assert cancelled.is_set()
    assert waited == ["cancelled"]  # joined: the patient lane did not sit out its 600 s


def test_an_optional_lane_failing_is_noted_and_its_followers_skipped(engine: sa.Engine) -> None:
    def failing(ctx: LaneContext) -> None:
        raise CursorPlanError(endpoint=GROUPS_PATH)

    lanes = [Lane("events", EVENTS_PATH, lambda ctx: None, required=True),
             Lane("groups", GROUPS_PATH, failing),
             Lane("after_groups", SPEND_PATH, lambda ctx: None, after="groups")]  # fmt: skip
    notes = run_lanes(engine, lanes, make_context=lane_context, cancelled=threading.Event())
    assert notes[0].startswith("groups skipped: ")
    assert notes[1] == "after_groups skipped: groups did not finish"


def test_the_required_lanes_writes_go_first_when_both_wait(engine: sa.Engine) -> None:
    order: list[str] = []
    side_writing, events_queued = threading.Event(), threading.Event()

    def first_side_write(_engine: sa.Engine) -> None:
        order.append("side 0")
        side_writing.set()
        assert events_queued.wait(10)  # the writer is busy while the events queue up

    def side(ctx: LaneContext) -> None:
        ctx.write(first_side_write)
        for i in (1, 2):
            ctx.write(lambda _engine, i=i: order.append(f"side {i}"))

    def events(ctx: LaneContext) -> None:
        assert side_writing.wait(10)
        for i in range(3):
            ctx.write(lambda _engine, i=i: order.append(f"events {i}"))
        events_queued.set()

    lanes = [Lane("events", EVENTS_PATH, events, required=True),
             Lane("groups", GROUPS_PATH, side)]  # fmt: skip
    run_lanes(engine, lanes, make_context=lane_context, cancelled=threading.Event())
    assert order == ["side 0", "events 0", "events 1", "events 2", "side 1", "side 2"]


def test_a_sync_stopped_mid_window_keeps_the_committed_windows_and_rolls_back_the_open_one(
    engine: sa.Engine,
) -> None:
    with engine.begin() as conn:
        iid = create_integration(conn, display_name="t", api_key_encrypted=b"-", hint="key_…t",
                                 history_start=None, capabilities={})  # fmt: skip
    today = day_of(END_MS)
    days = [today - timedelta(days=2 * i) for i in range(5)]  # gaps: one window per day
    windows_seen: list[Window] = []

    def pages(window: Window) -> Iterator[list[StoredEvent]]:
        windows_seen.append(window)
        stamp = window.start_ms + 1
        yield [StoredEvent(stamp, "ada@example.com", "m", "Included", False, False, False,
                           None, 0, 1, 1, 0, 0, 0, 0, 0, f"fp{stamp}", "{}")]  # fmt: skip
        if len(windows_seen) == 3:
            raise CursorAuthError(endpoint=EVENTS_PATH)  # mid-window: the key was revoked

    def context(write: Callable[[WriteJob], None],
                on_close: Callable[[WriteJob], None]) -> LaneContext:  # fmt: skip
        return LaneContext(client=None, integration_id=iid, now_ms=END_MS,  # type: ignore[arg-type]
                           wall_ms=lambda: END_MS, days=days, lookback_start_ms=END_MS,
                           progress=None, write=write, on_close=on_close)  # fmt: skip

    lane = Lane("events", EVENTS_PATH, lambda ctx: fetch_event_windows(ctx, pages=pages),
                required=True)  # fmt: skip
    with pytest.raises(CursorAuthError):
        run_lanes(engine, [lane], make_context=context, cancelled=threading.Event())
    with engine.connect() as conn:
        stored = conn.execute(sa.select(usage_events.c.ts_ms).order_by(usage_events.c.ts_ms))
        done = completed_days(conn, integration_id=iid)
        assert sorted(stored.scalars()) == sorted(w.start_ms + 1 for w in windows_seen[:2])
    # checkpointed: the second window's whole day (today's ends "now": not complete yet)
    assert done == {windows_seen[1].first_day}
