"""A real headless Chromium reads what the money bought: from the AI code page to one
person, whose page shows their spend and their AI lines side by side, then Adoption and
the Models page's What-if section. Screenshots go to ``test-artifacts/``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from live_server import serve_in_thread

from devspend.money import format_dollars
from devspend.reports.ai_code import build_ai_code
from devspend.settings import load_settings
from devspend.store.engine import open_database
from devspend.web import identity
from devspend.web.app import create_app
from devspend.web.clock import utc_now
from sync_helpers import connect_and_sync, fake_for, small_team

pytestmark = pytest.mark.browser

ADMIN = "admin@example.com"
PASSWORD = "correct horse battery"
PERIOD = "range=custom&start=2026-10-22&end=2026-11-20"

@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, Any]]:
    settings = load_settings(
        data_dir=tmp_path / "data", database_url=f"sqlite:///{tmp_path / 'web.db'}",
        secret_key="x" * 32, cursor_rpm=100000, cursor_events_rpm=100000,
    )  # fmt: skip
    engine = open_database(settings.effective_database_url)
    connect_and_sync(engine, settings, fake_for(small_team(members=6, days=40, history_days=40)),
                     days=40)  # fmt: skip
    identity.add_user(engine, email=ADMIN, password=PASSWORD, role="admin", now=utc_now())
    server = serve_in_thread(create_app(settings, engine=engine))
    yield next(server), engine
    server.close()
    engine.dispose()

def test_person_page_shows_spend_and_ai_lines_side_by_side(
    site: tuple[str, Any], browser: Any, artifacts: Path
) -> None:
    base, engine = site

    with engine.connect() as conn:
        view = build_ai_code(conn, start=date(2026, 10, 22), end=date(2026, 11, 20))
    busiest = view.people[0]
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("input[name=email]", ADMIN)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")

    page.click("nav >> text=AI code")
    page.wait_for_url(base + "/ai-code*")
    page.goto(f"{base}/ai-code?{PERIOD}")
    assert page.locator("#ai-code-people tbody tr").count() == len(view.people)
    page.screenshot(path=str(artifacts / "outcome-01-ai-code.png"), full_page=True)
    page.locator("#ai-code-people tbody tr").first.locator("a").click()
    page.wait_for_url(f"{base}/people/**")
    section = page.locator("#person-ai-code")
    assert section.is_visible()
    assert page.inner_text("#person-ai-lines") == f"{busiest.ai_lines:,}"
    assert page.inner_text("#person-cost") == format_dollars(busiest.cost_cents)
    spend = page.locator("#person-spend")  # the usage-value card above, on the same screen
    assert spend.is_visible()
    assert spend.bounding_box()["y"] < section.bounding_box()["y"]  # type: ignore[index]
    per_commit = busiest.cost_per_ai_commit_cents
    shown = page.inner_text("#person-per-commit")
    assert shown == (format_dollars(per_commit) if per_commit is not None else "hidden")
    page.screenshot(path=str(artifacts / "outcome-02-person.png"), full_page=True)

    page.goto(f"{base}/adoption?{PERIOD}")
    assert page.locator("#adoption-people tbody tr").count() >= 5
    page.fill("#idle-days", "1")
    page.click("#idle-seats button[type=submit]")
    page.wait_for_url("**idle_days=1**")
    assert "in 1 days" in page.inner_text("#idle-seats h2")
    page.screenshot(path=str(artifacts / "outcome-03-adoption.png"), full_page=True)

    page.goto(f"{base}/models?{PERIOD}")
    rows = page.locator("#whatif-table tbody tr")
    assert rows.count() >= 3
    assert page.locator("#whatif-unknown").inner_text().startswith("No list price for")
    page.screenshot(path=str(artifacts / "outcome-04-whatif.png"), full_page=True)
    context.close()
