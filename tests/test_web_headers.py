"""Response headers that keep spend data out of caches and browsers on HTTPS."""

from __future__ import annotations

import sqlalchemy as sa

from devspend.settings import Settings
from web_support import ADMIN_EMAIL, build_env, client_for, signed_in

DATA_PATHS = ("/", "/people", "/people.csv", "/models", "/settings/integrations",
              "/api/v1/overview", "/api/v1/people", "/settings/cloud-costs")  # fmt: skip


def test_pages_csv_and_json_are_never_cached(settings: Settings, engine: sa.Engine) -> None:
    env = build_env(settings, engine)
    with signed_in(env, ADMIN_EMAIL, "admin") as admin:
        for path in DATA_PATHS:
            response = admin.get(path)
            assert response.status_code == 200, (path, response.status_code)
            assert response.headers["cache-control"] == "no-store", path
        assert "no-store" not in admin.get("/static/app.css").headers.get("cache-control", "")


def test_strict_transport_security_only_over_https(
    settings: Settings, engine: sa.Engine
) -> None:
    env = build_env(settings, engine)
    with client_for(env.app, https=True) as secure:
        for path in ("/login", "/api/v1/overview", "/no-such-page"):
            assert secure.get(path).headers["strict-transport-security"] == "max-age=31536000"
    with client_for(env.app) as plain:
        # over plain HTTP the header means nothing and could pin a name that has no TLS
        assert "strict-transport-security" not in plain.get("/login").headers
