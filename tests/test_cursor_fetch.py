"""Fetching usage events from the fake Cursor, in-process and over loopback: exact totals.

Every figure that comes out of the client (counts, tokens, cents, per user, model
and kind) must equal the generator's ground truth, across windows, page sizes and
window edges.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import fields
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from devspend.cursor.client import EVENTS_PATH, CursorClient
from devspend.cursor.clock import FakeClock
from devspend.cursor.endpoints import iter_usage_event_pages, iter_usage_events
from devspend.cursor.fake import FakeCursor, SyntheticTeam, serve_fake_cursor
from devspend.cursor.fake.totals import Tally, Totals
from devspend.cursor.schemas import UsageEvent
from devspend.cursor.windows import DAY_MS, split_windows

KEY = "key_test_valid_0001"
END_MS = int(datetime(2026, 11, 25, tzinfo=UTC).timestamp() * 1000) - 1
SCALARS = [f.name for f in fields(Tally)]


def tally(events: Iterable[UsageEvent]) -> dict[str, Any]:
    """The client's view of the same sums as the fake's ``Tally``, from parsed records."""
    out: dict[str, Any] = dict.fromkeys(SCALARS, 0)
    for name in ("total_cents", "charged_cents", "chargeable_cents", "cursor_token_fee",
                 "requests_costs"):  # fmt: skip
        out[name] = Decimal(0)
    out["origin_events"], out["origin_cents"] = {}, {}
    for e in events:
        origin = ("automation" if e.automation_id else "service_account"
                  if e.service_account_id else "cloud_agent" if e.cloud_agent_id
                  else "headless" if e.is_headless else "interactive")  # fmt: skip
        out["origin_events"][origin] = out["origin_events"].get(origin, 0) + 1
        out["origin_cents"][origin] = out["origin_cents"].get(origin, Decimal(0)) + (
            e.charged_cents or 0)
        out["events"] += 1
        out["input_tokens"] += e.input_tokens
        out["output_tokens"] += e.output_tokens
        out["cache_write_tokens"] += e.cache_write_tokens
        out["cache_read_tokens"] += e.cache_read_tokens
        out["total_cents"] += e.total_cents or 0
        out["charged_cents"] += e.charged_cents or 0
        out["chargeable_cents"] += (e.charged_cents or 0) if e.is_chargeable else 0
        out["cursor_token_fee"] += e.cursor_token_fee or 0
        out["requests_costs"] += e.requests_costs or 0
        out["max_mode_events"] += e.max_mode
        out["headless_events"] += e.is_headless
    return out


def expected(t: Tally) -> dict[str, Any]:
    return {name: getattr(t, name) for name in SCALARS}


def assert_matches(events: list[UsageEvent], truth: Totals) -> None:
    assert tally(events) == expected(truth)
    for key, attr in (("by_user", "user_email"), ("by_model", "model"), ("by_kind", "kind")):
        groups: dict[str, list[UsageEvent]] = {}
        for e in events:
            groups.setdefault(getattr(e, attr), []).append(e)
        truth_groups: dict[str, Tally] = getattr(truth, key)
        assert {k: tally(v) for k, v in groups.items()} == {
            k: expected(v) for k, v in truth_groups.items()
        }


@pytest.fixture(scope="module")
def team() -> SyntheticTeam:
    return SyntheticTeam(seed=7, members=8, end_ms=END_MS, days=365, events_per_member_day=3.0)


Connect = Callable[..., CursorClient]


@pytest.fixture(params=["in-process", "loopback"])
def connect(request: pytest.FixtureRequest) -> Iterator[Connect]:
    """Builds a client wired to a given fake, by the transport under test."""
    with ExitStack() as stack:

        def build(fake: FakeCursor, **kwargs: Any) -> CursorClient:
            kwargs.setdefault("clock", FakeClock())
            kwargs.setdefault("rpm", 1e9)
            kwargs.setdefault("events_rpm", 1e9)
            if request.param == "in-process":
                kwargs.update(base_url="http://fake-cursor", transport=fake.transport())
            else:
                kwargs["base_url"] = stack.enter_context(serve_fake_cursor(fake, port=0))
            return stack.enter_context(CursorClient(api_key=KEY, **kwargs))

        yield build


def roomy_fake(team: SyntheticTeam, **kwargs: Any) -> FakeCursor:
    """A fake whose rate limits never bite, for tests about data rather than politeness."""
    names = ("members", "daily-usage-data", "filtered-usage-events", "spend", "groups")
    kwargs.setdefault("rate_limits", dict.fromkeys(names, 100_000))
    return FakeCursor(team=team, valid_keys={KEY}, **kwargs)


def test_a_year_of_events_equals_the_ground_truth(team: SyntheticTeam, connect: Connect) -> None:
    fake = roomy_fake(team)
    client = connect(fake)
    start = END_MS - 365 * DAY_MS + 1
    events = list(iter_usage_events(client, start_ms=start, end_ms=END_MS))
    truth = team.expected_totals(start_ms=start, end_ms=END_MS)
    assert truth.events > 3_000
    assert_matches(events, truth)
    assert any(e.kind not in {"Usage-based", "Included in Business", "Errored, Not Charged"}
               for e in events)  # fmt: skip
    assert sum(1 for _, path, _ in fake.request_log if path == EVENTS_PATH) >= 13  # windows


def test_small_pages_walk_every_page_and_lose_nothing(
    team: SyntheticTeam, connect: Connect
) -> None:
    fake = roomy_fake(team)
    client = connect(fake)
    start = END_MS - 45 * DAY_MS
    pages = list(iter_usage_event_pages(client, start_ms=start, end_ms=END_MS, page_size=97))
    assert len({p.window for p in pages}) == 2
    for window, group in itertools.groupby(pages, key=lambda p: p.window):
        numbered = list(group)
        assert [p.page for p in numbered] == list(range(1, numbered[0].num_pages + 1))
        assert sum(len(p.events) for p in numbered) == numbered[0].total_events
        assert window[0] >= start
    events = [e for p in pages for e in p.events]
    assert_matches(events, team.expected_totals(start_ms=start, end_ms=END_MS))


def test_one_members_events_via_the_email_filter(team: SyntheticTeam, connect: Connect) -> None:
    email = team.members()[0]["email"]
    client = connect(roomy_fake(team))
    start = END_MS - 60 * DAY_MS
    events = list(iter_usage_events(client, start_ms=start, end_ms=END_MS, email=email))
    assert {e.user_email for e in events} <= {email}
    assert_matches(events, team.expected_totals(start_ms=start, end_ms=END_MS, email=email))


def test_events_exactly_on_window_edges_are_counted_once(
    team: SyntheticTeam, connect: Connect
) -> None:
    client = connect(roomy_fake(team))
    some = next(team.iter_events(start_ms=END_MS - 100 * DAY_MS, end_ms=END_MS - 90 * DAY_MS))
    edge = int(some["timestamp"])
    # First window ends exactly on the event, then one where the second window starts on it.
    for start in (edge - 30 * DAY_MS + 1, edge - 30 * DAY_MS):
        end = start + 40 * DAY_MS
        windows = split_windows(start_ms=start, end_ms=end)
        assert edge in {windows[0][1], windows[1][0]}  # the event really sits on the edge
        events = list(iter_usage_events(client, start_ms=start, end_ms=end, page_size=1000))
        at_edge = [e for e in events if e.timestamp_ms == edge]
        truth = team.expected_totals(start_ms=start, end_ms=end)
        assert len(at_edge) == sum(1 for x in team.iter_events(start_ms=edge, end_ms=edge))
        assert_matches(events, truth)


def test_events_stream_page_by_page(team: SyntheticTeam, connect: Connect) -> None:
    fake = roomy_fake(team)
    client = connect(fake)
    events = iter_usage_events(client, start_ms=END_MS - 300 * DAY_MS, end_ms=END_MS)
    next(events)
    assert sum(1 for _, p, _ in fake.request_log if p == EVENTS_PATH) == 1
