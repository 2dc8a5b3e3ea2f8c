"""In a real browser: an admin limits a viewer to one team on the Users page; the viewer
then sees only that team's people, filters by the team select, and cannot open another
team's person. Screenshots go to ``test-artifacts/``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from live_server import serve_in_thread

from devspend.settings import load_settings
from devspend.store.allocations import Allocation, upsert_allocations
from devspend.store.engine import open_database
from devspend.store.tables import people
from devspend.web import identity
from devspend.web.app import create_app
from devspend.web.clock import utc_now
from sync_helpers import connect_and_sync, fake_for, small_team

pytestmark = pytest.mark.browser

ADMIN = "admin@example.com"
VIEWER = "lead@example.com"
PASSWORD = "correct horse battery"
PERIOD = "range=custom&start=2026-10-01&end=2026-11-20"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, list[str], list[str]]]:
    settings = load_settings(
        data_dir=tmp_path / "data", database_url=f"sqlite:///{tmp_path / 'web.db'}",
        secret_key="x" * 32, cursor_rpm=100000, cursor_events_rpm=100000,
    )  # fmt: skip
    engine = open_database(settings.effective_database_url)
    connect_and_sync(engine, settings, fake_for(small_team(members=6, days=60, history_days=60)),
                     days=60)  # fmt: skip
    with engine.begin() as conn:
        emails = sorted(str(e).lower() for e in conn.execute(sa.select(people.c.email)).scalars())
        upsert_allocations(conn, [
            Allocation(e, "Platform" if i < 3 else "Web", None, "manual")
            for i, e in enumerate(emails)
        ], now=datetime(2026, 11, 20, tzinfo=UTC))  # fmt: skip
    for email, role in ((ADMIN, "admin"), (VIEWER, "viewer")):
        identity.add_user(engine, email=email, password=PASSWORD, role=role, now=utc_now())
    server = serve_in_thread(create_app(settings, engine=engine))
    yield next(server), emails[:3], emails[3:]
    server.close()
    engine.dispose()


def _sign_in(page: Any, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")


def test_an_admin_limits_a_viewer_to_a_team(
    site: tuple[str, list[str], list[str]], browser: Any, artifacts: Path
) -> None:
    base, platform, web = site
    admin = browser.new_context().new_page()
    _sign_in(admin, base, ADMIN)
    admin.goto(base + "/settings/users")
    row = admin.locator("#users-table tr", has_text=VIEWER)
    row.locator("input[name=teams]").fill("Platform")
    row.locator("button", has_text="Limit").click()
    admin.wait_for_url(base + "/settings/users")
    assert admin.locator("#users-table tr", has_text=VIEWER).locator(
        "input[name=teams]").input_value() == "Platform"  # fmt: skip
    admin.screenshot(path=str(artifacts / "viewer-teams-01-users.png"), full_page=True)

    viewer = browser.new_context().new_page()
    _sign_in(viewer, base, VIEWER)
    viewer.goto(f"{base}/people?{PERIOD}")
    assert "Platform" in viewer.inner_text("#viewer-limit")
    shown = viewer.inner_text("#people-table")
    assert all(e in shown for e in platform)
    assert all(e not in shown for e in web)
    assert viewer.locator("#filter-team option").all_inner_texts() == ["All of mine", "Platform"]
    viewer.screenshot(path=str(artifacts / "viewer-teams-02-people.png"), full_page=True)
    response = viewer.goto(f"{base}/people/{web[0]}?{PERIOD}")
    assert response is not None
    assert response.status == 404
    response = viewer.goto(f"{base}/people/{platform[0]}?{PERIOD}")
    assert response is not None
    assert response.status == 200
    viewer.wait_for_selector("#person-name")
