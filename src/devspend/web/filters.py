"""The report filter of a request, from its query string and the signed-in user.

Every page and API twin takes the same query parameters (``range``, ``start``,
``end``, ``integration``, ``team``, ``cost_center``, ``person``, ``model``) so any view
can be bookmarked, shared, or fetched as JSON; a viewer limited to some teams gets
those teams added as ``visible_teams`` whatever the URL says.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Query

from devspend.reports.filters import ReportFilter, parse_filter
from devspend.store.viewer_teams import teams_of
from devspend.web.deps import ClockDep, ConnDep, MaybeUser


def report_filter(
    clock: ClockDep,
    conn: ConnDep,
    principal: MaybeUser,
    range_: Annotated[
        str | None,
        Query(alias="range", description="7d, 30d, 90d, this_month, last_month, 365d or custom"),
    ] = None,
    start: Annotated[date | None, Query(description="first day (custom range)")] = None,
    end: Annotated[date | None, Query(description="last day, inclusive (custom range)")] = None,
    integration: Annotated[
        int | None, Query(description="one connected Cursor team (integration id)")
    ] = None,
    team: Annotated[str | None, Query(max_length=200, description="an allocation team")] = None,
    cost_center: Annotated[str | None, Query(max_length=200, description="a cost center")] = None,
    person: Annotated[str | None, Query(max_length=320, description="one person's email")] = None,
    model: Annotated[str | None, Query(max_length=200, description="one model")] = None,
) -> ReportFilter:
    """The filter of the current request; a limited viewer's teams always apply."""
    visible = None
    if principal is not None and not principal.user.is_admin:
        visible = teams_of(conn, user_id=principal.user.id)
    return parse_filter(
        preset=range_, start=start, end=end, today=clock().date(), integration_id=integration,
        team=team, cost_center=cost_center, person=person, model=model, visible_teams=visible,
    )  # fmt: skip


FilterDep = Annotated[ReportFilter, Depends(report_filter)]
