"""Cursor's two page-loop styles, written once and guarded against servers that misbehave.

* **flagged** (usage events, paged daily usage): each body has a ``pagination``
  object with ``hasNextPage`` and ``numPages``/``totalPages`` and echoes the page
  number as ``currentPage``/``page``;
* **counted** (spend): the body has ``totalPages`` only; loop while
  ``page < totalPages`` (reading page 1 alone undercounts big teams).

Guards turn a would-be silent miscount or endless loop into a
:class:`~devspend.errors.CursorProtocolError`: a page that echoes another page's
number, a page identical to the one before it, an empty page that claims more
pages, and more pages than ``max_pages``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from devspend.errors import CursorProtocolError

FetchPage = Callable[[int], Mapping[str, Any]]
DEFAULT_MAX_PAGES = 10_000


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a paged endpoint: its 1-based number, items and the whole body."""

    number: int
    items: list[Any]
    body: Mapping[str, Any]


def _items(body: Mapping[str, Any], key: str, what: str) -> list[Any]:
    items = body.get(key)
    if items is None:
        return []
    if not isinstance(items, list):
        raise CursorProtocolError(f"{what}: '{key}' is not a list", endpoint=what)
    return items


def _opt_int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class RepeatGuard:
    """Remembers the previous page just enough to notice a repeat."""

    def __init__(self, what: str, max_pages: int) -> None:
        self.what = what
        self.max_pages = max_pages
        self._previous: list[Any] | None = None

    def check(self, *, number: int, reported: int | None, items: list[Any]) -> None:
        if reported is not None and reported != number:
            raise CursorProtocolError(
                f"{self.what}: asked for page {number} but Cursor sent page {reported}",
                endpoint=self.what,
            )
        # Only without an echoed number: genuinely identical events make two equal
        # pages of usage events legitimate (pageSize 1, a duplicated event).
        if reported is None and items and items == self._previous:
            raise CursorProtocolError(
                f"{self.what}: page {number} repeats page {number - 1}", endpoint=self.what
            )
        self._previous = items

    def check_more(self, *, number: int, items: list[Any]) -> None:
        if not items:
            raise CursorProtocolError(
                f"{self.what}: page {number} is empty but claims more pages follow",
                endpoint=self.what,
            )
        if number >= self.max_pages:
            raise CursorProtocolError(
                f"{self.what}: still more pages after {number}; giving up on a runaway loop",
                endpoint=self.what,
            )


def _iter_pages(
    fetch: FetchPage,
    *,
    items_key: str,
    what: str,
    max_pages: int,
    echoed_page: Callable[[Mapping[str, Any]], int | None],
    has_next: Callable[[Mapping[str, Any], int], bool],
) -> Iterator[Page]:
    """The one page loop; the styles differ only in where the page number and "more" live."""
    guard = RepeatGuard(what, max_pages)
    number = 1
    while True:
        body = fetch(number)
        items = _items(body, items_key, what)
        guard.check(number=number, reported=echoed_page(body), items=items)
        yield Page(number=number, items=items, body=body)
        if not has_next(body, number):
            return
        guard.check_more(number=number, items=items)
        number += 1


def _pagination(body: Mapping[str, Any]) -> Mapping[str, Any]:
    return body.get("pagination") or {}


def _flagged_page(body: Mapping[str, Any]) -> int | None:
    pagination = _pagination(body)
    return _opt_int(pagination.get("currentPage", pagination.get("page")))


def _flagged_has_next(body: Mapping[str, Any], number: int) -> bool:
    pagination = _pagination(body)
    has_next = pagination.get("hasNextPage")
    if has_next is not None:
        return bool(has_next)
    total = _opt_int(pagination.get("numPages", pagination.get("totalPages")))
    return total is not None and number < total


def _counted_has_next(body: Mapping[str, Any], number: int) -> bool:
    return number < (_opt_int(body.get("totalPages")) or 1)


def iter_flagged_pages(
    fetch: FetchPage, *, items_key: str, what: str, max_pages: int = DEFAULT_MAX_PAGES
) -> Iterator[Page]:
    """Pages of a ``pagination.hasNextPage`` endpoint, fetched one at a time as consumed."""
    return _iter_pages(
        fetch, items_key=items_key, what=what, max_pages=max_pages,
        echoed_page=_flagged_page, has_next=_flagged_has_next,
    )  # fmt: skip


def iter_counted_pages(
    fetch: FetchPage, *, items_key: str, what: str, max_pages: int = DEFAULT_MAX_PAGES
) -> Iterator[Page]:
    """Pages of a ``totalPages``-only endpoint: loop while ``page < totalPages``."""
    return _iter_pages(
        fetch, items_key=items_key, what=what, max_pages=max_pages,
        echoed_page=lambda body: _opt_int(body.get("page")), has_next=_counted_has_next,
    )  # fmt: skip
