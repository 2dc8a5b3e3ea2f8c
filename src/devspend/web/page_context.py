"""What every filtered page adds to its template: presets, choices, the filter bar."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from fastapi import Request
from sqlalchemy.engine import Connection

from devspend.reports.filters import PRESETS, ReportFilter
from devspend.store.cloud_spend import allocation_choices
from devspend.store.data_version import data_version
from devspend.sync.service import list_integrations
from devspend.web.view_cache import ViewCache

T = TypeVar("T")


def cached(request: Request, conn: Connection, key: Hashable, build: Callable[[], T]) -> T:
    """``build()``'s view, reused while the stored data has not changed (see ViewCache)."""
    cache: ViewCache = request.app.state.view_cache
    return cache.get_or_build(key, version=data_version(conn), build=build)


def filter_context(
    request: Request, conn: Connection, flt: ReportFilter, **keep: str | None
) -> dict[str, Any]:
    """Template values for the filter bar; ``keep`` are extra parameters it must preserve."""
    request.state.report_filter = flt
    teams, centers = allocation_choices(conn)
    if flt.visible_teams is not None:
        mine = {t.lower() for t in flt.visible_teams}
        teams = [t for t in teams if t.lower() in mine]
    return {
        "show_filter": True,
        "presets": PRESETS,
        "integration_choices": list_integrations(conn),
        "team_choices": teams,
        "cost_center_choices": centers,
        "keep_params": {k: v for k, v in keep.items() if v is not None},
    }
