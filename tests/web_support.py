"""Helpers for the web tests: an app on the test database, clients signed in per role.

Clients talk to the app in-process (Starlette's TestClient) from a loopback
address, so the first-admin rule and cookies behave as they do in a browser.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from devspend.settings import Settings
from devspend.web import identity
from devspend.web.app import create_app

ADMIN_EMAIL = "admin@example.com"
VIEWER_EMAIL = "viewer@example.com"
PASSWORD = "correct horse battery"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


class MovableClock:
    """A clock tests move by hand (rate-limit windows, session expiry)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class WebEnv:
    app: FastAPI
    engine: sa.Engine
    settings: Settings
    clock: MovableClock


def build_env(
    settings: Settings,
    engine: sa.Engine,
    *,
    transport: httpx.BaseTransport | None = None,
    now: datetime | None = None,
    **overrides: Any,
) -> WebEnv:
    if overrides:
        settings = settings.model_copy(update=overrides)
    clock = MovableClock(now or datetime(2026, 11, 20, 12, 0, tzinfo=UTC))
    app = create_app(settings, engine=engine, cursor_transport=transport, clock=clock)
    return WebEnv(app=app, engine=engine, settings=settings, clock=clock)


def client_for(app: FastAPI, *, host: str = "127.0.0.1", https: bool = False) -> TestClient:
    scheme = "https" if https else "http"
    return TestClient(
        app, base_url=f"{scheme}://localhost", client=(host, 50000), follow_redirects=False
    )


def csrf_of(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def add_user(env: WebEnv, email: str, role: str) -> None:
    identity.add_user(env.engine, email=email, password=PASSWORD, role=role, now=env.clock())


def login(client: TestClient, email: str, password: str = PASSWORD) -> httpx.Response:
    page = client.get("/login")
    token = csrf_of(page.text)
    return client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token, "next": "/"}
    )


@contextmanager
def signed_in(env: WebEnv, email: str, role: str, **kwargs: Any) -> Iterator[TestClient]:
    """A client signed in as a new user with ``role``."""
    add_user(env, email, role)
    with client_for(env.app, **kwargs) as client:
        response = login(client, email)
        assert response.status_code == 303, response.text
        yield client


def page_csrf(client: TestClient, path: str = "/settings/users") -> str:
    response = client.get(path)
    assert response.status_code == 200, response.text
    return csrf_of(response.text)
