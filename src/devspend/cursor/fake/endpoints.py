"""Handlers of ``/teams/members`` and ``/teams/filtered-usage-events``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from devspend.cursor.fake.paging import EventQuery
from devspend.cursor.fake.validation import BadRequest, date_range, paging

if TYPE_CHECKING:
    from devspend.cursor.fake.fake import FakeCursor

DEFAULT_EVENTS_PAGE_SIZE = 100


def members(fake: FakeCursor, _body: Mapping[str, Any]) -> dict[str, Any]:
    """Every member, removed ones flagged; no pagination."""
    return {"teamMembers": fake.team.members()}


def usage_events(fake: FakeCursor, body: Mapping[str, Any]) -> dict[str, Any]:
    """One page of events in an inclusive ms range, newest first."""
    start, end = date_range(body)
    page, size = paging(body, default_size=DEFAULT_EVENTS_PAGE_SIZE)
    email = body.get("email")
    if email is not None and not isinstance(email, str):
        raise BadRequest("email must be a string")
    as_of = fake.team.settled_as_of(end_ms=end, as_of_ms=fake.now_ms())
    query = EventQuery(start_ms=start, end_ms=end, email=email or None, as_of_ms=as_of)
    total, events = fake.pager.page(query, page=page, page_size=size)
    num_pages = -(-total // size)
    return {
        "totalUsageEventsCount": total,
        "pagination": {
            "numPages": num_pages,
            "currentPage": page,
            "pageSize": size,
            "hasNextPage": page < num_pages,
            "hasPreviousPage": page > 1,
        },
        "usageEvents": events,
        "period": {"startDate": start, "endDate": end},
    }
