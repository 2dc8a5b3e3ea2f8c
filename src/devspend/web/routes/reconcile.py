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
from devspend.web.deps import ConnDep, CurrentUser
from devspend.web.rendering import render

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["reconciliation"])

IntegrationParam = Annotated[
    int | None,
    Query(ge=0, le=2**31 - 1, description="Only this integration (default: every one)."),
]


@router.get("/reconcile")
def reconcile_page(
    request: Request, _user: CurrentUser, conn: ConnDep, integration: IntegrationParam = None
) -> Response:
    results = reconcile_all(conn, integration_id=integration)
    return render(request, "reconcile.html", {
        "results": results, "ok": all(r.ok for r in results), "active": "reconcile",
    })  # fmt: skip


@api.get("/reconcile")
def reconcile_api(
    _user: CurrentUser, conn: ConnDep, integration: IntegrationParam = None
) -> dict[str, Any]:
    """The current billing cycle compared with Cursor's own figures: per member on-demand
    vs ``spendCents`` and usage value vs ``overallSpendCents``, per billing group, per day
    event counts vs daily usage. ``delta_cents`` = events − Cursor; ``ok`` is false when any
    row is a ``mismatch``. Money: decimal strings of cents."""
    results = reconcile_all(conn, integration_id=integration)
    return {"ok": all(r.ok for r in results), "integrations": [r.as_json() for r in results]}
