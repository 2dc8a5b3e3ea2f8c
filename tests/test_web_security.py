"""Security rules checked over every route: admin-only pages, CSRF on forms, headers,
and that no response ever contains a stored Cursor key."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from devspend.settings import Settings
from devspend.web.deps import require_admin
from devspend.web.routes import all_routers
from devspend.web.security import SECURITY_HEADERS
from sync_helpers import END_MS, VALID_KEY, fake_for, small_team
from web_support import ADMIN_EMAIL, VIEWER_EMAIL, WebEnv, build_env, client_for, signed_in

SAMPLE_PATH_VALUES = {"integration_id": "1", "user_id": "1", "token_id": "1", "budget_id": "1",
                      "channel_id": "1", "alert_id": "1",
                      "email": "someone@example.com", "name": "Platform"}  # fmt: skip


def _depends_on(dependant: object, target: object) -> bool:
    for dep in getattr(dependant, "dependencies", []):
        if dep.call is target or _depends_on(dep, target):
            return True
    return False


def _routes(env: WebEnv) -> list[APIRoute]:
    """Every route the app serves: the factory includes exactly ``all_routers()``."""
    routes = [r for router in all_routers() for r in router.routes if isinstance(r, APIRoute)]
    documented = set(env.app.openapi()["paths"])
    # OpenAPI writes a ``{email:path}`` parameter as ``{email}``
    assert documented <= {re.sub(r"\{(\w+):\w+\}", r"{\1}", r.path) for r in routes}
    return routes


def _concrete(path: str) -> str:
    path = re.sub(r"\{(\w+):\w+\}", r"{\1}", path)
    for name, value in SAMPLE_PATH_VALUES.items():
        path = path.replace("{" + name + "}", value)
    assert "{" not in path, f"add a sample value for {path}"
    return path


def _calls(routes: list[APIRoute]) -> list[tuple[str, str]]:
    return [(m, _concrete(r.path)) for r in routes for m in sorted(r.methods) if m != "HEAD"]


@pytest.fixture
def env(settings: Settings, engine: sa.Engine) -> WebEnv:
    return build_env(settings, engine)


def test_admin_routes_are_found(env: WebEnv) -> None:
    admin_paths = {r.path for r in _routes(env) if _depends_on(r.dependant, require_admin)}
    assert {"/settings/integrations", "/settings/users", "/settings/tokens"} <= admin_paths
    # /api/v1/integrations is for admins *and* API tokens (test_web_integration_health.py)


def test_viewers_and_anonymous_are_refused_on_every_admin_route(env: WebEnv) -> None:
    admin_routes = [r for r in _routes(env) if _depends_on(r.dependant, require_admin)]
    calls = _calls(admin_routes)
    assert len(calls) >= 10
    with client_for(env.app) as anonymous:
        for method, path in calls:
            response = anonymous.request(method, path)
            assert response.status_code in (303, 401, 403), (method, path)
            if response.status_code == 303:
                assert response.headers["location"].startswith("/login")
    with signed_in(env, VIEWER_EMAIL, "viewer") as viewer:
        token = viewer.get("/").text.split('name="csrf_token" value="')[1].split('"')[0]
        for method, path in calls:
            data = {"csrf_token": token} if method == "POST" else None
            response = viewer.request(method, path, data=data)
            assert response.status_code == 403, (method, path, response.status_code)


def test_every_form_refuses_a_missing_or_wrong_csrf_token(env: WebEnv) -> None:
    posts = [(m, p) for m, p in _calls(_routes(env)) if m == "POST"]
    assert len(posts) >= 10
    with signed_in(env, ADMIN_EMAIL, "admin") as admin:
        for method, path in posts:
            for data in ({}, {"csrf_token": "forged"}):
                response = admin.request(method, path, data=data)
                assert response.status_code == 403, (method, path, data)
                assert "form has expired" in response.text


def test_security_headers_on_pages_api_and_errors(env: WebEnv) -> None:
    with client_for(env.app) as client:
        for path in ("/login", "/api/v1/overview", "/no-such-page", "/static/app.css"):
            response = client.get(path)
            for name, value in SECURITY_HEADERS:
                assert response.headers[name.decode()] == value.decode(), (path, name)
        csp = client.get("/login").headers["content-security-policy"]
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp


def test_pages_have_no_inline_script(env: WebEnv) -> None:
    with signed_in(env, ADMIN_EMAIL, "admin") as admin:
        for path in ("/", "/people", "/models", "/settings/integrations", "/api/docs"):
            html = admin.get(path).text
            for tag in html.split("<script")[1:]:
                head = tag.split(">", 1)[0]
                assert "src=" in head or 'type="application/json"' in head, (path, head)


@pytest.fixture
def connected(settings: Settings, engine: sa.Engine) -> Iterator[tuple[WebEnv, TestClient]]:
    fake = fake_for(small_team(members=4, days=20, history_days=20))
    transport = fake.transport()
    env = build_env(settings, engine, transport=transport, backfill_days=30)
    with signed_in(env, ADMIN_EMAIL, "admin") as admin:
        token = admin.get("/settings/integrations").text.split('name="csrf_token" value="')[1]
        response = admin.post("/settings/integrations/connect", data={
            "api_key": VALID_KEY, "team_name": "Acme", "csrf_token": token.split('"')[0],
        })  # fmt: skip
        assert response.status_code == 303, response.text
        state = env.app.state.sync_jobs.wait(1, timeout=60)
        assert state is not None
        assert state.result is not None
        assert state.result.events > 0
        yield env, admin
    transport.close()
    assert END_MS  # the fake's data ends at END_MS


def test_no_page_or_api_response_contains_the_stored_key(
    connected: tuple[WebEnv, TestClient],
) -> None:
    env, admin = connected
    gets = [p for m, p in _calls(_routes(env)) if m == "GET"]
    gets += ["/api/openapi.json", "/people.csv", "/?split=user", "/people?range=365d"]
    seen = 0
    for path in gets:
        response = admin.get(path)
        body = response.text + str(response.headers)
        assert VALID_KEY not in body, path
        assert VALID_KEY[4:] not in body, path
        seen += 1
    page = admin.get("/settings/integrations").text
    assert "key_…0001" in page
    assert seen > 10
