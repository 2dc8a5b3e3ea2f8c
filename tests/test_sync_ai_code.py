"""AI Code Tracking in the sync: exact backfill, 304s on re-sync, incremental, no-access teams."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from devspend.cursor.client import AI_CODE_CHANGES_PATH, AI_CODE_COMMITS_PATH
from devspend.cursor.fake import FakeCursor
from devspend.settings import Settings
from devspend.store.ai_code import ai_code_access_states, ai_code_coverage_days
from devspend.store.ai_code_tables import ai_code_changes, ai_code_commits
from devspend.sync.ai_code import plan_windows
from devspend.sync.run import SyncResult
from devspend.sync.service import connect_cursor, run_sync
from sync_helpers import DAY_MS, END_MS, VALID_KEY, fake_for, small_team

AI_PATHS = {AI_CODE_COMMITS_PATH, AI_CODE_CHANGES_PATH}


def _connect(engine: sa.Engine, settings: Settings, fake: FakeCursor, now_ms: int) -> int:
    with fake.transport() as transport:
        return connect_cursor(engine, settings, api_key=VALID_KEY, team_name="Acme",
                              transport=transport, now_ms=now_ms).integration_id  # fmt: skip


def _sync(engine: sa.Engine, settings: Settings, fake: FakeCursor, iid: int,
          now_ms: int) -> SyncResult:  # fmt: skip
    with fake.transport() as transport:
        result = run_sync(engine, settings, integration_id=iid, transport=transport,
                          now_ms=now_ms)  # fmt: skip
    assert result.ok, result.message
    return result


def _stored(engine: sa.Engine) -> tuple[set[tuple[str, int]], set[str], int, int]:
    with engine.connect() as conn:
        commits = conn.execute(sa.select(ai_code_commits.c.commit_hash,
                                         ai_code_commits.c.created_at_ms)).all()  # fmt: skip
        changes = conn.execute(sa.select(ai_code_changes.c.change_id)).all()
    return ({(h, int(t)) for h, t in commits}, {c for (c,) in changes}, len(commits), len(changes))


def _truth(fake: FakeCursor, now_ms: int) -> tuple[set[tuple[str, int]], set[str]]:
    from devspend.cursor.ai_code_schemas import parse_ai_change, parse_ai_commit

    commits = fake.ai_code.items("commits", start_ms=0, end_ms=now_ms, user=None, now_ms=now_ms)
    changes = fake.ai_code.items("changes", start_ms=0, end_ms=now_ms, user=None, now_ms=now_ms)
    return (
        {(c.commit_hash, c.created_at_ms) for c in map(parse_ai_commit, commits)},
        {c.change_id for c in map(parse_ai_change, changes)},
    )


def _ai_requests(fake: FakeCursor, status: int | None = None) -> int:
    return sum(1 for _, p, s in fake.request_log if p in AI_PATHS and status in (None, s))


def test_backfill_stores_every_commit_and_change_exactly(
    engine: sa.Engine, settings: Settings
) -> None:
    fake = fake_for(small_team(members=6, days=120, history_days=120))
    iid = _connect(engine, settings, fake, END_MS)
    _sync(engine, settings, fake, iid, END_MS)
    commits, changes, n_commits, n_changes = _stored(engine)
    truth_commits, truth_changes = _truth(fake, END_MS)
    assert commits == truth_commits
    assert changes == truth_changes
    assert (n_commits, n_changes) == (len(truth_commits), len(truth_changes))
    hashes = [h for h, _ in commits]
    assert len(hashes) > len(set(hashes))  # amended commits: both rows kept
    with engine.connect() as conn:
        coverage = ai_code_coverage_days(conn, integration_id=iid, endpoint="commits")
        [access] = ai_code_access_states(conn)
    today = date(2026, 11, 20)
    assert coverage[today] == "partial"
    assert coverage[today - timedelta(days=10)] == "complete"
    assert access.status == "ok"


def test_a_second_sync_is_304s_and_changes_nothing(engine: sa.Engine, settings: Settings) -> None:
    fake = fake_for(small_team(members=5, days=60, history_days=60))
    iid = _connect(engine, settings, fake, END_MS)
    _sync(engine, settings, fake, iid, END_MS)
    before = _stored(engine)
    fake.request_log.clear()
    _sync(engine, settings, fake, iid, END_MS)
    assert _stored(engine) == before
    asked = _ai_requests(fake)
    assert asked >= 2
    assert _ai_requests(fake, 304) == asked  # the look-back re-read cost nothing


def test_incremental_syncs_pick_up_new_commits_within_the_look_back(
    engine: sa.Engine, settings: Settings
) -> None:
    clock = {"now": END_MS - 3 * DAY_MS}
    fake = fake_for(small_team(members=6, days=40, history_days=40),
                    clock_ms=lambda: clock["now"])  # fmt: skip
    iid = _connect(engine, settings, fake, clock["now"])
    _sync(engine, settings, fake, iid, clock["now"])
    early = _stored(engine)
    assert early[:2] == _truth(fake, clock["now"])
    for step in (5 * 3_600_000, DAY_MS, 2 * DAY_MS - 5 * 3_600_000):
        clock["now"] += step
        fake.request_log.clear()
        _sync(engine, settings, fake, iid, clock["now"])
        assert _stored(engine)[:2] == _truth(fake, clock["now"])
        assert _ai_requests(fake) <= 4  # the look-back only, one page per endpoint
    assert len(_stored(engine)[0]) > len(early[0])


def _denied(engine: sa.Engine, settings: Settings, denial: int) -> tuple[SyncResult, Any]:
    fake = fake_for(small_team(members=4, days=30, history_days=30),
                    ai_code_enabled=False, ai_code_denial=denial)  # fmt: skip
    iid = _connect(engine, settings, fake, END_MS)
    result = _sync(engine, settings, fake, iid, END_MS)
    with engine.connect() as conn:
        [access] = ai_code_access_states(conn, integration_ids=[iid])
    return result, access


def test_a_team_without_ai_code_tracking_syncs_everything_else(
    engine: sa.Engine, settings: Settings
) -> None:
    for denial in (403, 401):  # a 401 here is "no access", not a revoked key
        result, access = _denied(engine, settings, denial)
        assert result.ok
        assert result.events > 0
        assert access.status == "denied"
        assert "AI Code Tracking" in access.message
        assert any(n.startswith("ai_code_commits skipped") for n in result.notes)
    assert _stored(engine)[2:] == (0, 0)


def test_windows_are_newest_first_and_skip_complete_days() -> None:
    today = date(2026, 11, 20)
    first = today - timedelta(days=99)
    def plan(cov: dict[date, str]) -> list[tuple[date, date]]:
        return plan_windows(
            first=first, today=today, recent_first_day=today - timedelta(days=2), coverage=cov
        )
    windows = plan({})
    assert windows[0] == (today - timedelta(days=2), today)  # the look-back, on its own
    assert windows[1] == (today - timedelta(days=32), today - timedelta(days=3))
    assert windows[-1][0] == first
    assert all((hi - lo).days < 30 for lo, hi in windows)
    assert sum((hi - lo).days + 1 for lo, hi in windows) == 100
    done = {first + timedelta(days=i): "complete" for i in range(100)}
    assert plan(done) == [(today - timedelta(days=2), today)]  # the look-back only
    done[first + timedelta(days=5)] = "partial"
    assert plan(done)[-1] == (first + timedelta(days=5), first + timedelta(days=5))
