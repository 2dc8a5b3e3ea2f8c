"""Users admin: list web users, add one (with a one-time password), change roles, remove."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from devspend.errors import ConfigError
from devspend.store import accounts
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
        "users": accounts.list_users(conn), "active": "users", **extra,
    }, status_code=status)  # fmt: skip


@router.get("")
def users_page(request: Request, _admin: AdminUser, conn: ConnDep) -> Response:
    return _page(request, conn)


@router.post("")
def add_user(
    request: Request, _admin: AdminUser, engine: EngineDep, conn: ConnDep, clock: ClockDep,
    email: Annotated[str, Form()], role: Annotated[Literal["admin", "viewer"], Form()] = "viewer",
) -> Response:  # fmt: skip
    password = new_secret(12)
    try:
        user = identity.add_user(engine, email=email, password=password, role=role, now=clock())
    except ConfigError as exc:
        return _page(request, conn, error=str(exc))
    return _page(request, conn, created=user, one_time_password=password)


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
