"""Build the default views right after a sync, so the first visit after new data is fast.

Summing a year of 2,000 people takes seconds on a large store; a sync changes the
data at most hourly. When a sync finishes, a background thread builds the overview,
people and models views of the common presets into the view cache (keyed by the
same data version the pages check), so visitors rarely pay for a cold build.
"""

from __future__ import annotations

import logging
import threading
from functools import partial
from typing import Any

from fastapi import FastAPI

from devspend.reports.filters import parse_filter
from devspend.store.data_version import data_version
from devspend.web.routes import models, overview, people
from devspend.web.view_cache import ViewCache

log = logging.getLogger(__name__)

WARM_PRESETS = ("30d", "7d", "90d", "365d")


def warm_views(app: FastAPI) -> int:
    """Build every default view for the current data; returns how many were built."""
    cache: ViewCache = app.state.view_cache
    today = app.state.clock().date()
    before = cache.misses
    with app.state.engine.connect() as conn:
        version = data_version(conn)
        for preset in WARM_PRESETS:
            flt = parse_filter(preset=preset, start=None, end=None, today=today)
            pages: tuple[Any, ...] = (overview.PAGE, people.PAGE, models.PAGE)
            for page in pages:
                params = page.params()  # the defaults: what a plain visit asks for
                cache.get_or_build((page.name, flt, params), version=version,
                                   build=partial(page.build, conn, flt, params))  # fmt: skip
    return cache.misses - before


class ViewWarmer:
    """Runs :func:`warm_views` in a daemon thread, one at a time, when asked."""

    def __init__(self, app: FastAPI) -> None:
        self._app = app
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def request(self) -> None:
        """Start warming unless a warm-up is already running."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._thread = threading.Thread(target=self._run, name="devspend-warmup",
                                            daemon=True)  # fmt: skip
            self._thread.start()

    def wait(self, timeout: float | None = None) -> None:
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        try:
            warm_views(self._app)
        except Exception:
            log.exception("warming the default views failed")
