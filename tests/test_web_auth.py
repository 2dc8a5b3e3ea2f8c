"""Sign-in, first-admin setup, sessions, API tokens and the trusted proxy header."""

from __future__ import annotations

import sqlalchemy as sa
from pydantic import SecretStr

from devspend.settings import Settings
from devspend.web import identity
from web_support import (
    ADMIN_EMAIL,
    PASSWORD,
    VIEWER_EMAIL,
    add_user,
    build_env,
    client_for,
    csrf_of,
    login,
    signed_in,
)


def test_first_visit_goes_to_setup_and_creates_the_first_admin_with_the_token(
    settings: Settings, engine: sa.Engine
) -> None:
    env = build_env(settings, engine)
    token = env.app.state.setup_token
    with client_for(env.app) as client:
        assert client.get("/").headers["location"].startswith("/login")
        assert client.get("/login").headers["location"] == "/setup"
        page = client.get("/setup", params={"token": token})
        assert page.status_code == 200
        response = client.post("/setup", data={
            "email": ADMIN_EMAIL, "password": PASSWORD, "password_again": PASSWORD,
            "csrf_token": csrf_of(page.text), "setup_token": token,
        })  # fmt: skip
        assert response.status_code == 303
        assert client.get("/settings/integrations").status_code == 200
        # once a user exists, setup is closed for good, token or not
        assert client.get("/setup", params={"token": token}).status_code == 403


def test_setup_needs_the_one_time_token_even_from_loopback(
    settings: Settings, engine: sa.Engine
) -> None:
    env = build_env(settings, engine)
    token = env.app.state.setup_token
    with client_for(env.app) as local:
        page = local.get("/setup")
        assert page.status_code == 403
        assert "devspend user add --admin" in page.text
        assert local.get("/setup", params={"token": "guessed"}).status_code == 403
        # a same-host proxy that adds no X-Forwarded-For (nginx's default) is loopback too
        spoofed = {"X-Real-IP": "8.8.8.8"}
        assert local.get("/setup", headers=spoofed).status_code == 403
        csrf = local.cookies.get("devspend_csrf")
        assert csrf
        for given in ("", "guessed", token[:-1]):
            refused = local.post("/setup", data={
                "email": ADMIN_EMAIL, "password": PASSWORD, "password_again": PASSWORD,
                "csrf_token": csrf, "setup_token": given,
            })  # fmt: skip
            assert refused.status_code == 403
            assert "one-time setup link" in refused.text  # refused for the token, not CSRF
    assert identity_users(engine) == 0
    with client_for(env.app, host="203.0.113.9") as remote:
        # the token, not the network position, is the proof (a remote server's operator
        # opens the printed link through an SSH tunnel or the proxy alike)
        assert remote.get("/setup", params={"token": token}).status_code == 200


def identity_users(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text("select count(*) from app_users")).scalar_one())


def test_login_sets_a_hardened_cookie_and_logout_ends_the_session(
    settings: Settings, engine: sa.Engine
) -> None:
    env = build_env(settings, engine)
    add_user(env, ADMIN_EMAIL, "admin")
    with client_for(env.app, https=True) as client:
        response = login(client, ADMIN_EMAIL)
        assert response.status_code == 303
        cookie = response.headers["set-cookie"].lower()
        assert "httponly" in cookie
        assert "samesite=lax" in cookie
        assert "secure" in cookie
        session_id = client.cookies["devspend_session"]
        with engine.connect() as conn:
            stored = conn.execute(sa.text("select id_hash from web_sessions")).scalars().all()
        assert len(stored) == 1
        assert session_id not in stored  # only a digest is stored
        overview = client.get("/")
        assert overview.status_code == 200
        client.post("/logout", data={"csrf_token": csrf_of(overview.text)})
        assert client.get("/").status_code == 303


def test_plain_http_cookie_is_not_marked_secure(settings: Settings, engine: sa.Engine) -> None:
    env = build_env(settings, engine)
    add_user(env, ADMIN_EMAIL, "admin")
    with client_for(env.app) as client:
        assert "secure" not in login(client, ADMIN_EMAIL).headers["set-cookie"].lower()


def test_wrong_password_is_refused_and_login_is_throttled_across_replicas(
    settings: Settings, engine: sa.Engine
) -> None:
    env = build_env(settings, engine)
    add_user(env, ADMIN_EMAIL, "admin")
    with client_for(env.app) as client:
        for _ in range(identity.FREE_FAILURES_PER_CLIENT_AND_EMAIL):
            assert login(client, ADMIN_EMAIL, "wrong password!").status_code == 401
    other_replica = build_env(settings, engine, now=env.clock())
    with client_for(other_replica.app) as client:
        assert login(client, ADMIN_EMAIL).status_code == 429
        other_replica.clock.advance(seconds=1)
        assert login(client, ADMIN_EMAIL).status_code == 303


def test_login_never_redirects_off_site(settings: Settings, engine: sa.Engine) -> None:
    env = build_env(settings, engine)
    add_user(env, ADMIN_EMAIL, "admin")
    with client_for(env.app) as client:
        token = csrf_of(client.get("/login").text)
        response = client.post("/login", data={
            "email": ADMIN_EMAIL, "password": PASSWORD, "csrf_token": token,
            "next": "//evil.example/",
        })  # fmt: skip
        assert response.headers["location"] == "/"


def test_expired_sessions_are_refused(settings: Settings, engine: sa.Engine) -> None:
    env = build_env(settings, engine)
    with signed_in(env, ADMIN_EMAIL, "admin") as client:
        assert client.get("/").status_code == 200
        env.clock.advance(seconds=settings.session_max_age_seconds + 1)
        assert client.get("/").status_code == 303


def test_api_tokens_authenticate_read_only_until_revoked(
    settings: Settings, engine: sa.Engine
) -> None:
    env = build_env(settings, engine)
    add_user(env, ADMIN_EMAIL, "admin")
    token = identity.create_token(engine, name="grafana", created_by=1, now=env.clock())
    with client_for(env.app) as client:
        headers = {"Authorization": f"Bearer {token.token}"}
        assert client.get("/api/v1/overview").status_code == 401
        assert client.get("/api/v1/overview", headers=headers).status_code == 200
        # tokens are for the JSON API only, and never admin (integration status is
        # readable, so monitoring can watch it: test_web_integration_health.py)
        assert client.get("/settings/integrations", headers=headers).status_code == 303
        assert client.get("/", headers=headers).status_code == 303
        identity.revoke_token(engine, token_id=token.id, now=env.clock())
        assert client.get("/api/v1/overview", headers=headers).status_code == 401
    with engine.connect() as conn:
        hashes = conn.execute(sa.text("select token_hash from api_tokens")).scalars().all()
    assert token.token not in hashes


def test_trusted_proxy_header_is_ignored_unless_configured(
    settings: Settings, engine: sa.Engine
) -> None:
    header = {"X-Forwarded-Email": VIEWER_EMAIL}
    off = build_env(settings, engine)
    with client_for(off.app) as client:
        assert client.get("/api/v1/overview", headers=header).status_code == 401
    on = build_env(settings, engine, trusted_auth_header="X-Forwarded-Email",
                   trusted_proxies=("127.0.0.1",))
    with client_for(on.app) as client:
        assert client.get("/api/v1/overview", headers=header).status_code == 200
        # a header user starts as a viewer
        assert client.get("/settings/users", headers=header).status_code == 403


def test_replicas_sharing_the_secret_accept_one_setup_link(
    settings: Settings, engine: sa.Engine
) -> None:
    printed_by = build_env(settings, engine)
    behind_the_balancer = build_env(settings, engine)
    token = printed_by.app.state.setup_token
    assert behind_the_balancer.app.state.setup_token == token
    other_secret = build_env(settings, engine, secret_key=SecretStr("y" * 32))
    assert other_secret.app.state.setup_token != token
    no_secret = [build_env(settings, engine, secret_key=None) for _ in range(2)]
    assert no_secret[0].app.state.setup_token != no_secret[1].app.state.setup_token
    with client_for(printed_by.app) as first, client_for(behind_the_balancer.app) as second:
        page = first.get("/setup", params={"token": token})
        assert page.status_code == 200
        second.cookies.update(first.cookies)
        response = second.post("/setup", data={
            "email": ADMIN_EMAIL, "password": PASSWORD, "password_again": PASSWORD,
            "csrf_token": csrf_of(page.text), "setup_token": token,
        })  # fmt: skip
        assert response.status_code == 303
