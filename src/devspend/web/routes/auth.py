"""Sign in, sign out, and the first-admin setup (only with no users, only from loopback)."""

from __future__ import annotations

import ipaddress
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from devspend.errors import ConfigError
from devspend.store import accounts
from devspend.web import identity
from devspend.web.deps import ClockDep, EngineDep, MaybeUser, SettingsDep, csrf_protect
from devspend.web.errors import Forbidden
from devspend.web.rendering import render
from devspend.web.security import SESSION_COOKIE

router = APIRouter(dependencies=[Depends(csrf_protect)], tags=["auth"], include_in_schema=False)


def safe_next(target: str | None) -> str:
    """Only same-site relative paths are followed after login (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def is_loopback_request(request: Request) -> bool:
    """Direct from this machine: loopback peer and no proxy in between."""
    if "x-forwarded-for" in request.headers or "forwarded" in request.headers:
        return False
    try:
        return ipaddress.ip_address(client_address(request)).is_loopback
    except ValueError:
        return False


def _signed_in(request: Request, response: Response, session: identity.NewSession) -> Response:
    response.set_cookie(
        SESSION_COOKIE, session.session_id, httponly=True, samesite="lax",
        secure=request.url.scheme == "https", path="/",
        max_age=request.app.state.settings.session_max_age_seconds,
    )  # fmt: skip
    return response


@router.get("/login")
def login_page(
    request: Request, principal: MaybeUser, engine: EngineDep, next: str = "/"
) -> Response:
    if principal is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    with engine.connect() as conn:
        if accounts.count_users(conn) == 0:
            return RedirectResponse("/setup", status_code=303)
    return render(request, "login.html", {"next": safe_next(next)})


@router.post("/login")
def login_submit(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    clock: ClockDep,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    now = clock()
    user = identity.check_login(
        engine, email=email, password=password, client_address=client_address(request), now=now
    )
    if user is None:
        return render(
            request, "login.html",
            {"next": safe_next(next), "email": email, "error": "Wrong email or password."},
            status_code=401,
        )  # fmt: skip
    session = identity.start_session(
        engine, user_id=user.id, now=now, max_age=settings.session_max_age_seconds
    )
    return _signed_in(request, RedirectResponse(safe_next(next), status_code=303), session)


@router.post("/logout")
def logout(request: Request, engine: EngineDep) -> Response:
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id:
        identity.end_session(engine, session_id=session_id)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _setup_allowed(request: Request, engine: EngineDep) -> None:
    with engine.connect() as conn:
        if accounts.count_users(conn) > 0:
            raise Forbidden("devspend is already set up; sign in instead.")
    if not is_loopback_request(request):
        raise Forbidden(
            "The first admin can only be created from this machine (loopback) or with "
            "`devspend user add --admin EMAIL`."
        )


@router.get("/setup")
def setup_page(request: Request, engine: EngineDep) -> Response:
    _setup_allowed(request, engine)
    return render(request, "setup.html", {})


@router.post("/setup")
def setup_submit(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    clock: ClockDep,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
    password_again: Annotated[str, Form()],
) -> Response:
    _setup_allowed(request, engine)
    error = "The two passwords differ." if password != password_again else None
    if error is None:
        try:
            user = identity.add_first_admin(engine, email=email, password=password, now=clock())
        except ConfigError as exc:
            error = str(exc)
    if error is not None:
        return render(request, "setup.html", {"email": email, "error": error}, status_code=400)
    session = identity.start_session(
        engine, user_id=user.id, now=clock(), max_age=settings.session_max_age_seconds
    )
    return _signed_in(request, RedirectResponse("/settings/integrations", status_code=303), session)
