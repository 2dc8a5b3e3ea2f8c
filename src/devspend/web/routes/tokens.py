"""API tokens admin: create read-only tokens (shown once) and revoke them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from devspend.errors import ConfigError
from devspend.store import accounts
from devspend.web import identity
from devspend.web.deps import AdminUser, ClockDep, ConnDep, EngineDep, csrf_protect
from devspend.web.rendering import render

router = APIRouter(
    prefix="/settings/tokens", dependencies=[Depends(csrf_protect)], include_in_schema=False
)


def _page(request: Request, conn: ConnDep, **extra: object) -> Response:
    status = 400 if extra.get("error") else 200
    return render(request, "tokens.html", {
        "tokens": accounts.list_api_tokens(conn), "active": "tokens", **extra,
    }, status_code=status)  # fmt: skip


@router.get("")
def tokens_page(request: Request, _admin: AdminUser, conn: ConnDep) -> Response:
    return _page(request, conn)


@router.post("")
def create_token(
    request: Request, admin: AdminUser, engine: EngineDep, conn: ConnDep, clock: ClockDep,
    name: Annotated[str, Form()],
) -> Response:  # fmt: skip
    try:
        token = identity.create_token(engine, name=name, created_by=admin.user.id, now=clock())
    except ConfigError as exc:
        return _page(request, conn, error=str(exc))
    return _page(request, conn, new_token=token.token)


@router.post("/{token_id}/revoke")
def revoke_token(token_id: int, _admin: AdminUser, engine: EngineDep, clock: ClockDep) -> Response:
    identity.revoke_token(engine, token_id=token_id, now=clock())
    return RedirectResponse("/settings/tokens", status_code=303)
