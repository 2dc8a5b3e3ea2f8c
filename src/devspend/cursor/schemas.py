"""Cursor's wire records, parsed tolerantly where the API has drifted and strictly where money is.

Pages are decoded with :func:`decode_json` (floats become ``Decimal``), then each
record is turned into a frozen dataclass. Rules, from the API reference:

* ids may be numbers or strings: they become strings;
* ``timestamp`` is a string of epoch milliseconds: it becomes an ``int``;
* cents are fractional: they stay ``Decimal`` (never float);
* optional fields may be absent: they become ``None`` (or 0 for token counts);
* unknown fields are ignored, but ``raw`` keeps the whole object as received;
* ``kind`` is an open string and is kept verbatim.

A record missing a field devspend cannot do without raises
:class:`~devspend.errors.CursorProtocolError`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from devspend.errors import CursorProtocolError

JsonObject = Mapping[str, Any]


def decode_json(text: str | bytes) -> Any:
    """Decode a response body keeping every non-integer number as an exact ``Decimal``."""
    try:
        return json.loads(text, parse_float=Decimal)
    except ValueError as exc:
        raise CursorProtocolError(f"Cursor sent a body that is not JSON: {exc}") from exc


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        # Decimals came from JSON text, so the float's shortest repr is the same number.
        return float(value)
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def canonical_json(obj: JsonObject) -> str:
    """A stable text form of a raw record (sorted keys, no spaces) for storage and hashing."""
    return json.dumps(_plain(obj), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _req(obj: JsonObject, key: str, what: str) -> Any:
    try:
        value = obj[key]
    except KeyError:
        raise CursorProtocolError(f"{what} without '{key}': {canonical_json(obj)[:200]}") from None
    if value is None:
        raise CursorProtocolError(f"{what} with a null '{key}'")
    return value


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _opt_bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise CursorProtocolError(f"expected a number, got {value!r}")
    if isinstance(value, int | str):
        try:
            return Decimal(value)
        except ArithmeticError as exc:
            raise CursorProtocolError(f"expected a number, got {value!r}") from exc
    if isinstance(value, float):  # only if a caller decoded without decode_json
        return Decimal(repr(value))
    raise CursorProtocolError(f"expected a number, got {value!r}")


def _int(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal | float | str):
        return int(Decimal(str(value)))
    raise CursorProtocolError(f"expected an integer, got {value!r}")


def _opt_int(value: Any) -> int | None:
    return None if value is None else _int(value)


@dataclass(frozen=True, slots=True)
class UsageEvent:
    """One row of ``/teams/filtered-usage-events``; it has no id (docs/events-without-ids.md)."""

    timestamp_ms: int
    user_email: str
    model: str
    kind: str
    max_mode: bool
    requests_costs: Decimal | None
    is_token_based: bool
    is_chargeable: bool | None
    is_headless: bool
    input_tokens: int
    output_tokens: int
    cache_write_tokens: int
    cache_read_tokens: int
    total_cents: Decimal | None
    charged_cents: Decimal | None
    cursor_token_fee: Decimal | None
    conversation_id: str | None
    raw: JsonObject = field(repr=False, compare=False)
    cloud_agent_id: str | None = None
    service_account_id: str | None = None
    service_account_name: str | None = None
    automation_id: str | None = None

    @property
    def raw_json(self) -> str:
        return canonical_json(self.raw)

    @property
    def fingerprint(self) -> str:
        """Hash of the whole raw event: equal for genuinely identical events, by design."""
        return hashlib.blake2b(self.raw_json.encode(), digest_size=16).hexdigest()

    @property
    def day(self) -> date:
        return datetime.fromtimestamp(self.timestamp_ms / 1000, tz=UTC).date()


UsageEventValues = tuple[
    int, str, str, str, bool, Decimal | None, bool, bool | None, bool, int, int, int, int,
    Decimal | None, Decimal | None, Decimal | None, str | None,
]


def usage_event_values(obj: JsonObject) -> UsageEventValues:
    """:class:`UsageEvent`'s fields in order (``raw`` aside), with every parsing rule:
    for callers that build their own record from an event in one pass (sync's rows)."""
    what = "usage event"
    ts = _req(obj, "timestamp", what)
    try:
        timestamp_ms = int(ts)
    except (TypeError, ValueError) as exc:
        raise CursorProtocolError(f"usage event with a bad timestamp {ts!r}") from exc
    get = obj.get
    usage = get("tokenUsage") or {}
    return (
        timestamp_ms,
        str(get("userEmail") or ""),
        str(get("model") or "unknown"),
        str(get("kind") or "Unknown"),
        bool(get("maxMode", False)),
        _decimal(get("requestsCosts")),
        bool(get("isTokenBasedCall", bool(usage))),
        _opt_bool(get("isChargeable")),
        bool(get("isHeadless", False)),
        _int(usage.get("inputTokens")),
        _int(usage.get("outputTokens")),
        _int(usage.get("cacheWriteTokens")),
        _int(usage.get("cacheReadTokens")),
        _decimal(usage.get("totalCents")),
        _decimal(get("chargedCents")),
        _decimal(get("cursorTokenFee")),
        _opt_str(get("conversationId")),
    )


def parse_usage_event(obj: JsonObject) -> UsageEvent:
    return UsageEvent(
        *usage_event_values(obj), raw=obj,
        cloud_agent_id=_opt_str(obj.get("cloudAgentId")),
        service_account_id=_opt_str(obj.get("serviceAccountId")),
        service_account_name=_opt_str(obj.get("serviceAccountName")),
        automation_id=_opt_str(obj.get("automationId")),
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Member:
    """One row of ``/teams/members``."""

    user_id: str | None
    email: str
    name: str | None
    role: str | None
    is_removed: bool | None
    raw: JsonObject = field(repr=False, compare=False)


def parse_member(obj: JsonObject) -> Member:
    return Member(
        user_id=_opt_str(obj.get("id")),
        email=str(_req(obj, "email", "team member")),
        name=_opt_str(obj.get("name")),
        role=_opt_str(obj.get("role")),
        is_removed=_opt_bool(obj.get("isRemoved")),
        raw=obj,
    )


_DAILY_COUNTERS = (
    "totalLinesAdded", "totalLinesDeleted", "acceptedLinesAdded", "acceptedLinesDeleted",
    "totalApplies", "totalAccepts", "totalRejects", "totalTabsShown", "totalTabsAccepted",
    "composerRequests", "chatRequests", "agentRequests", "cmdkUsages",
    "subscriptionIncludedReqs", "usageBasedReqs", "apiKeyReqs", "bugbotUsages",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class DailyUsageRow:
    """One member-day of ``/teams/daily-usage-data``; ``counters`` holds the numeric fields."""

    user_id: str | None
    email: str
    day: date
    is_active: bool
    counters: Mapping[str, int]
    most_used_model: str | None
    client_version: str | None
    raw: JsonObject = field(repr=False, compare=False)


def parse_daily_usage_row(obj: JsonObject) -> DailyUsageRow:
    if obj.get("day"):
        day = date.fromisoformat(str(obj["day"]))
    else:
        ms = _req(obj, "date", "daily usage row")
        day = datetime.fromtimestamp(int(ms) / 1000, tz=UTC).date()
    return DailyUsageRow(
        user_id=_opt_str(obj.get("userId")),
        email=str(obj.get("email") or ""),
        day=day,
        is_active=bool(obj.get("isActive", True)),
        counters={name: _int(obj.get(name)) for name in _DAILY_COUNTERS},
        most_used_model=_opt_str(obj.get("mostUsedModel")),
        client_version=_opt_str(obj.get("clientVersion")),
        raw=obj,
    )


@dataclass(frozen=True, slots=True)
class MemberSpend:
    """A member's spend this cycle (``/teams/spend``): a gauge, never summed over time."""

    user_id: str | None
    email: str
    name: str | None
    role: str | None
    spend_cents: Decimal
    overall_spend_cents: Decimal | None
    fast_premium_requests: int | None
    hard_limit_override_dollars: Decimal | None
    monthly_limit_dollars: Decimal | None
    effective_per_user_limit_dollars: Decimal | None
    raw: JsonObject = field(repr=False, compare=False)


def parse_member_spend(obj: JsonObject) -> MemberSpend:
    return MemberSpend(
        user_id=_opt_str(obj.get("userId")),
        email=str(_req(obj, "email", "member spend")),
        name=_opt_str(obj.get("name")),
        role=_opt_str(obj.get("role")),
        spend_cents=_decimal(obj.get("spendCents")) or Decimal(0),
        overall_spend_cents=_decimal(obj.get("overallSpendCents")),
        fast_premium_requests=_opt_int(obj.get("fastPremiumRequests")),
        hard_limit_override_dollars=_decimal(obj.get("hardLimitOverrideDollars")),
        monthly_limit_dollars=_decimal(obj.get("monthlyLimitDollars")),
        effective_per_user_limit_dollars=_decimal(obj.get("effectivePerUserLimitDollars")),
        raw=obj,
    )


@dataclass(frozen=True, slots=True)
class SpendReport:
    """All pages of ``/teams/spend`` for the current billing cycle."""

    cycle_start_ms: int
    members: tuple[MemberSpend, ...]


@dataclass(frozen=True, slots=True)
class GroupMember:
    user_id: str | None
    email: str
    name: str | None
    joined_at_ms: int | None
    left_at_ms: int | None
    spend_cents: Decimal | None


@dataclass(frozen=True, slots=True)
class BillingGroup:
    group_id: str
    name: str
    type: str | None
    member_count: int | None
    spend_cents: Decimal | None
    current_members: tuple[GroupMember, ...]
    former_members: tuple[GroupMember, ...]
    raw: JsonObject = field(repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class BillingGroups:
    """``/teams/groups`` for one billing cycle; ``unassigned`` is the pseudo-group, if sent."""

    groups: tuple[BillingGroup, ...]
    unassigned: BillingGroup | None
    cycle_start: date | None
    cycle_end: date | None


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_MS = timedelta(milliseconds=1)


def _ms_or_iso(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, int | Decimal) or (isinstance(value, str) and value.isdigit()):
        return int(value)
    text = str(value).replace("Z", "+00:00")
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    # Integer arithmetic: ``timestamp() * 1000`` is a float and loses a ms now and then.
    return (parsed - _EPOCH) // _ONE_MS


def _day(value: Any) -> date | None:
    ms = _ms_or_iso(value)
    return None if ms is None else datetime.fromtimestamp(ms / 1000, tz=UTC).date()


def _group_member(obj: JsonObject) -> GroupMember:
    return GroupMember(
        user_id=_opt_str(obj.get("userId")),
        email=str(obj.get("email") or ""),
        name=_opt_str(obj.get("name")),
        joined_at_ms=_ms_or_iso(obj.get("joinedAt")),
        left_at_ms=_ms_or_iso(obj.get("leftAt")),
        spend_cents=_decimal(obj.get("spendCents")),
    )


def parse_billing_group(obj: JsonObject) -> BillingGroup:
    return BillingGroup(
        group_id=str(obj.get("id") or "unassigned"),
        name=str(obj.get("name") or "Unassigned"),
        type=_opt_str(obj.get("type")),
        member_count=_opt_int(obj.get("memberCount")),
        spend_cents=_decimal(obj.get("spendCents")),
        current_members=tuple(_group_member(m) for m in obj.get("currentMembers") or ()),
        former_members=tuple(_group_member(m) for m in obj.get("formerMembers") or ()),
        raw=obj,
    )


def parse_billing_groups(obj: JsonObject) -> BillingGroups:
    cycle = obj.get("billingCycle") or {}
    unassigned = obj.get("unassignedGroup")
    return BillingGroups(
        groups=tuple(parse_billing_group(g) for g in obj.get("groups") or ()),
        unassigned=parse_billing_group(unassigned) if unassigned else None,
        cycle_start=_day(cycle.get("cycleStart")),
        cycle_end=_day(cycle.get("cycleEnd")),
    )


@dataclass(frozen=True, slots=True)
class EventsPage:
    """One page of usage events with where it sits: window, page number and totals.

    Sync checkpoints on (window, page), so it needs this context next to the events.
    """

    events: list[UsageEvent]
    page: int
    num_pages: int
    total_events: int
    window: tuple[int, int]
