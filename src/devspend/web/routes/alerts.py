"""The Alerts page: what was raised (and sent, failed or only recorded), forecasts and
Cursor-limit paces; admins acknowledge alerts and mute or unmute rules.
``/api/v1/alerts`` is its JSON twin."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from devspend.alerts.evaluate import Evaluation, data_moment, evaluate
from devspend.alerts.views import alert_json, evaluation_json
from devspend.alerts.visibility import visible_alerts, visible_evaluation
from devspend.store import alerts as store
from devspend.store.alert_reads import allocation_map
from devspend.store.viewer_teams import teams_of
from devspend.web.deps import (
    AdminUser,
    ClockDep,
    ConnDep,
    CurrentUser,
    EngineDep,
    Principal,
    SettingsDep,
    csrf_protect,
)
from devspend.web.rendering import render

router = APIRouter(prefix="/alerts", dependencies=[Depends(csrf_protect)],
                   include_in_schema=False)  # fmt: skip
api = APIRouter(prefix="/api/v1", tags=["alerts"])


def _seen(conn: ConnDep, user: Principal, settings: SettingsDep,
          clock: ClockDep) -> tuple[Evaluation, list[store.AlertRecord]]:  # fmt: skip
    """The evaluation and alerts this user may see (a limited viewer: of their teams)."""
    teams = None if user.user.is_admin else teams_of(conn, user_id=user.user.id)
    evaluation = visible_evaluation(evaluate(conn, settings, as_of=data_moment(conn, now=clock())),
                                    teams=teams, allocation=allocation_map(conn))  # fmt: skip
    return evaluation, visible_alerts(store.list_alerts(conn), teams=teams)


@router.get("")
def alerts_page(
    request: Request, user: CurrentUser, conn: ConnDep, settings: SettingsDep, clock: ClockDep
) -> Response:
    evaluation, seen = _seen(conn, user, settings, clock)
    return render(request, "alerts.html", {
        "active": "alerts", "alerts": seen, "muted": store.muted_rules(conn),
        "has_channels": bool(store.list_channels(conn)), "evaluation": evaluation,
        "limits": [f for f in evaluation.limits if f.reach_day is not None],
    })  # fmt: skip


@router.post("/{alert_id}/acknowledge")
def acknowledge(alert_id: int, admin: AdminUser, engine: EngineDep, clock: ClockDep) -> Response:
    with engine.begin() as conn:
        store.acknowledge(conn, alert_id=alert_id, by=admin.user.email, now=clock())
    return RedirectResponse("/alerts", status_code=303)


@router.post("/mute")
def mute(
    admin: AdminUser, engine: EngineDep, clock: ClockDep, rule: Annotated[str, Form()],
    muted: Annotated[bool, Form()] = True,
) -> Response:  # fmt: skip
    with engine.begin() as conn:
        store.set_muted(conn, rule=rule[:100], muted=muted, by=admin.user.email, now=clock())
    return RedirectResponse("/alerts", status_code=303)


@api.get("/alerts")
def alerts_json(
    user: CurrentUser, conn: ConnDep, settings: SettingsDep, clock: ClockDep
) -> JSONResponse:
    """Recent alerts with their deliveries, muted rules, forecasts and limit paces (a viewer
    limited to teams: those of their teams)."""
    evaluation, seen = _seen(conn, user, settings, clock)
    body: dict[str, Any] = {
        **evaluation_json(evaluation),
        "muted_rules": sorted(store.muted_rules(conn)),
        "alerts": [alert_json(a) for a in seen],
    }
    return JSONResponse(body)
