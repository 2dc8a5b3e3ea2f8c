"""One typed function per Cursor read endpoint, each yielding parsed records lazily.

Every function handles its endpoint's own quirks: the 30-day window limit (split
with :func:`~devspend.cursor.windows.split_windows`), its pagination style
(:mod:`devspend.cursor.pagination`) and its record parser
(:mod:`devspend.cursor.schemas`). Only one page is ever held in memory, so a year
of events streams through in constant space.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from devspend.cursor.client import (
    DAILY_USAGE_PATH,
    EVENTS_PATH,
    GROUPS_PATH,
    MEMBERS_PATH,
    SPEND_PATH,
    CursorClient,
)
from devspend.cursor.pagination import iter_counted_pages, iter_flagged_pages
from devspend.cursor.schemas import (
    BillingGroups,
    DailyUsageRow,
    EventsPage,
    Member,
    MemberSpend,
    SpendReport,
    UsageEvent,
    parse_billing_groups,
    parse_daily_usage_row,
    parse_member,
    parse_member_spend,
    parse_usage_event,
)
from devspend.cursor.windows import DAY_MS, split_windows
from devspend.errors import CursorProtocolError

EVENTS_PAGE_SIZE = 1000  # Cursor's maximum: the fewest calls for a backfill
DAILY_USAGE_PAGE_SIZE = 500


def _object(body: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(body, Mapping):
        raise CursorProtocolError(
            f"Cursor's {path} sent a body that is not an object", endpoint=path
        )
    return body


def _int_field(body: Mapping[str, Any], key: str, default: int) -> int:
    value = body.get(key)
    return default if value is None or isinstance(value, bool) else int(value)


def list_members(client: CursorClient) -> list[Member]:
    """Everyone on the team, removed members included when Cursor says so (no pagination)."""
    body = _object(client.get(MEMBERS_PATH), MEMBERS_PATH)
    return [parse_member(m) for m in body.get("teamMembers") or ()]


def fetch_events_page(
    client: CursorClient,
    *,
    window: tuple[int, int],
    page: int,
    page_size: int,
    email: str | None = None,
) -> Mapping[str, Any]:
    """One raw page of usage events for an inclusive ``window``: the one place that asks.

    Paging, key checks and history probing all go through here, so the request
    body Cursor sees is written once.
    """
    body: dict[str, Any] = {
        "startDate": window[0], "endDate": window[1], "page": page, "pageSize": page_size,
    }  # fmt: skip
    if email is not None:
        body["email"] = email
    return _object(client.post(EVENTS_PATH, body=body), EVENTS_PATH)


def events_total(body: Mapping[str, Any]) -> int:
    """``totalUsageEventsCount`` of an events page (the page's own length if absent)."""
    return _int_field(body, "totalUsageEventsCount", len(body.get("usageEvents") or ()))


def iter_usage_event_pages(
    client: CursorClient,
    *,
    start_ms: int,
    end_ms: int,
    email: str | None = None,
    page_size: int = EVENTS_PAGE_SIZE,
) -> Iterator[EventsPage]:
    """Event pages for any range, window by window (oldest window first), page by page.

    Within a window the order is Cursor's (newest first). Sync uses the page context
    (window, page, totals) to checkpoint a backfill. Pages are offsets into a live
    list: if Cursor adds events to a window while it is being paged (the current
    hours), an event can shift across a page boundary, so sync should re-read recent
    windows (its lookback) rather than trust one pass over them.
    """
    if not 1 <= page_size <= EVENTS_PAGE_SIZE:
        raise ValueError(f"page_size must be 1..{EVENTS_PAGE_SIZE}")
    for window in split_windows(start_ms=start_ms, end_ms=end_ms):

        def fetch(page: int, window: tuple[int, int] = window) -> Mapping[str, Any]:
            return fetch_events_page(
                client, window=window, page=page, page_size=page_size, email=email
            )

        for page in iter_flagged_pages(fetch, items_key="usageEvents", what=EVENTS_PATH):
            pagination = page.body.get("pagination") or {}
            yield EventsPage(
                events=[parse_usage_event(e) for e in page.items],
                page=page.number,
                num_pages=_int_field(pagination, "numPages", page.number),
                total_events=events_total(page.body),
                window=window,
            )


def iter_usage_events(
    client: CursorClient,
    *,
    start_ms: int,
    end_ms: int,
    email: str | None = None,
    page_size: int = EVENTS_PAGE_SIZE,
) -> Iterator[UsageEvent]:
    """Every usage event in ``[start_ms, end_ms]`` (inclusive), streamed one page at a time."""
    for page in iter_usage_event_pages(
        client, start_ms=start_ms, end_ms=end_ms, email=email, page_size=page_size
    ):
        yield from page.events


def iter_daily_usage(
    client: CursorClient,
    *,
    start_ms: int,
    end_ms: int,
    page_size: int = DAILY_USAGE_PAGE_SIZE,
) -> Iterator[DailyUsageRow]:
    """Member-day rows of every UTC day touching the range, inactive members included.

    The paged form is used because the plain one leaves inactive members out. Rows
    are whole days, so windows start at midnight UTC: a window edge inside a day
    would bring that member-day back from both windows.
    """
    first_midnight = start_ms - start_ms % DAY_MS
    for lo, hi in split_windows(start_ms=first_midnight, end_ms=end_ms):

        def fetch(page: int, lo: int = lo, hi: int = hi) -> Mapping[str, Any]:
            body = {"startDate": lo, "endDate": hi, "page": page, "pageSize": page_size}
            return _object(client.post(DAILY_USAGE_PATH, body=body), DAILY_USAGE_PATH)

        for page in iter_flagged_pages(fetch, items_key="data", what=DAILY_USAGE_PATH):
            yield from (parse_daily_usage_row(row) for row in page.items)


def get_spend(client: CursorClient, *, page_size: int | None = None) -> SpendReport:
    """Every member's spend this billing cycle, reading all ``totalPages`` pages."""

    def fetch(page: int) -> Mapping[str, Any]:
        body: dict[str, Any] = {"page": page}
        if page_size is not None:
            body["pageSize"] = page_size
        return _object(client.post(SPEND_PATH, body=body), SPEND_PATH)

    cycle_start = 0
    members: list[MemberSpend] = []
    for page in iter_counted_pages(fetch, items_key="teamMemberSpend", what=SPEND_PATH):
        if page.number == 1:
            cycle_start = _int_field(page.body, "subscriptionCycleStart", 0)
        members.extend(parse_member_spend(m) for m in page.items)
    return SpendReport(cycle_start_ms=cycle_start, members=tuple(members))


def get_billing_groups(client: CursorClient, *, billing_cycle: date | None = None) -> BillingGroups:
    """Billing groups for a cycle (the current one by default); Enterprise teams only."""
    params = None if billing_cycle is None else {"billingCycle": billing_cycle.isoformat()}
    return parse_billing_groups(_object(client.get(GROUPS_PATH, params=params), GROUPS_PATH))
