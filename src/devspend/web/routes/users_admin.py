"""Users admin: list web users, add one (with a one-time password), change roles, limit
viewers to some teams, remove."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from devspend.errors import ConfigError
from devspend.store import accounts, viewer_teams
from devspend.store.cloud_spend import allocation_choices
from devspend.web import identity
from devspend.web.deps import AdminUser, ClockDep, ConnDep, EngineDep, csrf_protect
from devspend.web.rendering import render
from devspend.web.security import new_secret

router = APIRouter(
    prefix="/settings/users", dependencies=[Depends(csrf_protect)], include_in_schema=False
)


def _page(request: Request, conn: ConnDep, **extra: object) -> Response:
    status = 400 if extra.get("error") else 200
    return render(request, "users.html", {
        "users": accounts.list_users(conn), "active": "users",
        "limits": viewer_teams.all_limits(conn), "team_choices": allocation_choices(conn)[0],
        **extra,
    }, status_code=status)  # fmt: skip


def _teams(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


@router.get("")
def users_page(request: Request, _admin: AdminUser, conn: ConnDep) -> Response:
    return _page(request, conn)


@router.post("")
def add_user(
    request: Request, _admin: AdminUser, engine: EngineDep, conn: ConnDep, clock: ClockDep,
    email: Annotated[str, Form()], role: Annotated[Literal["admin", "viewer"], Form()] = "viewer",
    teams: Annotated[str, Form(max_length=2000)] = "",
) -> Response:  # fmt: skip
    password = new_secret(12)
    try:
        user = identity.add_user(engine, email=email, password=password, role=role, now=clock())
    except ConfigError as exc:
        return _page(request, conn, error=str(exc))
    if role == "viewer" and _teams(teams):
        with engine.begin() as tx:
            viewer_teams.set_teams(tx, user_id=user.id, teams=_teams(teams))
    return _page(request, conn, created=user, one_time_password=password)


@router.post("/{user_id}/teams")
def change_teams(
    _request: Request, user_id: int, _admin: AdminUser, engine: EngineDep,
    teams: Annotated[str, Form(max_length=2000)] = "",
) -> Response:  # fmt: skip
    """Limit a viewer to some teams (comma-separated; empty: sees everything)."""
    with engine.begin() as tx:
        viewer_teams.set_teams(tx, user_id=user_id, teams=_teams(teams))
    return RedirectResponse("/settings/users", status_code=303)


@router.post("/{user_id}/role")
def change_role(
    request: Request, user_id: int, _admin: AdminUser, engine: EngineDep, conn: ConnDep,
    role: Annotated[Literal["admin", "viewer"], Form()],
) -> Response:  # fmt: skip
    try:
        identity.change_role(engine, user_id=user_id, role=role)
    except ConfigError as exc:
        return _page(request, conn, error=str(exc))
    return RedirectResponse("/settings/users", status_code=303)


@router.post("/{user_id}/delete")
def delete_user(
    request: Request, user_id: int, admin: AdminUser, engine: EngineDep, conn: ConnDep
) -> Response:
    if user_id == admin.user.id:
        return _page(request, conn, error="You cannot remove yourself.")
    try:
        identity.remove_user(engine, user_id=user_id)
    except ConfigError as exc:
        return _page(request, conn, error=str(exc))
    return RedirectResponse("/settings/users", status_code=303)
