"""The page loops, driven by scripted page bodies: every style, every guard."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from devspend.cursor.pagination import iter_counted_pages, iter_flagged_pages
from devspend.errors import CursorProtocolError


class Script:
    """Serves pre-written bodies by page number and records what was asked for."""

    def __init__(self, bodies: dict[int, Mapping[str, Any]]) -> None:
        self.bodies = bodies
        self.asked: list[int] = []

    def __call__(self, page: int) -> Mapping[str, Any]:
        self.asked.append(page)
        return self.bodies[page]


def flagged(
    page: int, items: list[Any], *, more: bool | None, num_pages: int | None = None
) -> dict[str, Any]:
    pagination: dict[str, Any] = {"currentPage": page}
    if more is not None:
        pagination["hasNextPage"] = more
    if num_pages is not None:
        pagination["numPages"] = num_pages
    return {"usageEvents": items, "pagination": pagination}


def test_flagged_pages_follow_has_next_page() -> None:
    script = Script({1: flagged(1, [1, 2], more=True), 2: flagged(2, [3], more=False)})
    pages = list(iter_flagged_pages(script, items_key="usageEvents", what="events"))
    assert [p.items for p in pages] == [[1, 2], [3]]
    assert script.asked == [1, 2]


def test_flagged_pages_fall_back_to_num_pages() -> None:
    script = Script({n: flagged(n, [n], more=None, num_pages=3) for n in (1, 2, 3)})
    assert [p.number for p in iter_flagged_pages(script, items_key="usageEvents", what="e")] == [
        1, 2, 3,
    ]  # fmt: skip


def test_pages_are_fetched_only_as_they_are_consumed() -> None:
    script = Script({1: flagged(1, [1], more=True), 2: flagged(2, [2], more=False)})
    pages = iter_flagged_pages(script, items_key="usageEvents", what="e")
    next(pages)
    assert script.asked == [1]


def test_no_pagination_object_means_one_page() -> None:
    script = Script({1: {"usageEvents": [1]}})
    assert len(list(iter_flagged_pages(script, items_key="usageEvents", what="e"))) == 1


def test_a_page_echoing_another_number_is_refused() -> None:
    script = Script({1: flagged(1, [1], more=True), 2: flagged(1, [1], more=True)})
    with pytest.raises(CursorProtocolError, match="asked for page 2 but Cursor sent page 1"):
        list(iter_flagged_pages(script, items_key="usageEvents", what="e"))


def test_an_empty_page_claiming_more_is_refused() -> None:
    script = Script({1: flagged(1, [], more=True)})
    with pytest.raises(CursorProtocolError, match="empty but claims more"):
        list(iter_flagged_pages(script, items_key="usageEvents", what="e"))


def test_a_runaway_loop_stops_at_max_pages() -> None:
    class Endless:
        def __call__(self, page: int) -> Mapping[str, Any]:
            return flagged(page, [page], more=True)

    with pytest.raises(CursorProtocolError, match="runaway"):
        list(iter_flagged_pages(Endless(), items_key="usageEvents", what="e", max_pages=50))


def spend(items: list[Any], total_pages: int) -> dict[str, Any]:
    return {"teamMemberSpend": items, "totalPages": total_pages}


def test_counted_pages_loop_while_page_below_total_pages() -> None:
    script = Script({1: spend(["a"], 3), 2: spend(["b"], 3), 3: spend(["c"], 3)})
    pages = list(iter_counted_pages(script, items_key="teamMemberSpend", what="spend"))
    assert [p.items for p in pages] == [["a"], ["b"], ["c"]]


def test_counted_pages_without_total_read_one_page() -> None:
    script = Script({1: {"teamMemberSpend": ["a"]}})
    assert len(list(iter_counted_pages(script, items_key="teamMemberSpend", what="s"))) == 1


def test_a_repeated_page_without_numbers_is_refused() -> None:
    script = Script({1: spend(["a", "b"], 3), 2: spend(["a", "b"], 3)})
    with pytest.raises(CursorProtocolError, match="page 2 repeats page 1"):
        list(iter_counted_pages(script, items_key="teamMemberSpend", what="spend"))


def test_items_that_are_not_a_list_are_refused() -> None:
    script = Script({1: {"teamMemberSpend": {"a": 1}, "totalPages": 1}})
    with pytest.raises(CursorProtocolError, match="not a list"):
        list(iter_counted_pages(script, items_key="teamMemberSpend", what="spend"))
