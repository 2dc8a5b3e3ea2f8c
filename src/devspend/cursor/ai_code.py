"""Cursor's AI Code Tracking endpoints: commits and accepted AI changes, page by page.

``GET /analytics/ai-code/commits`` and ``/changes`` page with ``page``/``pageSize``
(at most 1000) and report ``totalCount``, without ``hasNextPage``: the loop stops
when ``page · pageSize ≥ totalCount``, with the same guards as the Admin API's
loops (:class:`~devspend.cursor.pagination.RepeatGuard`: a page echoing another
number, a repeated page, an empty page that claims more, a runaway loop).

Every request is conditional. The caller hands in what it knows of each request
(its ETag and the ``totalCount`` it had), keyed by :func:`request_key`; a 304 —
which Cursor does not count against the 20/min limit — comes back as a page with
``not_modified`` set and no items, meaning "what you stored for this request is
still right". Nothing here touches the database: ``sync.ai_code`` stores the items
and the ETags together, so a stored ETag always describes stored rows.

Windows are whole UTC days, ``D 00:00:00.000Z`` … ``E 23:59:59.999Z``, so the same
day range asks the same URL on every sync and its ETag can match.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from devspend.cursor.ai_code_schemas import AiChange, AiCommit, parse_ai_change, parse_ai_commit
from devspend.cursor.client import AI_CODE_CHANGES_PATH, AI_CODE_COMMITS_PATH, CursorClient
from devspend.cursor.pagination import DEFAULT_MAX_PAGES, RepeatGuard
from devspend.errors import CursorProtocolError

AI_CODE_PAGE_SIZE = 1000  # Cursor's maximum
COMMITS = "commits"
CHANGES = "changes"
AI_CODE_PATHS: Mapping[str, str] = {COMMITS: AI_CODE_COMMITS_PATH, CHANGES: AI_CODE_CHANGES_PATH}


@dataclass(frozen=True, slots=True)
class Known:
    """What the caller stored for one request: its ETag and the ``totalCount`` it said."""

    etag: str
    total_count: int


@dataclass(frozen=True, slots=True)
class AiCodePage:
    """One page of an AI-code endpoint; ``items`` are parsed records (none when 304)."""

    endpoint: str
    key: str
    number: int
    items: list[Any]
    total_count: int
    etag: str | None
    not_modified: bool


def day_bounds(first: date, last: date) -> tuple[str, str]:
    """``startDate``/``endDate`` for the whole UTC days ``first``..``last``, in ms ISO."""
    return f"{first.isoformat()}T00:00:00.000Z", f"{last.isoformat()}T23:59:59.999Z"


def request_key(endpoint: str, params: Mapping[str, str]) -> str:
    """A stable name for one request (endpoint + sorted query), under which ETags are kept."""
    query = "&".join(f"{k}={params[k]}" for k in sorted(params))
    return f"{endpoint}?{query}"


def _int(body: Mapping[str, Any], key: str, path: str) -> int | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool):
        raise CursorProtocolError(f"{path}: '{key}' is not a number", endpoint=path)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise CursorProtocolError(f"{path}: '{key}' is not a number", endpoint=path) from None


def iter_ai_code_pages(
    client: CursorClient,
    endpoint: str,
    *,
    first: date,
    last: date,
    known: Callable[[str], Known | None] = lambda _key: None,
    page_size: int = AI_CODE_PAGE_SIZE,
    user: str | None = None,
    max_pages: int = DEFAULT_MAX_PAGES,
) -> Iterator[AiCodePage]:
    """Pages of ``commits`` or ``changes`` created in the UTC days ``first``..``last``.

    Each page is fetched only when the previous one has been consumed, so a
    caller that stores page by page holds one page in memory.
    """
    if not 1 <= page_size <= AI_CODE_PAGE_SIZE:
        raise ValueError(f"page_size must be 1..{AI_CODE_PAGE_SIZE}")
    if last < first:
        raise ValueError("the range ends before it starts")
    path = AI_CODE_PATHS[endpoint]
    parse = parse_ai_commit if endpoint == COMMITS else parse_ai_change
    start, end = day_bounds(first, last)
    guard = RepeatGuard(path, max_pages)
    number = 1
    while True:
        params = {"startDate": start, "endDate": end, "page": str(number),
                  "pageSize": str(page_size)}  # fmt: skip
        if user is not None:
            params["user"] = user
        key = request_key(endpoint, params)
        before = known(key)
        answer = client.get_conditional(path, params=params, etag=before.etag if before else None)
        if answer.not_modified and before is not None:  # 304s only answer conditional asks
            page = AiCodePage(endpoint, key, number, [], before.total_count, answer.etag, True)
        else:
            body = answer.body
            if not isinstance(body, Mapping):
                raise CursorProtocolError(f"{path} sent a body that is not an object",
                                          endpoint=path)  # fmt: skip
            raw_items = body.get("items") or []
            if not isinstance(raw_items, list):
                raise CursorProtocolError(f"{path}: 'items' is not a list", endpoint=path)
            guard.check(number=number, reported=_int(body, "page", path), items=raw_items)
            total = _int(body, "totalCount", path)
            if total is None:
                raise CursorProtocolError(f"{path}: page without 'totalCount'", endpoint=path)
            items = [parse(item) for item in raw_items]
            page = AiCodePage(endpoint, key, number, items, total, answer.etag, False)
        yield page
        if number * page_size >= page.total_count:
            return
        if not page.not_modified:
            guard.check_more(number=number, items=page.items)
        number += 1


def iter_ai_commits(
    client: CursorClient, *, first: date, last: date, page_size: int = AI_CODE_PAGE_SIZE
) -> Iterator[AiCommit]:
    """Every commit ingested in the days ``first``..``last`` (unconditionally)."""
    for page in iter_ai_code_pages(client, COMMITS, first=first, last=last, page_size=page_size):
        yield from page.items


def iter_ai_changes(
    client: CursorClient, *, first: date, last: date, page_size: int = AI_CODE_PAGE_SIZE
) -> Iterator[AiChange]:
    """Every accepted AI change created in the days ``first``..``last`` (unconditionally)."""
    for page in iter_ai_code_pages(client, CHANGES, first=first, last=last, page_size=page_size):
        yield from page.items


def probe_ai_code(client: CursorClient, endpoint: str, *, today: date) -> None:
    """The smallest request of an endpoint (one item of today), for the key check."""
    params = {**dict(zip(("startDate", "endDate"), day_bounds(today - timedelta(days=1), today),
                         strict=True)), "page": "1", "pageSize": "1"}  # fmt: skip
    client.get(AI_CODE_PATHS[endpoint], params=params)
