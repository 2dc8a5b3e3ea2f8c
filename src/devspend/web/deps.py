"""FastAPI dependencies: settings, database, the signed-in principal, roles and CSRF.

Every route states what it needs through these ``Annotated`` aliases, so access
rules are visible in the signature and testable by walking ``app.routes``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.engine import Connection

from devspend.settings import Settings
from devspend.store import accounts
from devspend.store.accounts import AppUser
from devspend.web import identity
from devspend.web.clock import WallClock
from devspend.web.errors import AuthRequired, CsrfRefused, Forbidden
from devspend.web.request_guards import TrustedProxies, peer_address
from devspend.web.security import (
    CSRF_COOKIE,
    CSRF_FIELD,
    CSRF_HEADER,
    SESSION_COOKIE,
    digest,
    tokens_match,
)

log = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is making the request and how they proved it."""

    user: AppUser
    via: Literal["session", "token", "header"]
    session_csrf: str | None = None

    @property
    def is_admin(self) -> bool:
        # API tokens are read-only whatever their creator's role
        return self.user.is_admin and self.via != "token"


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def get_clock(request: Request) -> WallClock:
    clock: WallClock = request.app.state.clock
    return clock


def get_conn(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Connection]:
    """A read connection for the duration of one request."""
    with engine.connect() as conn:
        yield conn


def _bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def _resolve(
    request: Request, engine: Engine, settings: Settings, now: datetime
) -> Principal | None:
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id:
        with engine.connect() as conn:
            record = accounts.get_session(conn, id_hash=digest(session_id), now=now)
        if record is not None:
            return Principal(user=record.user, via="session", session_csrf=record.csrf_token)
    token = _bearer_token(request)
    if token is not None and request.url.path.startswith("/api/"):
        with engine.begin() as conn:
            user = accounts.user_for_token(conn, token_hash=digest(token), now=now)
        if user is not None:
            return Principal(user=user, via="token")
    header = settings.trusted_auth_header
    value = request.headers.get(header) if header else None
    if header and value is not None and value.strip():
        proxies: TrustedProxies = request.app.state.trusted_proxies
        if not proxies.trusts(peer_address(request)):
            log.warning("ignored %s from %s: not a trusted proxy", header, peer_address(request))
            return None
        email = identity.header_email(value, allowed_domains=settings.trusted_auth_domains)
        if email is None:
            raise Forbidden(f"The sign-in proxy's {header} is not an email devspend accepts.")
        with engine.begin() as conn:
            user = accounts.get_user_by_email(conn, email) or accounts.create_user(
                conn, email=email, name=None, role="viewer", password_hash=None, now=now
            )
        return Principal(user=user, via="header")
    return None


def optional_principal(
    request: Request,
    engine: Annotated[Engine, Depends(get_engine)],
    settings: Annotated[Settings, Depends(get_settings)],
    clock: Annotated[WallClock, Depends(get_clock)],
) -> Principal | None:
    """The signed-in principal, if any (cached on the request: resolved once)."""
    if not getattr(request.state, "principal_resolved", False):
        request.state.principal = _resolve(request, engine, settings, clock())
        request.state.principal_resolved = True
    principal: Principal | None = request.state.principal
    return principal


def require_user(
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    """Any signed-in user (viewer or admin); anonymous requests go to the login page."""
    if principal is None:
        raise AuthRequired()
    return principal


def require_admin(principal: Annotated[Principal, Depends(require_user)]) -> Principal:
    """An admin signed in through the browser or the trusted proxy header."""
    if not principal.is_admin:
        raise Forbidden("This page is for admins.")
    return principal


def expected_csrf(request: Request, principal: Principal | None) -> str | None:
    """The CSRF token this request's forms must carry: the session's, else the cookie's."""
    if principal is not None and principal.session_csrf:
        return principal.session_csrf
    return request.cookies.get(CSRF_COOKIE)


async def csrf_protect(
    request: Request,
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> None:
    """Refuse any state-changing request whose form (or header) lacks the right token."""
    if request.method in SAFE_METHODS:
        return
    given = request.headers.get(CSRF_HEADER)
    if given is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not tokens_match(expected_csrf(request, principal), given):
        raise CsrfRefused()


SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]
ConnDep = Annotated[Connection, Depends(get_conn)]
ClockDep = Annotated[WallClock, Depends(get_clock)]
MaybeUser = Annotated[Principal | None, Depends(optional_principal)]
CurrentUser = Annotated[Principal, Depends(require_user)]
AdminUser = Annotated[Principal, Depends(require_admin)]
