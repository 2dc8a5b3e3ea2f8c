"""Who the client is: the socket peer, unless that peer is a configured trusted proxy.

Proxy headers (X-Forwarded-For, X-Real-IP, X-Forwarded-Proto) and the trusted sign-in
header count only from ``DEVSPEND_TRUSTED_PROXIES``; by default no proxy is trusted.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from devspend.cli.web import server_config
from devspend.errors import ConfigError
from devspend.settings import Settings
from devspend.web.app import create_app
from web_support import ADMIN_EMAIL, VIEWER_EMAIL, add_user, build_env, client_for, login

HEADER = "X-Forwarded-Email"


def _subjects(engine: sa.Engine) -> set[str]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text("select subject from login_attempts")).scalars().all()
    return {s for s in rows if s.startswith("ip:")}


def _users(engine: sa.Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(sa.text("select email from app_users")).scalars().all())


def test_proxy_headers_are_ignored_unless_the_peer_is_a_trusted_proxy(
    settings: Settings, engine: sa.Engine
) -> None:
    env = build_env(settings, engine)
    add_user(env, ADMIN_EMAIL, "admin")
    spoof = {"X-Forwarded-For": "198.51.100.1", "X-Real-IP": "198.51.100.2",
             "X-Forwarded-Proto": "https"}  # fmt: skip
    with client_for(env.app) as client:
        client.headers.update(spoof)
        response = login(client, ADMIN_EMAIL, "wrong password!")
        assert response.status_code == 401
        assert "strict-transport-security" not in response.headers
    assert _subjects(engine) == {"ip:127.0.0.1"}


def test_a_trusted_proxy_names_the_client_and_scheme(
    settings: Settings, engine: sa.Engine
) -> None:
    env = build_env(settings, engine, trusted_proxies=("10.0.0.0/8",))
    add_user(env, ADMIN_EMAIL, "admin")
    with client_for(env.app, host="10.0.0.5", https=True) as proxy:
        # the rightmost hop the proxies did not add is the client: a forged left part is ignored
        proxy.headers["X-Forwarded-For"] = "6.6.6.6, 198.51.100.7, 10.0.0.9"
        proxy.headers["X-Forwarded-Proto"] = "https"
        response = login(proxy, ADMIN_EMAIL, "wrong password!")
        assert response.status_code == 401
        assert response.headers["strict-transport-security"].startswith("max-age=")
        signed = login(proxy, ADMIN_EMAIL)
        assert "secure" in signed.headers["set-cookie"].lower()
    with client_for(env.app, host="10.0.0.5") as nginx_default:
        nginx_default.headers["X-Real-IP"] = "198.51.100.8"
        login(nginx_default, ADMIN_EMAIL, "wrong password!")
    assert _subjects(engine) == {"ip:198.51.100.7", "ip:198.51.100.8"}


@contextmanager
def _served(app: FastAPI) -> Iterator[str]:
    """The app under uvicorn exactly as ``devspend serve`` configures it."""
    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = uvicorn.Server(server_config(app, host="127.0.0.1", port=port))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def test_served_app_ignores_forwarded_for_from_loopback(
    settings: Settings, engine: sa.Engine
) -> None:
    """uvicorn's default believes X-Forwarded-For from 127.0.0.1; `devspend serve` must not."""
    app = create_app(settings, engine=engine)
    add_user(build_env(settings, engine), ADMIN_EMAIL, "admin")
    with _served(app) as base, httpx.Client(base_url=base) as client:
        page = client.get("/login")
        csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        for n in range(3):
            response = client.post("/login", headers={"X-Forwarded-For": f"192.0.2.{n}"},
                                   data={"email": ADMIN_EMAIL, "password": "wrong password!",
                                         "csrf_token": csrf})  # fmt: skip
            assert response.status_code == 401
    assert _subjects(engine) == {"ip:127.0.0.1"}


def test_trusted_auth_header_needs_trusted_proxies(settings: Settings) -> None:
    with pytest.raises(ConfigError, match="DEVSPEND_TRUSTED_PROXIES"):
        create_app(settings.model_copy(update={"trusted_auth_header": HEADER}))


def test_trusted_auth_header_counts_only_from_the_proxy_and_only_as_an_email(
    settings: Settings, engine: sa.Engine
) -> None:
    env = build_env(
        settings, engine, trusted_auth_header=HEADER, trusted_proxies=("10.0.0.5",),
        trusted_auth_domains=("example.com",),
    )  # fmt: skip
    with client_for(env.app, host="203.0.113.9") as direct:
        # a client that reaches the port directly cannot name itself
        assert direct.get("/api/v1/overview", headers={HEADER: VIEWER_EMAIL}).status_code == 401
    with client_for(env.app, host="10.0.0.5") as proxy:
        for bad in ("not an email", "<script>alert(1)</script>@example.com",
                    "a" * 5000 + "@example.com", "someone@elsewhere.org",
                    "x y@example.com", "x@example.com, y@example.com"):  # fmt: skip
            response = proxy.get("/api/v1/overview", headers={HEADER: bad})
            assert response.status_code == 403, bad
            assert "<script>" not in response.text
        assert _users(engine) == []
        ok = proxy.get("/api/v1/overview", headers={HEADER: " Viewer@Example.com "})
        assert ok.status_code == 200
    assert _users(engine) == [VIEWER_EMAIL]
