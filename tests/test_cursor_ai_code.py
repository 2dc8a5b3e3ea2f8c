"""The AI Code Tracking client against the fake: pages, ETags and 304s, 429s, 401/403, amends."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from devspend.cursor.ai_code import (
    CHANGES,
    COMMITS,
    Known,
    iter_ai_changes,
    iter_ai_code_pages,
    iter_ai_commits,
)
from devspend.cursor.client import AI_CODE_CHANGES_PATH, AI_CODE_COMMITS_PATH, CursorClient
from devspend.cursor.clock import FakeClock
from devspend.cursor.fake import FakeCursor, SyntheticTeam
from devspend.errors import CursorAuthError, CursorPlanError, CursorProtocolError

KEY = "key_test_valid_0001"
END_MS = int(datetime(2026, 11, 25, tzinfo=UTC).timestamp() * 1000) - 1
LAST = date(2026, 11, 24)
FIRST = LAST - timedelta(days=20)


@pytest.fixture(scope="module")
def team() -> SyntheticTeam:
    return SyntheticTeam(seed=3, members=10, end_ms=END_MS, days=120, events_per_member_day=3.0)


@pytest.fixture
def fake(team: SyntheticTeam) -> FakeCursor:
    return FakeCursor(team=team, valid_keys={KEY})


@pytest.fixture
def client(fake: FakeCursor) -> Iterator[CursorClient]:
    with CursorClient(
        api_key=KEY, base_url="http://fake", transport=fake.transport(), clock=FakeClock(),
        rpm=10**6,
    ) as c:  # fmt: skip
        yield c


def _truth(fake: FakeCursor, endpoint: str) -> list[dict[str, object]]:
    return fake.ai_code.items(
        endpoint, start_ms=int(datetime(2026, 11, 4, tzinfo=UTC).timestamp() * 1000),
        end_ms=END_MS, user=None, now_ms=END_MS,
    )  # fmt: skip


def test_commits_read_every_page_once(fake: FakeCursor, client: CursorClient) -> None:
    commits = list(iter_ai_commits(client, first=FIRST, last=LAST, page_size=50))
    truth = _truth(fake, COMMITS)
    assert len(truth) > 150  # several pages
    assert [(c.commit_hash, c.created_at_ms) for c in commits] == [
        (t["commitHash"], c.created_at_ms) for t, c in zip(truth, commits, strict=True)
    ]
    pages = sum(1 for _, p, s in fake.request_log if p == AI_CODE_COMMITS_PATH and s == 200)
    assert pages == -(-len(truth) // 50)  # stops at page · pageSize ≥ totalCount


def test_amended_commits_come_back_with_the_same_hash(client: CursorClient) -> None:
    commits = list(iter_ai_commits(client, first=FIRST - timedelta(days=60), last=LAST))
    by_hash = Counter(c.commit_hash for c in commits)
    amended = [h for h, n in by_hash.items() if n > 1]
    assert amended
    keys = {(c.commit_hash, c.created_at_ms) for c in commits}
    assert len(keys) == len(commits)  # (hash, createdAt) is the identity
    twice = [c for c in commits if c.commit_hash == amended[0]]
    assert twice[0].commit_ts_ms == twice[1].commit_ts_ms
    assert twice[0].created_at_ms != twice[1].created_at_ms


def test_fake_commits_keep_the_references_invariants(client: CursorClient) -> None:
    commits = list(iter_ai_commits(client, first=FIRST - timedelta(days=60), last=LAST))
    for c in commits:
        assert c.non_ai_lines_added == max(
            0, c.total_lines_added - c.tab_lines_added - c.composer_lines_added
        )
        assert c.non_ai_lines_deleted == max(
            0, c.total_lines_deleted - c.tab_lines_deleted - c.composer_lines_deleted
        )
    assert any(c.non_ai_derived for c in commits)  # null nonAi counts, derived the same way
    assert any(c.tab_lines_added + c.composer_lines_added > c.total_lines_added for c in commits)
    assert any(c.is_primary_branch is None for c in commits)
    assert any(c.repo_name is None for c in commits)
    assert {c.is_primary_branch for c in commits} == {True, False, None}
    assert {c.commit_source for c in commits} == {"ide", "cli", "cloud"}


def test_fake_changes_keep_the_references_invariants(client: CursorClient) -> None:
    changes = list(iter_ai_changes(client, first=FIRST, last=LAST))
    assert {c.source for c in changes} == {"TAB", "COMPOSER"}
    for c in changes:
        assert c.total_lines_added == sum(f.lines_added for f in c.files)
        assert c.total_lines_deleted == sum(f.lines_deleted for f in c.files)
        if c.source == "TAB":
            assert c.model is None
    assert any(c.model for c in changes if c.source == "COMPOSER")
    assert any(f.file_name is None for c in changes for f in c.files)  # privacy mode
    assert len({c.change_id for c in changes}) == len(changes)


def test_ai_code_is_on_the_same_people_and_days_as_usage_events(
    team: SyntheticTeam, client: CursorClient
) -> None:
    commits = list(iter_ai_commits(client, first=FIRST, last=LAST))
    changes = list(iter_ai_changes(client, first=FIRST, last=LAST))
    active = {
        (e["userEmail"], datetime.fromtimestamp(int(e["timestamp"]) / 1000, tz=UTC).date())
        for e in team.iter_events(start_ms=END_MS - 40 * 86_400_000, end_ms=END_MS)
    }
    commit_days = {(c.email, c.day) for c in commits}
    assert commit_days <= active
    assert {(c.email, c.day) for c in changes} <= active
    assert {c.email for c in commits} <= {m["email"] for m in team.members()}


def test_unchanged_pages_answer_304_without_costing_rate_limit(
    fake: FakeCursor, client: CursorClient
) -> None:
    pages = list(iter_ai_code_pages(client, CHANGES, first=FIRST, last=LAST, page_size=50))
    assert len(pages) > 3
    known = {p.key: Known(etag=p.etag or "", total_count=p.total_count) for p in pages}
    assert all(p.etag and p.etag.startswith('"') for p in pages)
    fake.limiter = type(fake.limiter)(limits={"ai-code-changes": 1}, window_seconds=3600,
                                      clock=lambda: 0.0)  # fmt: skip
    again = list(iter_ai_code_pages(client, CHANGES, first=FIRST, last=LAST, page_size=50,
                                    known=known.get))  # fmt: skip
    assert [p.number for p in again] == [p.number for p in pages]
    assert all(p.not_modified and not p.items for p in again)
    assert client.stats.not_modified[AI_CODE_CHANGES_PATH] == len(pages)
    # the limit of 1 request an hour is untouched: a real request still gets through
    assert len(list(iter_ai_changes(client, first=LAST, last=LAST))) > 0


def test_a_changed_page_is_read_again(fake: FakeCursor, client: CursorClient) -> None:
    pages = list(iter_ai_code_pages(client, COMMITS, first=FIRST, last=LAST, page_size=1000))
    stale = {p.key: Known(etag='"not-the-current-tag"', total_count=1) for p in pages}
    again = list(iter_ai_code_pages(client, COMMITS, first=FIRST, last=LAST, page_size=1000,
                                    known=stale.get))  # fmt: skip
    assert not again[0].not_modified
    assert len(again[0].items) == len(pages[0].items)


def test_429s_are_waited_out(team: SyntheticTeam) -> None:
    fake = FakeCursor(team=team, valid_keys={KEY}, minute_seconds=0.2,
                      rate_limits={"ai-code-commits": 2})  # fmt: skip
    with CursorClient(api_key=KEY, base_url="http://fake", transport=fake.transport(),
                      rpm=10**6) as client:  # fmt: skip
        commits = list(iter_ai_commits(client, first=FIRST, last=LAST, page_size=40))
        assert client.stats.rate_limited[AI_CODE_COMMITS_PATH] > 0
    assert len(commits) == len(_truth(fake, COMMITS))


@pytest.mark.parametrize(("denial", "error"), [(403, CursorPlanError), (401, CursorAuthError)])
def test_a_team_without_ai_code_tracking_is_refused(
    team: SyntheticTeam, denial: int, error: type[Exception]
) -> None:
    fake = FakeCursor(team=team, valid_keys={KEY}, ai_code_enabled=False, ai_code_denial=denial)
    with CursorClient(api_key=KEY, base_url="http://fake", transport=fake.transport(),
                      clock=FakeClock()) as client:  # fmt: skip
        with pytest.raises(error):
            list(iter_ai_commits(client, first=FIRST, last=LAST))
        assert client.get("/teams/members")["teamMembers"]  # the rest still works


def test_page_size_over_1000_is_refused_by_the_fake(fake: FakeCursor) -> None:
    with fake.transport() as transport, httpx.Client(transport=transport,
                                                     base_url="http://fake") as http:
        response = http.get(AI_CODE_COMMITS_PATH, params={"pageSize": "1001"}, auth=(KEY, ""))
    assert response.status_code == 400
    assert json.loads(response.content)["error"] == "Bad Request"


def _repeating_transport(total: int) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        body = {"items": [{"commitHash": "abc", "createdAt": "2026-11-01T00:00:00.000Z"}],
                "totalCount": total, "pageSize": 1}  # fmt: skip
        return httpx.Response(200, json=body)

    return httpx.MockTransport(handler)


def test_an_empty_page_claiming_more_is_caught() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"items": [], "totalCount": 3})

    with (
        CursorClient(api_key=KEY, base_url="http://x", transport=httpx.MockTransport(handler),
                     clock=FakeClock()) as client,
        pytest.raises(CursorProtocolError, match="empty"),
    ):  # fmt: skip
        list(iter_ai_commits(client, first=FIRST, last=LAST, page_size=1))


def test_a_server_repeating_a_page_is_caught() -> None:
    with (
        CursorClient(api_key=KEY, base_url="http://x", transport=_repeating_transport(5),
                     clock=FakeClock()) as client,
        pytest.raises(CursorProtocolError, match="repeats"),
    ):  # fmt: skip
        list(iter_ai_commits(client, first=FIRST, last=LAST, page_size=1))


def test_a_page_echoing_another_number_is_caught() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        item = {"commitHash": f"h{page}", "createdAt": "2026-11-01T00:00:00.000Z"}
        return httpx.Response(200, json={"items": [item], "totalCount": 3, "page": 1})

    with (
        CursorClient(api_key=KEY, base_url="http://x", transport=httpx.MockTransport(handler),
                     clock=FakeClock()) as client,
        pytest.raises(CursorProtocolError, match="asked for page"),
    ):  # fmt: skip
        list(iter_ai_commits(client, first=FIRST, last=LAST, page_size=1))


def test_user_filter_takes_email_or_id(fake: FakeCursor, team: SyntheticTeam) -> None:
    member = team.profiles[1]
    by_email = fake.ai_code.items(COMMITS, start_ms=0, end_ms=END_MS, user=member.email.upper(),
                                  now_ms=END_MS)  # fmt: skip
    by_id = fake.ai_code.items(COMMITS, start_ms=0, end_ms=END_MS, user=str(member.user_id),
                               now_ms=END_MS)  # fmt: skip
    assert by_email
    assert by_email == by_id
    assert {c["userEmail"] for c in by_email} == {member.email}
