"""``/healthz`` and ``/readyz``: no sign-in, no data, and readiness follows the database."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from devspend.settings import Settings
from devspend.store.engine import make_engine
from devspend.store.migrate import upgrade
from web_support import build_env, client_for


def test_health_and_readiness_need_no_sign_in_and_say_nothing_else(
    settings: Settings, engine: sa.Engine
) -> None:
    env = build_env(settings, engine)
    with client_for(env.app) as client:
        health = client.get("/healthz")
        assert health.status_code == 200
        assert health.json() == {"status": "ok"}
        ready = client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json() == {"status": "ready"}
        assert ready.headers["cache-control"] == "no-store"


def test_not_ready_while_migrations_are_behind(settings: Settings, tmp_path: Path) -> None:
    behind = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(behind, "0003")
    env = build_env(settings, behind)
    with client_for(env.app) as client:
        ready = client.get("/readyz")
        assert client.get("/healthz").status_code == 200
    assert ready.status_code == 503
    assert ready.json() == {"status": "not ready", "reason": "database migrations are not current"}
    behind.dispose()


def test_not_ready_without_a_database(settings: Settings) -> None:
    gone = make_engine("postgresql://devspend@127.0.0.1:1/nothing")
    env = build_env(settings, gone)
    with client_for(env.app) as client:
        ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json() == {"status": "not ready", "reason": "database unreachable"}
    assert "127.0.0.1" not in ready.text
