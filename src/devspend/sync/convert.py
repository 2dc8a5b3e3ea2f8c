"""Parsed Cursor records → the store's row records (the one place both vocabularies meet)."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, Decimal
from hashlib import blake2b
from typing import Any

from devspend.cursor.schemas import (
    BillingGroup,
    DailyUsageRow,
    Member,
    MemberSpend,
    UsageEvent,
    canonical_json,
    usage_event_values,
)
from devspend.money import MICROS_PER_UNIT, to_micros
from devspend.store.events import StoredEvent
from devspend.store.origins import origin_code
from devspend.store.team_snapshots import (
    DailyUsageRecord,
    GroupMemberRecord,
    GroupRecord,
    PersonRecord,
    SpendRecord,
)


def normalise_email(email: str) -> str:
    """Emails are matched case-insensitively across endpoints, so they are stored lower-case."""
    return email.strip().lower()


@functools.cache
def _canonical_encoder() -> json.JSONEncoder:
    # Built once (on first use): ``json.dumps`` with options builds a new encoder per call.
    # ``default=float`` is the builtin, called without a Python frame; only ``Decimal``
    # can reach it, because decoded JSON holds nothing else that is not serialisable.
    return json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                            default=float)  # fmt: skip


def fast_canonical_json(obj: Mapping[str, Any]) -> str:
    """Exactly :func:`~devspend.cursor.schemas.canonical_json`, but in the C encoder.

    ``canonical_json`` first copies the object turning each ``Decimal`` into a float;
    ``default=float`` does the same conversion inside the encoder without the copy,
    which makes hashing the raw event ~5× cheaper (it dominated ingest time). A test
    pins both to the same output.
    """
    return _canonical_encoder().encode(obj)


def _micros(value: Decimal | int | None) -> int:
    """:func:`~devspend.money.to_micros` without its defensive ``Decimal`` copy: this runs
    four times per ingested event. Same half-even rounding, same result."""
    if value is None:
        return 0
    if type(value) is int:
        return value * MICROS_PER_UNIT
    if type(value) is Decimal:
        return int((value * MICROS_PER_UNIT).to_integral_value(rounding=ROUND_HALF_EVEN))
    return to_micros(value)


def stored_event(event: UsageEvent) -> StoredEvent:
    """The row of one event; the fingerprint equals :attr:`UsageEvent.fingerprint`."""
    return _row(event, fast_canonical_json(event.raw))


def stored_event_text(obj: Mapping[str, Any], text: str) -> StoredEvent:
    """The row of one event as Cursor sent it, in one pass over its fields: ``raw`` is its
    text as received and the fingerprint hashes that text, so no event is encoded again
    (:mod:`devspend.cursor.event_page`). Equals :func:`stored_event` but for ``raw`` and
    the fingerprint (a test pins it)."""
    (ts, email, model, kind, max_mode, requests_costs, token_based, chargeable, headless, inp,
     out, cache_write, cache_read, total, charged, fee, _) = usage_event_values(obj)  # fmt: skip
    get = obj.get
    origin = origin_code(automation=get("automationId") is not None,
                         service_account=get("serviceAccountId") is not None,
                         cloud_agent=get("cloudAgentId") is not None, headless=headless)
    return StoredEvent(
        ts, normalise_email(email), model, kind, max_mode, headless, token_based, chargeable,
        _micros(requests_costs), inp, out, cache_write, cache_read, _micros(total),
        _micros(charged), _micros(fee), blake2b(text.encode(), digest_size=16).hexdigest(), text,
        origin,
    )  # fmt: skip


def _row(event: UsageEvent, raw: str) -> StoredEvent:
    return StoredEvent(
        ts_ms=event.timestamp_ms,
        email=normalise_email(event.user_email),
        model=event.model,
        kind=event.kind,
        max_mode=event.max_mode,
        is_headless=event.is_headless,
        is_token_based=event.is_token_based,
        is_chargeable=event.is_chargeable,
        requests_costs_micros=_micros(event.requests_costs),
        input_tokens=event.input_tokens,
        output_tokens=event.output_tokens,
        cache_write_tokens=event.cache_write_tokens,
        cache_read_tokens=event.cache_read_tokens,
        total_ucents=_micros(event.total_cents),
        charged_ucents=_micros(event.charged_cents),
        token_fee_ucents=_micros(event.cursor_token_fee),
        fingerprint=blake2b(raw.encode(), digest_size=16).hexdigest(),
        raw=raw,
        origin=origin_code(automation=event.automation_id is not None,
                           service_account=event.service_account_id is not None,
                           cloud_agent=event.cloud_agent_id is not None,
                           headless=event.is_headless),
    )


def person_record(member: Member) -> PersonRecord:
    return PersonRecord(
        email=normalise_email(member.email),
        name=member.name,
        cursor_user_id=member.user_id,
        role=member.role,
        is_removed=bool(member.is_removed),
    )


def daily_usage_record(row: DailyUsageRow) -> DailyUsageRecord:
    return DailyUsageRecord(
        day=row.day,
        email=normalise_email(row.email),
        is_active=row.is_active,
        subscription_included_reqs=row.counters.get("subscriptionIncludedReqs", 0),
        usage_based_reqs=row.counters.get("usageBasedReqs", 0),
        api_key_reqs=row.counters.get("apiKeyReqs", 0),
        most_used_model=row.most_used_model,
        raw=canonical_json(row.raw),
    )


def _whole(value: Decimal | None) -> int | None:
    return None if value is None else int(value)


def spend_record(member: MemberSpend) -> SpendRecord:
    return SpendRecord(
        email=normalise_email(member.email),
        spend_ucents=to_micros(member.spend_cents),
        overall_spend_ucents=(
            None if member.overall_spend_cents is None else to_micros(member.overall_spend_cents)
        ),
        fast_premium_requests=member.fast_premium_requests,
        hard_limit_override_dollars=_whole(member.hard_limit_override_dollars),
        monthly_limit_dollars=_whole(member.monthly_limit_dollars),
        effective_per_user_limit_dollars=_whole(member.effective_per_user_limit_dollars),
        raw=canonical_json(member.raw),
    )


def group_record(group: BillingGroup) -> GroupRecord:
    members = tuple(
        GroupMemberRecord(
            email=normalise_email(m.email),
            joined_at_ms=m.joined_at_ms,
            left_at_ms=m.left_at_ms,
            spend_ucents=None if m.spend_cents is None else to_micros(m.spend_cents),
        )
        for m in (*group.current_members, *group.former_members)
    )
    return GroupRecord(
        group_id=group.group_id,
        name=group.name,
        type=group.type,
        member_count=group.member_count,
        spend_ucents=None if group.spend_cents is None else to_micros(group.spend_cents),
        members=members,
    )
