"""DNS rebinding and cross-site writes: devspend answers only to the hosts it is served as,
and refuses state-changing requests from foreign origins."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from devspend.settings import Settings, load_settings
from web_support import ADMIN_EMAIL, PASSWORD, build_env, client_for, csrf_of, signed_in

REBIND = {"Host": "rebind.attacker.example", "Origin": "http://rebind.attacker.example"}


def _users(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text("select count(*) from app_users")).scalar_one())


def test_a_rebinding_page_cannot_create_the_first_admin(
    settings: Settings, engine: sa.Engine
) -> None:
    env = build_env(settings, engine)
    token = env.app.state.setup_token  # even a leaked token does not help the rebinding page
    with client_for(env.app) as client:
        page = client.get("/setup", params={"token": token}, headers={"Host": REBIND["Host"]})
        assert page.status_code == 400
        assert "DEVSPEND_ALLOWED_HOSTS" in page.text
        csrf = csrf_of(client.get("/setup", params={"token": token}).text)
        response = client.post("/setup", headers=REBIND, data={
            "email": ADMIN_EMAIL, "password": PASSWORD, "password_again": PASSWORD,
            "csrf_token": csrf, "setup_token": token,
        })  # fmt: skip
        assert response.status_code == 400
        assert "devspend_session" not in response.headers.get("set-cookie", "")
    assert _users(engine) == 0


def test_hosts_devspend_answers_to(settings: Settings, engine: sa.Engine) -> None:
    default = build_env(settings, engine, host="10.1.2.3")
    with client_for(default.app) as client:
        for host in ("localhost", "localhost:8000", "127.0.0.1:8000", "[::1]:8000",
                     "192.0.2.7", "10.1.2.3:8000"):  # fmt: skip
            assert client.get("/login", headers={"Host": host}).status_code != 400, host
        for host in ("dash.example.com", "evil.localhost.example", "127.0.0.1.nip.io"):
            assert client.get("/login", headers={"Host": host}).status_code == 400, host
    configured = build_env(settings, engine, allowed_hosts=("dash.example.com", ".corp.example"))
    with client_for(configured.app) as client:
        for host in ("dash.example.com", "DASH.example.com:443", "a.corp.example", "corp.example"):
            assert client.get("/login", headers={"Host": host}).status_code != 400, host
        assert client.get("/login", headers={"Host": "example.com"}).status_code == 400


def test_allowed_hosts_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEVSPEND_ALLOWED_HOSTS", "Dash.Example.com, .corp.example")
    assert load_settings().allowed_hosts == ("dash.example.com", ".corp.example")


def test_state_changing_requests_from_foreign_origins_are_refused(
    settings: Settings, engine: sa.Engine
) -> None:
    env = build_env(settings, engine, allowed_hosts=("dash.example.com",))
    with signed_in(env, ADMIN_EMAIL, "admin") as admin:
        csrf = csrf_of(admin.get("/settings/tokens").text)
        form = {"name": "grafana", "csrf_token": csrf}
        for origin in ("https://evil.example", "null", "http://localhost:9999",
                       "http://127.0.0.1"):  # fmt: skip
            refused = admin.post("/settings/tokens", data=form, headers={"Origin": origin})
            assert refused.status_code == 403, origin
            assert "another site" in refused.text
        with engine.connect() as conn:
            assert conn.execute(sa.text("select count(*) from api_tokens")).scalar_one() == 0
        # same origin, an origin the operator allowed (a TLS proxy in front), or none at all
        for headers in ({"Origin": "http://localhost"}, {"Origin": "https://dash.example.com"},
                        {}):  # fmt: skip
            made = admin.post("/settings/tokens", data=form, headers=headers)
            assert made.status_code in (200, 303), (headers, made.status_code, made.text)
        with engine.connect() as conn:
            assert conn.execute(sa.text("select count(*) from api_tokens")).scalar_one() == 3
        # reads are never refused for their Origin
        assert admin.get("/", headers={"Origin": "https://evil.example"}).status_code == 200
