"""The Alerts page: what was raised (and sent, failed or only recorded), forecasts and
Cursor-limit paces; admins acknowledge alerts and mute or unmute rules.
``/api/v1/alerts`` is its JSON twin."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from devspend.alerts.evaluate import data_moment, evaluate
from devspend.alerts.views import alert_json, evaluation_json
from devspend.store import alerts as store
from devspend.web.deps import (
    AdminUser,
    ClockDep,
    ConnDep,
    CurrentUser,
    EngineDep,
    SettingsDep,
    csrf_protect,
)
from devspend.web.rendering import render

router = APIRouter(prefix="/alerts", dependencies=[Depends(csrf_protect)],
                   include_in_schema=False)  # fmt: skip
api = APIRouter(prefix="/api/v1", tags=["alerts"])


@router.get("")
def alerts_page(
    request: Request, _user: CurrentUser, conn: ConnDep, settings: SettingsDep, clock: ClockDep
) -> Response:
    evaluation = evaluate(conn, settings, as_of=data_moment(conn, now=clock()))
    return render(request, "alerts.html", {
        "active": "alerts", "alerts": store.list_alerts(conn), "muted": store.muted_rules(conn),
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
    _user: CurrentUser, conn: ConnDep, settings: SettingsDep, clock: ClockDep
) -> JSONResponse:
    """Recent alerts with their deliveries, muted rules, forecasts and limit paces."""
    evaluation = evaluate(conn, settings, as_of=data_moment(conn, now=clock()))
    body: dict[str, Any] = {
        **evaluation_json(evaluation),
        "muted_rules": sorted(store.muted_rules(conn)),
        "alerts": [alert_json(a) for a in store.list_alerts(conn)],
    }
    return JSONResponse(body)
