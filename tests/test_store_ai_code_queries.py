"""AI code reads: an amended commit counts once (its latest row), sums match the fake."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import sqlalchemy as sa

from devspend.cursor.ai_code_schemas import AiCommit, parse_ai_change, parse_ai_commit
from devspend.settings import Settings
from devspend.store.ai_code_queries import ai_code_stored, change_totals, commit_totals
from sync_helpers import END_MS, connect_and_sync, fake_for, small_team

TODAY = date(2026, 11, 20)


def _latest(fake_items: list[dict[str, object]]) -> list[AiCommit]:
    latest: dict[str, AiCommit] = {}
    for c in map(parse_ai_commit, fake_items):
        if c.commit_hash not in latest or c.created_at_ms > latest[c.commit_hash].created_at_ms:
            latest[c.commit_hash] = c
    return list(latest.values())


def test_commit_and_change_totals_match_the_fake(engine: sa.Engine, settings: Settings) -> None:
    fake = fake_for(small_team(members=6, days=60, history_days=60))
    connect_and_sync(engine, settings, fake, days=60)
    start, end = TODAY - timedelta(days=25), TODAY - timedelta(days=2)
    items = fake.ai_code.items("commits", start_ms=0, end_ms=END_MS, user=None, now_ms=END_MS)
    commits = [c for c in _latest(items) if start <= c.day <= end]
    assert len(commits) < sum(1 for i in items if start <= parse_ai_commit(i).day <= end)
    truth: dict[str, list[int]] = defaultdict(lambda: [0] * 6)
    for c in commits:
        t = truth[c.email]
        ai = c.tab_lines_added + c.composer_lines_added
        t[0] += 1
        t[1] += ai > 0
        t[2] += c.tab_lines_added
        t[3] += c.composer_lines_added
        t[4] += c.non_ai_lines_added
        t[5] += bool(c.is_primary_branch) and ai > 0
    with engine.connect() as conn:
        by_email = commit_totals(conn, start=start, end=end, by="email")
        by_repo = commit_totals(conn, start=start, end=end, by="repo")
        changes = change_totals(conn, start=start, end=end, by="email")
        by_model = change_totals(conn, start=start, end=end, by="model")
        assert ai_code_stored(conn)
        assert not ai_code_stored(conn, integration_id=999)
    assert {e: [t.commits, t.ai_commits, t.tab_lines, t.composer_lines, t.non_ai_lines,
                t.primary_ai_commits] for e, t in by_email.items()} == truth  # fmt: skip
    assert sum(t.commits for t in by_repo.values()) == len(commits)
    assert None in by_repo  # commits Cursor could not place in a repo
    change_items = [parse_ai_change(i) for i in fake.ai_code.items(
        "changes", start_ms=0, end_ms=END_MS, user=None, now_ms=END_MS)]  # fmt: skip
    in_period = [c for c in change_items if start <= c.day <= end]
    assert sum(t.tab_changes + t.composer_changes for t in changes.values()) == len(in_period)
    assert sum(t.composer_lines for t in changes.values()) == sum(
        c.total_lines_added for c in in_period if c.source == "COMPOSER")
    assert by_model[None].composer_changes < sum(t.composer_changes for t in by_model.values())
    assert by_model[None].tab_changes == sum(t.tab_changes for t in changes.values())
