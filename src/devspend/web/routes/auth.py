"""Sign in, sign out, and the first-admin setup.

Setup is open only while no user exists, and only with the one-time token the
serving process printed to its console (``/setup?token=…``, as Jupyter does): being
"on this machine" is not proof, because a proxy or a rebinding page is too.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from devspend.errors import ConfigError
from devspend.store import accounts
from devspend.web import identity
from devspend.web.deps import ClockDep, EngineDep, MaybeUser, SettingsDep, csrf_protect
from devspend.web.errors import Forbidden, TooManyAttempts
from devspend.web.rendering import render
from devspend.web.request_guards import client_address
from devspend.web.security import SESSION_COOKIE, tokens_match

router = APIRouter(dependencies=[Depends(csrf_protect)], tags=["auth"], include_in_schema=False)


def safe_next(target: str | None) -> str:
    """Only same-site relative paths are followed after login (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


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
    try:
        user = identity.check_login(
            engine, email=email, password=password, client_address=client_address(request),
            now=now,
        )  # fmt: skip
    except TooManyAttempts as exc:
        return render(
            request, "login.html", {"next": safe_next(next), "email": email, "error": exc.message},
            status_code=exc.status_code,
        )  # fmt: skip
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


SETUP_REFUSED = (
    "Creating the first admin needs the one-time setup link that `devspend serve` printed "
    "to its console (…/setup?token=…). Or create the admin on the server with "
    "`devspend user add --admin EMAIL`."
)


def _setup_allowed(request: Request, engine: EngineDep, token: str | None) -> None:
    with engine.connect() as conn:
        if accounts.count_users(conn) > 0:
            raise Forbidden("devspend is already set up; sign in instead.")
    if not tokens_match(request.app.state.setup_token, token):
        raise Forbidden(SETUP_REFUSED)


@router.get("/setup")
def setup_page(request: Request, engine: EngineDep, token: str | None = None) -> Response:
    _setup_allowed(request, engine, token)
    return render(request, "setup.html", {"setup_token": token})


@router.post("/setup")
def setup_submit(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    clock: ClockDep,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
    password_again: Annotated[str, Form()],
    setup_token: Annotated[str, Form()] = "",
) -> Response:
    _setup_allowed(request, engine, setup_token)
    error = "The two passwords differ." if password != password_again else None
    if error is None:
        try:
            user = identity.add_first_admin(engine, email=email, password=password, now=clock())
        except ConfigError as exc:
            error = str(exc)
    if error is not None:
        return render(
            request, "setup.html", {"email": email, "error": error, "setup_token": setup_token},
            status_code=400,
        )  # fmt: skip
    session = identity.start_session(
        engine, user_id=user.id, now=clock(), max_age=settings.session_max_age_seconds
    )
    return _signed_in(request, RedirectResponse("/settings/integrations", status_code=303), session)
