"""Request checks the real API makes, answered with 400 like it does."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from devspend.cursor.fake.members import DAY_MS

MAX_RANGE_DAYS = 30
MAX_PAGE_SIZE = 1000


class BadRequest(Exception):
    """Becomes a 400 response with this message."""


def integer(body: Mapping[str, Any], key: str, default: int | None = None) -> int:
    """A required (or defaulted) integer field of a JSON body."""
    value = body.get(key, default)
    if value is None:
        raise BadRequest(f"{key} is required")
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise BadRequest(f"{key} must be an integer")
    try:
        return int(value)
    except ValueError:
        raise BadRequest(f"{key} must be an integer") from None


def date_range(body: Mapping[str, Any]) -> tuple[int, int]:
    """``startDate``/``endDate`` in epoch ms, in order, covering at most 30 days.

    Both bounds are inclusive, so the range spans ``end - start + 1`` ms. The fake
    takes the strictest reading of Cursor's limit: a client whose windows overlap
    or run over by even one millisecond is caught here rather than in production.
    """
    start, end = integer(body, "startDate"), integer(body, "endDate")
    if end < start:
        raise BadRequest("endDate must not be before startDate")
    if end - start + 1 > MAX_RANGE_DAYS * DAY_MS:
        raise BadRequest(f"Date range cannot exceed {MAX_RANGE_DAYS} days")
    return start, end


def paging(body: Mapping[str, Any], *, default_size: int) -> tuple[int, int]:
    """``page`` (from 1) and ``pageSize`` (1..1000)."""
    page = integer(body, "page", 1)
    size = integer(body, "pageSize", default_size)
    if page < 1:
        raise BadRequest("page must be at least 1")
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise BadRequest(f"pageSize must be between 1 and {MAX_PAGE_SIZE}")
    return page, size
