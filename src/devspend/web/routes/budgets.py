"""Budgets and channels: the Budgets page (admins add/remove; everyone sees status and
forecast), a Channels section for admins, and ``/api/v1/budgets``.

Viewers see every budget for now: per-viewer team limits come with the report layer.
Channel URLs are never sent to the browser, only their hint.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from devspend.alerts.budgets import budget_spec
from devspend.alerts.channels import add_channel, test_channel
from devspend.alerts.evaluate import Evaluation, data_moment, evaluate
from devspend.alerts.views import status_json, summary_line
from devspend.alerts.visibility import visible_evaluation
from devspend.errors import ConfigError, DevspendError
from devspend.store import alerts as store
from devspend.store.alert_reads import allocation_map
from devspend.store.viewer_teams import teams_of
from devspend.sync.service import list_integrations
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

router = APIRouter(prefix="/budgets", dependencies=[Depends(csrf_protect)],
                   include_in_schema=False)  # fmt: skip
api = APIRouter(prefix="/api/v1", tags=["alerts"])


def _page(request: Request, conn: ConnDep, settings: SettingsDep, clock: ClockDep,
          principal: CurrentUser, **extra: object) -> Response:  # fmt: skip
    evaluation = _visible(conn, principal, evaluate(conn, settings,
                                                    as_of=data_moment(conn, now=clock())))
    status = 400 if extra.get("error") else 200
    return render(request, "budgets.html", {
        "active": "budgets", "statuses": evaluation.budgets, "as_of": evaluation.as_of,
        "summary_line": summary_line,
        "channels": store.list_channels(conn) if principal.is_admin else [],
        "integrations": list_integrations(conn), **extra,
    }, status_code=status)  # fmt: skip


def _visible(conn: ConnDep, principal: Principal, evaluation: Evaluation) -> Evaluation:
    """What this user may see (a viewer limited to teams: their teams' budgets)."""
    teams = None if principal.user.is_admin else teams_of(conn, user_id=principal.user.id)
    return visible_evaluation(evaluation, teams=teams, allocation=allocation_map(conn))


@router.get("")
def budgets_page(
    request: Request, principal: CurrentUser, conn: ConnDep, settings: SettingsDep,
    clock: ClockDep,
) -> Response:  # fmt: skip
    return _page(request, conn, settings, clock, principal)


@router.post("")
def add_budget(
    request: Request, admin: AdminUser, engine: EngineDep, conn: ConnDep, settings: SettingsDep,
    clock: ClockDep, name: Annotated[str, Form()], amount: Annotated[str, Form()],
    period: Annotated[str, Form()] = "month", figure: Annotated[str, Form()] = "cost",
    scope: Annotated[str, Form()] = "all", scope_value: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    value = scope_value.strip() or None
    try:
        if scope != "all" and value is None:
            raise ConfigError("Say which team, cost center, person or integration it is for.")
        spec = budget_spec(
            name=name, amount=amount, period=period, figure=figure,
            team=value if scope == "team" else None,
            cost_center=value if scope == "cost_center" else None,
            person=value if scope == "person" else None,
            integration=_integration(value) if scope == "integration" else None,
        )  # fmt: skip
        with engine.begin() as write:
            store.create_budget(
                write, name=spec.name, amount_ucents=spec.amount_ucents, period=spec.period,
                scope_kind=spec.scope_kind, scope_value=spec.scope_value, figure=spec.figure,
                thresholds=spec.thresholds, forecast_alert=spec.forecast_alert, now=clock(),
            )  # fmt: skip
    except ConfigError as exc:
        return _page(request, conn, settings, clock, admin, error=str(exc))
    return RedirectResponse("/budgets", status_code=303)


def _integration(value: str | None) -> int:
    if value is None or not value.isdigit():
        raise ConfigError("An integration budget needs the integration's id.")
    return int(value)


@router.post("/{budget_id}/delete")
def remove_budget(budget_id: int, _admin: AdminUser, engine: EngineDep) -> Response:
    with engine.begin() as conn:
        store.delete_budget(conn, budget_id)
    return RedirectResponse("/budgets", status_code=303)


@router.post("/channels")
def add_channel_form(
    request: Request, admin: AdminUser, engine: EngineDep, conn: ConnDep, settings: SettingsDep,
    clock: ClockDep, url: Annotated[str, Form()], name: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    try:
        add_channel(engine, settings, url=url, name=name or None, now=clock())
    except ConfigError as exc:
        return _page(request, conn, settings, clock, admin, error=str(exc))
    return RedirectResponse("/budgets#channels", status_code=303)


@router.post("/channels/{channel_id}/test")
def test_channel_form(
    request: Request, channel_id: int, admin: AdminUser, engine: EngineDep, conn: ConnDep,
    settings: SettingsDep, clock: ClockDep,
) -> Response:  # fmt: skip
    try:
        error = test_channel(engine, settings, channel_id=channel_id)
    except DevspendError as exc:
        error = str(exc)
    if error is not None:
        return _page(request, conn, settings, clock, admin, error=f"Test failed: {error}")
    return _page(request, conn, settings, clock, admin, message="Test message sent.")


@router.post("/channels/{channel_id}/delete")
def remove_channel(channel_id: int, _admin: AdminUser, engine: EngineDep) -> Response:
    with engine.begin() as conn:
        store.delete_channel(conn, channel_id)
    return RedirectResponse("/budgets#channels", status_code=303)


@api.get("/budgets")
def budgets_json(
    user: CurrentUser, conn: ConnDep, settings: SettingsDep, clock: ClockDep
) -> JSONResponse:
    """Every budget (a limited viewer: of their teams) with spent so far, the period-end
    forecast and thresholds crossed."""
    evaluation = _visible(conn, user, evaluate(conn, settings,
                                               as_of=data_moment(conn, now=clock())))
    body: dict[str, Any] = {"as_of": evaluation.as_of.isoformat(),
                            "budgets": [status_json(s) for s in evaluation.budgets]}  # fmt: skip
    return JSONResponse(body)
