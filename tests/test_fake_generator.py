"""The synthetic team: deterministic, realistic, and its totals are exact."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from devspend.cursor.fake import SyntheticTeam
from devspend.cursor.fake.catalog import KIND_UNSEEN, KIND_USAGE_BASED
from devspend.cursor.fake.totals import wire_decimal

DAY = 86_400_000
END = int(datetime(2026, 6, 15, 12, 30, tzinfo=UTC).timestamp() * 1000)


@pytest.fixture(scope="module")
def team() -> SyntheticTeam:
    return SyntheticTeam(seed=7, members=60, end_ms=END, days=365, duplicate_rate=0.05)


@pytest.fixture(scope="module")
def quarter(team: SyntheticTeam) -> list[dict]:
    return list(team.iter_events(start_ms=END - 90 * DAY, end_ms=END))


def test_same_seed_same_events_and_other_seed_differs() -> None:
    def sample(seed: int) -> list[dict]:
        t = SyntheticTeam(seed=seed, members=8, end_ms=END, days=30)
        return list(t.iter_events(start_ms=END - 10 * DAY, end_ms=END))

    assert sample(3) == sample(3)
    assert sample(3) != sample(4)


def test_a_day_is_the_same_whatever_range_it_is_generated_in(team: SyntheticTeam) -> None:
    day_start = (END // DAY - 5) * DAY
    alone = list(team.iter_events(start_ms=day_start, end_ms=day_start + DAY - 1))
    within = [
        e
        for e in team.iter_events(start_ms=END - 20 * DAY, end_ms=END)
        if day_start <= int(e["timestamp"]) < day_start + DAY
    ]
    assert alone == within
    assert alone


def test_events_are_newest_first_and_bounds_inclusive(
    team: SyntheticTeam, quarter: list[dict]
) -> None:
    stamps = [int(e["timestamp"]) for e in quarter]
    assert stamps == sorted(stamps, reverse=True)
    t = stamps[len(stamps) // 2]
    same = [e for e in quarter if int(e["timestamp"]) == t]
    assert list(team.iter_events(start_ms=t, end_ms=t)) == same
    assert all(int(e["timestamp"]) != t for e in team.iter_events(start_ms=t + 1, end_ms=t + DAY))
    assert all(int(e["timestamp"]) != t for e in team.iter_events(start_ms=t - DAY, end_ms=t - 1))


def test_events_sit_exactly_on_day_boundaries(quarter: list[dict]) -> None:
    offsets = {int(e["timestamp"]) % DAY for e in quarter}
    assert 0 in offsets
    assert DAY - 1 in offsets


def test_genuinely_identical_duplicates_are_adjacent(quarter: list[dict]) -> None:
    pairs = [a for a, b in itertools.pairwise(quarter) if a == b]
    assert len(pairs) > 10
    assert all(a is not b for a, b in itertools.pairwise(quarter))


def test_members_mix_removed_joiners_and_id_types(team: SyntheticTeam) -> None:
    rows = team.members()
    assert {type(r["id"]) for r in rows} == {str, int}
    assert {r["role"] for r in rows} >= {"owner", "member"}
    assert any(r.get("isRemoved") for r in rows)
    joiners = [p for p in team.profiles if p.join_ms > team.data_start_ms]
    removed = [p for p in team.profiles if p.removed_ms is not None]
    assert joiners
    assert removed
    for p in joiners[:3] + removed[:3]:
        stamps = [
            int(e["timestamp"])
            for e in team.iter_events(start_ms=END - 365 * DAY, end_ms=END, email=p.email)
        ]
        assert all(p.join_ms <= t for t in stamps)
        assert p.removed_ms is None or all(t < p.removed_ms for t in stamps)


def test_event_shapes_follow_the_reference(quarter: list[dict]) -> None:
    kinds = {e["kind"] for e in quarter}
    assert kinds >= {KIND_USAGE_BASED, "Included in Business", "Errored, Not Charged"}
    assert KIND_UNSEEN in kinds
    models = {e["model"] for e in quarter}
    assert {"claude-4.5-sonnet", "gpt-5", "composer-1", "default"} <= models
    assert any(e["maxMode"] for e in quarter)
    assert any(e.get("isHeadless") for e in quarter)
    assert any("conversationId" not in e for e in quarter)
    assert any("serviceAccountId" in e or "cloudAgentId" in e or "automationId" in e
               or "experimentalBucket" in e for e in quarter)  # fmt: skip
    for e in quarter:
        assert isinstance(e["timestamp"], str)
        assert all(v is not None for v in e.values())
        assert ("tokenUsage" in e) == e["isTokenBasedCall"]
    request_based = [e for e in quarter if not e["isTokenBasedCall"]]
    assert any(isinstance(e["requestsCosts"], float) for e in request_based)
    usage = [e["tokenUsage"] for e in quarter if "tokenUsage" in e]
    reads = sum(u["cacheReadTokens"] for u in usage)
    assert reads > 3 * sum(u["inputTokens"] + u["outputTokens"] for u in usage)


def test_charged_cents_is_total_plus_fee_for_usage_based(quarter: list[dict]) -> None:
    fees = 0
    for e in quarter:
        if e["kind"] == KIND_USAGE_BASED and e["isTokenBasedCall"]:
            fee = wire_decimal(e.get("cursorTokenFee"))
            fees += "cursorTokenFee" in e
            total = wire_decimal(e["tokenUsage"]["totalCents"])
            assert wire_decimal(e["chargedCents"]) == total + fee
            assert e["isChargeable"] is True
        elif "cursorTokenFee" in e:
            pytest.fail(f"fee on a {e['kind']} event")
    assert 0 < fees < len(quarter)


def test_amounts_round_trip_through_json_text_exactly(quarter: list[dict]) -> None:
    text = json.dumps(quarter)
    parsed = json.loads(text, parse_float=Decimal)
    for wire, exact in zip(quarter, parsed, strict=True):
        for key in ("chargedCents", "cursorTokenFee", "requestsCosts"):
            if key in wire:
                assert wire_decimal(wire[key]) == exact[key]
                assert -Decimal(exact[key]).as_tuple().exponent <= 4
        if "tokenUsage" in wire:
            cents = exact["tokenUsage"]["totalCents"]
            assert wire_decimal(wire["tokenUsage"]["totalCents"]) == cents
    assert any(-Decimal(str(e.get("chargedCents", 0))).as_tuple().exponent == 4 for e in quarter)


def test_expected_totals_equal_sums_of_the_events(team: SyntheticTeam) -> None:
    start, end = END - 20 * DAY, END - 5 * DAY
    events = list(team.iter_events(start_ms=start, end_ms=end))
    totals = team.expected_totals(start_ms=start, end_ms=end)
    assert totals.events == len(events)
    assert totals.charged_cents == sum(wire_decimal(e.get("chargedCents")) for e in events)
    assert totals.cache_read_tokens == sum(
        e["tokenUsage"]["cacheReadTokens"] for e in events if "tokenUsage" in e
    )
    assert sum(t.events for t in totals.by_user.values()) == totals.events
    assert sum(t.charged_cents for t in totals.by_model.values()) == totals.charged_cents
    assert sum(t.total_cents for t in totals.by_kind.values()) == totals.total_cents
    email = next(iter(totals.by_user))
    assert team.expected_totals(start_ms=start, end_ms=end, email=email).events == (
        totals.by_user[email].events
    )


def test_history_start_hides_older_events() -> None:
    team = SyntheticTeam(seed=1, members=10, end_ms=END, days=90, history_days=30)
    assert team.history_start_ms == END - 30 * DAY
    assert not list(team.iter_events(start_ms=END - 60 * DAY, end_ms=END - 31 * DAY))
    assert list(team.iter_events(start_ms=END - 29 * DAY, end_ms=END))


def test_late_and_revised_events_depend_on_the_moment_of_asking() -> None:
    team = SyntheticTeam(seed=2, members=20, end_ms=END, days=10, late_rate=0.5)
    start = END - 2 * DAY
    final = list(team.iter_events(start_ms=start, end_ms=END))
    now = list(team.iter_events(start_ms=start, end_ms=END, as_of_ms=END))
    later = list(team.iter_events(start_ms=start, end_ms=END, as_of_ms=END + 10 * 3_600_000))
    assert len(now) < len(final)
    assert later == final
    final_charged = team.expected_totals(start_ms=start, end_ms=END - 6 * 3_600_000).charged_cents
    early_charged = team.expected_totals(
        start_ms=start, end_ms=END - 6 * 3_600_000, as_of_ms=END - 6 * 3_600_000
    ).charged_cents
    assert early_charged < final_charged


def test_a_day_of_a_benchmark_sized_team_is_generated_on_demand() -> None:
    big = SyntheticTeam(seed=7, members=2000, end_ms=END, days=365, events_per_member_day=13.7)
    day_start = (END // DAY - 1) * DAY
    events = big.iter_events(start_ms=day_start, end_ms=day_start + DAY - 1)
    first = next(events)
    assert int(first["timestamp"]) <= day_start + DAY - 1
    count = 1 + sum(1 for _ in events)
    assert 2000 * 13.7 * 0.2 < count < 2000 * 13.7 * 3
