"""Reconciliation: ``/reconcile`` and its JSON twin ``/api/v1/reconcile``.

The same :func:`devspend.reports.reconcile.reconcile_all` as ``devspend reconcile``,
in the same JSON (``Reconciliation.as_json``): per member, billing group and day of the
current cycle, devspend's figure, Cursor's and the status (match/explained/mismatch).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from devspend.reports.reconcile import reconcile_all
from devspend.store.person_scope import PeopleFilter
from devspend.store.viewer_teams import teams_of
from devspend.web.deps import ConnDep, CurrentUser, Principal
from devspend.web.rendering import render

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["reconciliation"])

IntegrationParam = Annotated[
    int | None,
    Query(ge=0, le=2**31 - 1, description="Only this integration (default: every one)."),
]


def _who(user: Principal, conn: ConnDep) -> PeopleFilter | None:
    """A limited viewer sees only their teams' members (admins: everyone)."""
    if user.user.is_admin:
        return None
    teams = teams_of(conn, user_id=user.user.id)
    return None if teams is None else PeopleFilter(visible_teams=teams)


@router.get("/reconcile")
def reconcile_page(
    request: Request, user: CurrentUser, conn: ConnDep, integration: IntegrationParam = None
) -> Response:
    results = reconcile_all(conn, integration_id=integration, who=_who(user, conn))
    return render(request, "reconcile.html", {
        "results": results, "ok": all(r.ok for r in results), "active": "reconcile",
    })  # fmt: skip


@api.get("/reconcile")
def reconcile_api(
    user: CurrentUser, conn: ConnDep, integration: IntegrationParam = None
) -> dict[str, Any]:
    """The current billing cycle compared with Cursor's own figures: per member on-demand
    vs ``spendCents`` and usage value vs ``overallSpendCents``, per billing group, per day
    event counts vs daily usage. ``delta_cents`` = events − Cursor; ``ok`` is false when any
    row is a ``mismatch``. Money: decimal strings of cents."""
    results = reconcile_all(conn, integration_id=integration, who=_who(user, conn))
    return {"ok": all(r.ok for r in results), "integrations": [r.as_json() for r in results]}
