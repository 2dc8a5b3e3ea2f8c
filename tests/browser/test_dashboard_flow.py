"""A real headless Chromium walks devspend end to end: first admin, connect Cursor (a bad
key, then a good one), overview chart, people sorted and exported, a person, sign out;
then a viewer who cannot reach Settings. Screenshots go to ``test-artifacts/``."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from live_server import serve_in_thread

from devspend.settings import load_settings
from devspend.store.engine import open_database
from devspend.web import identity
from devspend.web.app import create_app
from devspend.web.clock import utc_now
from sync_helpers import VALID_KEY, fake_for, small_team

pytestmark = pytest.mark.browser

ADMIN = "admin@example.com"
VIEWER = "viewer@example.com"
PASSWORD = "correct horse battery"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, Any, str]]:
    settings = load_settings(
        data_dir=tmp_path / "data", database_url=f"sqlite:///{tmp_path / 'web.db'}",
        secret_key="x" * 32, cursor_rpm=100000, cursor_events_rpm=100000, backfill_days=40,
    )  # fmt: skip
    team = small_team(members=12, days=40, history_days=40, end_ms=int(time.time() * 1000))
    fake = fake_for(team)
    engine = open_database(settings.effective_database_url)
    with fake.transport() as transport:
        app = create_app(settings, engine=engine, cursor_transport=transport)
        server = serve_in_thread(app)
        yield next(server), engine, app.state.setup_token
        server.close()
    engine.dispose()


def _goto_racing_the_pages_reload(page: Any, url: str) -> None:
    """The integrations page reloads itself when the sync it shows finishes; a navigation
    of ours racing that reload is aborted (net::ERR_ABORTED), so go again once it is done."""
    for attempt in range(3):
        try:
            page.goto(url)
            return
        except Exception as exc:
            if "ERR_ABORTED" not in str(exc) or attempt == 2:
                raise
            page.wait_for_load_state()


def _shot(page: Any, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)


def test_admin_journey_and_viewer_limits(site: tuple[str, Any, str], browser: Any,
                                         artifacts: Path) -> None:  # fmt: skip
    base, engine, setup_token = site
    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 900})
    page = context.new_page()
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)

    # first admin: only while no user exists, and only with the printed one-time link
    page.goto(base + "/")
    assert page.url.endswith("/setup")
    assert "devspend user add --admin" in page.inner_text("body")
    page.goto(f"{base}/setup?token={setup_token}")
    _shot(page, artifacts, "01-setup")
    page.fill("input[name=email]", ADMIN)
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=password_again]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/settings/integrations")

    # a bad key shows the FAQ answers
    page.fill("input[name=api_key]", "key_test_wrong_0001")
    page.click("#connect-button")
    page.wait_for_selector("#connect-error")
    assert "Only Team Admins" in page.inner_text("#connect-faq")
    _shot(page, artifacts, "02-connect-bad-key")

    # a good key shows backfill progress, then data
    page.fill("input[name=api_key]", VALID_KEY)
    page.fill("input[name=team_name]", "Acme")
    page.click("#connect-button")
    page.wait_for_selector("#integration-1")
    _shot(page, artifacts, "03-backfill-progress")
    deadline = time.monotonic() + 180  # a liveness bound: generous on a loaded 2-core CI machine
    status_url = base + "/api/v1/integrations/1/status"
    while (status := page.request.get(status_url).json())["running"]:
        assert time.monotonic() < deadline, "backfill did not finish"
        page.wait_for_timeout(300)
    assert status["status"] == "ok"
    _goto_racing_the_pages_reload(page, base + "/settings/integrations")
    assert "ok" in page.inner_text("#integration-1 .sync-state")
    assert "key_…0001" in page.inner_text("#integration-1 .key-hint")
    assert VALID_KEY not in page.content()
    _shot(page, artifacts, "04-integration-connected")

    # overview with its chart
    page.goto(base + "/?range=30d")
    page.wait_for_selector("#daily-chart[data-ready='1']")
    assert page.inner_text("#spend-total").startswith("$")
    page.click("#split-user")
    page.wait_for_selector("#daily-chart[data-ready='1']")
    _shot(page, artifacts, "05-overview")

    # people: sort by requests, download the CSV of the rows shown
    page.goto(base + "/people?range=30d")
    page.click("a[data-sort='events']")
    page.wait_for_url("**sort=events**")
    rows = page.locator("#people-table tbody tr")
    shown = [rows.nth(i).locator("td.requests").inner_text() for i in range(rows.count())]
    counts = [int(v.replace(",", "")) for v in shown]
    assert counts == sorted(counts, reverse=True)
    with page.expect_download() as download_info:
        page.click("#csv-download")
    download = download_info.value
    target = artifacts / "people.csv"
    download.save_as(str(target))
    exported = list(csv.DictReader(io.StringIO(target.read_text())))
    assert [int(r["events"]) for r in exported] == counts
    _shot(page, artifacts, "06-people")

    # one person
    page.click("#people-table tbody tr:first-child td:first-child a")
    page.wait_for_selector("#person-name")
    page.wait_for_selector("#daily-chart[data-ready='1']")
    _shot(page, artifacts, "07-person")

    page.goto(base + "/models?range=30d")
    _shot(page, artifacts, "08-models")

    # admin pages: users, an API token shown once, the API documentation
    page.goto(base + "/settings/users")
    _shot(page, artifacts, "10-users")
    page.goto(base + "/settings/tokens")
    page.fill("input[name=name]", "grafana")
    page.click("form[action='/settings/tokens'] button[type=submit]")
    page.wait_for_selector("#new-token")
    assert page.inner_text("#new-token code").startswith("dsp_")
    _shot(page, artifacts, "11-api-tokens")
    page.goto(base + "/api/docs")
    assert "/api/v1/people" in page.content()
    _shot(page, artifacts, "12-api-docs")

    # sign out
    page.click("#logout")
    page.wait_for_url("**/login")
    assert page.goto(base + "/").url.startswith(base + "/login")

    # a viewer cannot reach Settings
    identity.add_user(engine, email=VIEWER, password=PASSWORD, role="viewer", now=utc_now())
    page.fill("input[name=email]", VIEWER)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")
    assert page.locator("a[href='/settings/integrations']").count() == 0
    response = page.goto(base + "/settings/integrations")
    assert response is not None
    assert response.status == 403
    _shot(page, artifacts, "09-viewer-refused")
    context.close()
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors

