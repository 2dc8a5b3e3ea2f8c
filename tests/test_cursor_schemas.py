"""Tolerant parsing: old and new wire shapes give the same records; money stays exact."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from devspend.cursor.schemas import (
    decode_json,
    parse_billing_groups,
    parse_daily_usage_row,
    parse_member,
    parse_member_spend,
    parse_usage_event,
)
from devspend.errors import CursorProtocolError

EVENT = """{"timestamp": "1778150000123", "userEmail": "ada@example.com",
 "model": "claude-4.5-sonnet", "kind": "Usage-based", "maxMode": false, "requestsCosts": 1.4,
 "isTokenBasedCall": true, "isChargeable": true, "isHeadless": false,
 "tokenUsage": {"inputTokens": 900, "outputTokens": 300, "cacheWriteTokens": 2000,
                "cacheReadTokens": 15000, "totalCents": 7.5123456789},
 "chargedCents": 8.1, "cursorTokenFee": 0.6, "brandNewField": {"x": 1}}"""


def test_fractional_cents_are_exact_decimals() -> None:
    event = parse_usage_event(decode_json(EVENT))
    assert event.total_cents == Decimal("7.5123456789")
    assert event.charged_cents == Decimal("8.1")
    assert event.cursor_token_fee == Decimal("0.6")
    assert event.requests_costs == Decimal("1.4")
    assert sum([event.charged_cents] * 10, Decimal(0)) == Decimal("81.0")


def test_timestamp_string_becomes_int_ms_and_a_utc_day() -> None:
    event = parse_usage_event(decode_json(EVENT))
    assert event.timestamp_ms == 1_778_150_000_123
    assert event.day == date(2026, 5, 7)


def test_unknown_fields_are_ignored_but_kept_in_raw() -> None:
    event = parse_usage_event(decode_json(EVENT))
    assert event.raw["brandNewField"] == {"x": 1}
    assert '"brandNewField":{"x":1}' in event.raw_json


def test_absent_optional_fields_become_none_or_zero() -> None:
    body = decode_json(
        '{"timestamp": "1778149000000", "userEmail": "bo@example.com", "model": "composer-1",'
        ' "kind": "Included in Business", "requestsCosts": 1, "isTokenBasedCall": false}'
    )
    event = parse_usage_event(body)
    assert event.total_cents is None
    assert event.charged_cents is None
    assert event.cursor_token_fee is None
    assert event.is_chargeable is None
    assert event.conversation_id is None
    assert (event.input_tokens, event.cache_read_tokens) == (0, 0)
    assert event.is_headless is False


def test_unknown_kinds_are_kept_verbatim() -> None:
    body = decode_json('{"timestamp": "1", "kind": "Free Credit (Promotional)"}')
    assert parse_usage_event(body).kind == "Free Credit (Promotional)"


def test_a_numeric_timestamp_is_accepted_and_a_bad_one_refused() -> None:
    assert parse_usage_event({"timestamp": 12}).timestamp_ms == 12
    with pytest.raises(CursorProtocolError, match="bad timestamp"):
        parse_usage_event({"timestamp": "yesterday"})
    with pytest.raises(CursorProtocolError, match="without 'timestamp'"):
        parse_usage_event({"userEmail": "a@b"})


def test_identical_events_share_a_fingerprint_and_differ_otherwise() -> None:
    a = parse_usage_event(decode_json(EVENT))
    b = parse_usage_event(decode_json(EVENT))
    c = parse_usage_event(decode_json(EVENT.replace("0123", "0124")))
    assert a.fingerprint == b.fingerprint != c.fingerprint


@pytest.mark.parametrize("user_id", ["user_A1b2", 42])
def test_member_ids_as_string_or_number(user_id: object) -> None:
    member = parse_member({"id": user_id, "email": "ada@example.com", "role": "owner"})
    assert member.user_id == str(user_id)
    assert member.is_removed is None  # absent, not False


def test_daily_row_from_new_day_or_old_ms_date() -> None:
    new = parse_daily_usage_row({"userId": 7, "day": "2026-05-07", "isActive": False})
    old = parse_daily_usage_row({"userId": "7", "date": 1_778_112_000_000, "chatRequests": 3})
    assert new.day == old.day == date(2026, 5, 7)
    assert new.user_id == old.user_id == "7"
    assert old.counters["chatRequests"] == 3
    assert new.counters["chatRequests"] == 0
    assert new.is_active is False


def test_member_spend_keeps_fractional_cents_and_null_limits() -> None:
    body = decode_json(
        '{"userId": 1, "email": "a@b", "spendCents": 1234.5678, "monthlyLimitDollars": null,'
        ' "hardLimitOverrideDollars": 0, "fastPremiumRequests": 12}'
    )
    spend = parse_member_spend(body)
    assert spend.spend_cents == Decimal("1234.5678")
    assert spend.monthly_limit_dollars is None
    assert spend.hard_limit_override_dollars == 0


def test_billing_groups_with_an_unassigned_group() -> None:
    groups = parse_billing_groups(
        {
            "groups": [{"id": "group_1", "name": "Eng", "type": "BILLING", "spendCents": 1.5,
                        "currentMembers": [{"userId": 1, "email": "a@b", "joinedAt": 5}]}],
            "unassignedGroup": {"name": "Unassigned", "currentMembers": []},
            "billingCycle": {"cycleStart": "2026-05-01", "cycleEnd": 1_780_271_999_999},
        }
    )  # fmt: skip
    assert groups.groups[0].current_members[0].joined_at_ms == 5
    assert groups.unassigned is not None
    assert groups.unassigned.group_id == "unassigned"
    assert groups.cycle_start == date(2026, 5, 1)
    assert groups.cycle_end == date(2026, 5, 31)


def test_iso_membership_times_keep_every_millisecond() -> None:
    # 15:54:43.735 is one of the instants float seconds * 1000 turns into ...734.
    groups = parse_billing_groups(
        {"groups": [{"id": "g", "name": "G", "currentMembers": [
            {"email": "a@b", "joinedAt": "2004-09-23T15:54:43.735Z",
             "leftAt": "1970-01-01T00:00:00.001"}
        ]}]}
    )  # fmt: skip
    member = groups.groups[0].current_members[0]
    assert member.joined_at_ms == 1_095_954_883_735
    assert member.left_at_ms == 1


def test_a_body_that_is_not_json_is_a_protocol_error() -> None:
    with pytest.raises(CursorProtocolError, match="not JSON"):
        decode_json("<html>")
