"""Settings → Integrations: connect with live validation and FAQ answers, progress, sync
now, replace key and disconnect (keeping or deleting the data)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from devspend.cursor.fake import FakeCursor
from devspend.settings import Settings
from sync_helpers import NOT_ENTERPRISE_KEY, VALID_KEY, fake_for, small_team
from web_support import ADMIN_EMAIL, WebEnv, build_env, page_csrf, signed_in

PAGE = "/settings/integrations"


@pytest.fixture
def fake() -> FakeCursor:
    return fake_for(small_team(members=4, days=20, history_days=20))


@pytest.fixture
def admin(
    settings: Settings, engine: sa.Engine, fake: FakeCursor
) -> Iterator[tuple[WebEnv, TestClient]]:
    with fake.transport() as transport:
        env = build_env(settings, engine, transport=transport, backfill_days=30)
        with signed_in(env, ADMIN_EMAIL, "admin") as client:
            yield env, client


def _connect(client: TestClient, key: str, team: str = "Acme") -> str:
    response = client.post(f"{PAGE}/connect", data={
        "api_key": key, "team_name": team, "csrf_token": page_csrf(client, PAGE),
    })  # fmt: skip
    return response.text if response.status_code != 303 else response.headers["location"]


def test_a_wrong_key_shows_the_faq_answers_and_stores_nothing(
    admin: tuple[WebEnv, TestClient],
) -> None:
    env, client = admin
    html = _connect(client, "key_test_wrong_0001")
    assert "401" in html
    assert "Only Team Admins can create Admin API keys" in html
    assert "Team Settings → API Keys" in html
    assert "key_test_wrong_0001" not in html
    html = _connect(client, "sk-not-a-cursor-key")
    assert "Admin API keys start with key_" in html
    with env.engine.connect() as conn:
        assert conn.execute(sa.text("select count(*) from integrations")).scalar_one() == 0


def test_a_team_without_enterprise_gets_the_plan_answer(admin: tuple[WebEnv, TestClient]) -> None:
    _env, client = admin
    html = _connect(client, NOT_ENTERPRISE_KEY)
    assert "needs a Cursor Enterprise plan" in html


def test_a_good_key_backfills_with_progress_then_shows_data(
    admin: tuple[WebEnv, TestClient],
) -> None:
    env, client = admin
    assert _connect(client, VALID_KEY).startswith(PAGE)
    state = env.app.state.sync_jobs.wait(1, timeout=60)
    assert state is not None
    assert state.result is not None
    assert state.result.ok
    status = client.get("/api/v1/integrations/1/status").json()
    assert status["status"] == "ok"
    assert status["backfill_percent"] == 100
    assert status["key_hint"] == "key_…0001"
    assert status["history_start"]
    assert status["last_sync_at"] is not None
    page = client.get(PAGE).text
    assert "Cursor · Acme" in page
    assert "key_…0001" in page
    assert VALID_KEY not in page
    people = client.get("/api/v1/people?range=365d").json()["rows"]
    assert len(people) >= 2


def test_sync_now_replace_key_and_disconnect(
    admin: tuple[WebEnv, TestClient], fake: FakeCursor
) -> None:
    env, client = admin
    _connect(client, VALID_KEY)
    jobs = env.app.state.sync_jobs
    jobs.wait(1, timeout=60)
    token = page_csrf(client, PAGE)
    assert client.post(f"{PAGE}/1/sync", data={"csrf_token": token}).status_code == 303
    assert jobs.wait(1, timeout=60).result.ok

    fake.valid_keys.add("key_test_valid_0002")
    bad = client.post(f"{PAGE}/1/replace-key",
                      data={"api_key": "key_test_bad_0003", "csrf_token": token})  # fmt: skip
    assert bad.status_code == 400
    assert "Only Team Admins" in bad.text
    good = client.post(f"{PAGE}/1/replace-key",
                       data={"api_key": "key_test_valid_0002", "csrf_token": token})  # fmt: skip
    assert good.status_code == 303
    jobs.wait(1, timeout=60)
    assert "key_…0002" in client.get(PAGE).text

    keep = client.post(f"{PAGE}/1/disconnect", data={"data": "keep", "csrf_token": token})
    assert keep.status_code == 303
    assert client.get("/api/v1/integrations/1/status").json()["status"] == "disconnected"
    assert client.get("/api/v1/people?range=365d").json()["rows"]  # data kept

    _connect(client, VALID_KEY, team="Second")
    jobs.wait(2, timeout=60)
    delete = client.post(f"{PAGE}/2/disconnect", data={"data": "delete", "csrf_token": token})
    assert delete.status_code == 303
    assert client.get("/api/v1/integrations/2/status").status_code == 404
