"""Handler of ``/teams/daily-usage-data``: member-day rows consistent with the events.

``subscriptionIncludedReqs``/``usageBasedReqs`` count that day's events of each
kind, ``mostUsedModel`` is the day's commonest model and ``isActive`` means "had
events". Editor counters (lines, tabs, ...) are drawn from the member-day's seed.
Without ``page``/``pageSize`` only active rows come back, with no ``pagination``;
with them, every member's every day (inactive ones included), paged by user.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from devspend.cursor.fake.catalog import KIND_INCLUDED, KIND_USAGE_BASED
from devspend.cursor.fake.members import DAY_MS, MemberProfile
from devspend.cursor.fake.team import SyntheticTeam
from devspend.cursor.fake.validation import date_range, paging

if TYPE_CHECKING:
    from devspend.cursor.fake.fake import FakeCursor

DEFAULT_DAILY_PAGE_SIZE = 100
_EXTENSIONS = ("ts", "py", "go", "tsx", "rs", "java")
_VERSIONS = ("1.7.44", "1.7.52", "2.0.34", "2.0.43", "2.1.6")


def daily_usage(fake: FakeCursor, body: Mapping[str, Any]) -> dict[str, Any]:
    """Rows for the days of ``[startDate, endDate]``, in the plain or the paginated form."""
    start, end = date_range(body)
    team, now = fake.team, fake.now_ms()
    days = range(start // DAY_MS, end // DAY_MS + 1)
    period = {"startDate": start, "endDate": end}
    if "page" not in body and "pageSize" not in body:
        return {"data": _active_rows(team, days, as_of_ms=now), "period": period}
    page, size = paging(body, default_size=DEFAULT_DAILY_PAGE_SIZE)
    users = [p for p in team.profiles if _present(p, start // DAY_MS * DAY_MS, end)]
    total_pages = -(-len(users) // size)
    rows = [
        member_day_row(team, profile, day, _member_day_events(team, profile, day, as_of_ms=now))
        for profile in users[(page - 1) * size : page * size]
        for day in days
        if _present(profile, day * DAY_MS, day * DAY_MS + DAY_MS - 1)
    ]
    return {
        "data": rows,
        "period": period,
        "pagination": {
            "page": page,
            "pageSize": size,
            "totalUsers": len(users),
            "totalPages": total_pages,
            "hasNextPage": page < total_pages,
            "hasPreviousPage": page > 1,
        },
    }


def _present(profile: MemberProfile, start_ms: int, end_ms: int) -> bool:
    """Whether the member belonged to the team at some point of ``[start_ms, end_ms]``."""
    return profile.join_ms <= end_ms and (
        profile.removed_ms is None or profile.removed_ms > start_ms
    )


def _active_rows(team: SyntheticTeam, days: range, *, as_of_ms: int) -> list[dict[str, Any]]:
    """Rows of members with events, one generation pass per day for the whole team."""
    rows: list[dict[str, Any]] = []
    for day in days:
        by_email: dict[str, list[dict[str, Any]]] = {}
        for _day, events in team.iter_visible(
            start_ms=day * DAY_MS, end_ms=day * DAY_MS + DAY_MS - 1, email=None, as_of_ms=as_of_ms
        ):
            for event in events:
                by_email.setdefault(event["userEmail"], []).append(event)
        rows.extend(
            member_day_row(team, profile, day, by_email[profile.email])
            for profile in team.profiles
            if profile.email in by_email
        )
    return rows


def _member_day_events(
    team: SyntheticTeam, profile: MemberProfile, day: int, *, as_of_ms: int
) -> list[dict[str, Any]]:
    start = day * DAY_MS
    return list(
        team.iter_events(
            start_ms=start, end_ms=start + DAY_MS - 1, email=profile.email, as_of_ms=as_of_ms
        )
    )


def member_day_row(
    team: SyntheticTeam, profile: MemberProfile, day: int, events: list[dict[str, Any]]
) -> dict[str, Any]:
    """One member's row for one UTC day, derived from that day's events as the API shows them."""
    day_start = day * DAY_MS
    n = len(events)
    row: dict[str, Any] = {
        "userId": profile.user_id,
        "day": datetime.fromtimestamp(day_start / 1000, tz=UTC).date().isoformat(),
        "date": day_start,
        "email": profile.email,
        "isActive": n > 0,
    }
    rng = random.Random((team.seed * 1_000_003 + profile.index) * 1_000_033 + day + 7_777)
    lines = rng.randrange(20, 400) * n if n else 0
    tabs_shown = rng.randrange(0, 60) * n if n else 0
    applies = n // 2
    accepts = applies - applies // 5
    agent = round(n * 0.6)
    chat = round(n * 0.25)
    row.update(
        totalLinesAdded=lines,
        totalLinesDeleted=lines // 3,
        acceptedLinesAdded=lines * 2 // 3,
        acceptedLinesDeleted=lines // 5,
        totalApplies=applies,
        totalAccepts=accepts,
        totalRejects=applies - accepts,
        totalTabsShown=tabs_shown,
        totalTabsAccepted=tabs_shown // 4,
        composerRequests=n - agent - chat,
        chatRequests=chat,
        agentRequests=agent,
        cmdkUsages=rng.randrange(0, 5) if n else 0,
        subscriptionIncludedReqs=sum(e["kind"] == KIND_INCLUDED for e in events),
        usageBasedReqs=sum(e["kind"] == KIND_USAGE_BASED for e in events),
        apiKeyReqs=0,
        bugbotUsages=0,
        mostUsedModel=_most_used(events),
        applyMostUsedExtension=rng.choice(_EXTENSIONS) if n else None,
        tabMostUsedExtension=rng.choice(_EXTENSIONS) if n else None,
        clientVersion=rng.choice(_VERSIONS) if n else None,
    )
    return row


def _most_used(events: list[dict[str, Any]]) -> str | None:
    if not events:
        return None
    counts: Counter[str] = Counter(str(e["model"]) for e in events)
    return min(counts.items(), key=lambda item: (-item[1], item[0]))[0]
