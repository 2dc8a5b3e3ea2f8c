"""Cached page views are reused only while the data version is unchanged and not too old."""

from __future__ import annotations

from devspend.web.view_cache import ViewCache


class Ticker:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_reuses_a_view_until_the_data_version_changes() -> None:
    cache = ViewCache(monotonic=Ticker())
    builds: list[int] = []

    def build() -> int:
        builds.append(1)
        return len(builds)

    assert cache.get_or_build("people", version=("v", 1), build=build) == 1
    assert cache.get_or_build("people", version=("v", 1), build=build) == 1
    assert cache.get_or_build("people", version=("v", 2), build=build) == 2
    assert (cache.hits, cache.misses) == (1, 2)


def test_entries_expire_and_the_least_recent_is_dropped() -> None:
    ticker = Ticker()
    cache = ViewCache(max_entries=2, ttl_seconds=10, monotonic=ticker)
    cache.get_or_build("a", version=1, build=lambda: "a1")
    ticker.now = 11
    assert cache.get_or_build("a", version=1, build=lambda: "a2") == "a2"
    cache.get_or_build("b", version=1, build=lambda: "b")
    cache.get_or_build("c", version=1, build=lambda: "c")
    assert cache.get_or_build("a", version=1, build=lambda: "a3") == "a3"
