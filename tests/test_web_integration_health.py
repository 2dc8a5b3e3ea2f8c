"""Key health on every page, and integration status for read-only API tokens.

A revoked key, a team that lost Enterprise or a stale last sync shows a banner with
the plain-words reason on every page, to admins and viewers alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from devspend.cursor.fake import FakeCursor
from devspend.settings import Settings
from devspend.store.integrations import Integration
from devspend.sync import service
from devspend.web import identity
from devspend.web.integration_health import banner_for
from sync_helpers import END_MS, VALID_KEY, fake_for, small_team
from web_support import ADMIN_EMAIL, VIEWER_EMAIL, WebEnv, build_env, client_for, signed_in

PAGES = ["/", "/people", "/models", "/spend", "/teams", "/glossary"]
ADMIN_PAGES = ["/settings/users", "/settings/tokens", "/settings/cloud-costs"]


@pytest.fixture
def fake() -> FakeCursor:
    return fake_for(small_team(members=2, days=3, history_days=3))


@pytest.fixture
def env(settings: Settings, engine: sa.Engine, fake: FakeCursor) -> Iterator[WebEnv]:
    with fake.transport() as transport:  # the connecting client closes its transport
        integration = service.connect_cursor(
            engine, settings, api_key=VALID_KEY, team_name="Acme", transport=transport,
            now_ms=END_MS,
        )  # fmt: skip
    assert integration.integration_id == 1
    with fake.transport() as transport:
        yield build_env(settings, engine, transport=transport)


def _sync(env: WebEnv) -> None:
    state = env.app.state.sync_jobs.run_now(1)
    assert state.result is not None, state.error


def _banners(html: str) -> list[str]:
    return [part.split("</div>")[0] for part in html.split('class="notice health-banner"')[1:]]


def test_a_healthy_integration_shows_no_banner(env: WebEnv) -> None:
    _sync(env)
    with signed_in(env, ADMIN_EMAIL, "admin") as client:
        for page in PAGES + ADMIN_PAGES:
            assert _banners(client.get(page).text) == [], page


def test_a_revoked_key_shows_on_every_page(env: WebEnv, fake: FakeCursor) -> None:
    fake.valid_keys.discard(VALID_KEY)
    _sync(env)
    with signed_in(env, ADMIN_EMAIL, "admin") as admin:
        for page in PAGES + ADMIN_PAGES:
            [banner] = _banners(admin.get(page).text)
            assert 'data-reason="key_invalid"' in banner, page
            assert "Cursor no longer accepts the API key of Acme" in banner
            assert 'href="/settings/integrations"' in banner
    with signed_in(env, VIEWER_EMAIL, "viewer") as viewer:
        [banner] = _banners(viewer.get("/people").text)
        assert "revoked" in banner
        assert "/settings/integrations" not in banner  # viewers cannot fix it there
    with client_for(env.app) as anonymous:
        assert _banners(anonymous.get("/login").text) == []


def test_a_team_that_lost_enterprise_says_so(env: WebEnv, fake: FakeCursor) -> None:
    fake.valid_keys.discard(VALID_KEY)
    fake.not_enterprise_keys.add(VALID_KEY)
    _sync(env)
    with signed_in(env, VIEWER_EMAIL, "viewer") as client:
        [banner] = _banners(client.get("/").text)
    assert 'data-reason="not_enterprise"' in banner
    assert "no longer on a Cursor Enterprise plan" in banner


def test_a_stale_last_sync_shows_after_three_intervals(env: WebEnv) -> None:
    _sync(env)
    with env.engine.connect() as conn:
        [integration] = service.list_integrations(conn)
    assert integration.last_sync_at is not None
    env.clock.now = integration.last_sync_at + timedelta(hours=2, minutes=50)
    with signed_in(env, VIEWER_EMAIL, "viewer") as client:
        assert _banners(client.get("/models").text) == []  # within 3 hourly intervals
        env.clock.advance(minutes=20)
        [banner] = _banners(client.get("/models").text)
    assert 'data-reason="stale"' in banner
    assert "Acme last synced 3 hours ago" in banner
    assert "may be out of date" in banner


def test_read_only_api_tokens_can_watch_integration_status(env: WebEnv, fake: FakeCursor) -> None:
    fake.valid_keys.discard(VALID_KEY)
    _sync(env)
    with signed_in(env, ADMIN_EMAIL, "admin"):
        pass
    token = identity.create_token(env.engine, name="monitor", created_by=1, now=env.clock())
    headers = {"Authorization": f"Bearer {token.token}"}
    with client_for(env.app) as client:
        listed = client.get("/api/v1/integrations", headers=headers)
        one = client.get("/api/v1/integrations/1/status", headers=headers)
    assert listed.status_code == 200, listed.text
    assert [i["status"] for i in listed.json()] == ["key_invalid"]
    assert one.json()["status"] == "key_invalid"
    assert VALID_KEY not in listed.text
    with signed_in(env, VIEWER_EMAIL, "viewer") as viewer:
        assert viewer.get("/api/v1/integrations").status_code == 403


def test_a_long_first_backfill_is_not_stale() -> None:
    start = datetime(2026, 11, 20, tzinfo=UTC)
    backfilling = Integration(
        id=1, provider="cursor", display_name="Acme", key_hint="key_…0001",
        status="backfilling", status_message=None, created_at=start, last_sync_at=None,
        last_attempt_at=start, history_start=None, backfill_days_total=365,
        backfill_days_done=100, watermark_ms=None, capabilities={},
    )  # fmt: skip
    assert banner_for(backfilling, now=start + timedelta(hours=10), interval_minutes=60) is None
    late = banner_for(backfilling, now=start + timedelta(hours=30), interval_minutes=60)
    assert late is not None
    assert "has not synced since it was connected 30 hours ago" in late.text
