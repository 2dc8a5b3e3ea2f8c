"""A real headless Chromium creates a budget and a channel on the Budgets page, sees the
forecast there, and after an alerts check sees the triggered alert (and its delivery to a
loopback webhook) on the Alerts page, then acknowledges it. Screenshots go to
``test-artifacts/``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from live_server import serve_in_thread

from alert_receivers import webhook_receiver
from devspend.alerts.check import run_check
from devspend.settings import Settings, load_settings
from devspend.store.engine import open_database
from devspend.web import identity
from devspend.web.app import create_app
from devspend.web.clock import utc_now
from sync_helpers import connect_and_sync, fake_for, small_team

pytestmark = pytest.mark.browser

ADMIN = "admin@example.com"
PASSWORD = "correct horse battery"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, Any, Settings]]:
    settings = load_settings(
        data_dir=tmp_path / "data", database_url=f"sqlite:///{tmp_path / 'web.db'}",
        secret_key="x" * 32, cursor_rpm=100000, cursor_events_rpm=100000,
    )  # fmt: skip
    engine = open_database(settings.effective_database_url)
    connect_and_sync(engine, settings, fake_for(small_team(members=6, days=30, history_days=30)),
                     days=30)  # fmt: skip
    identity.add_user(engine, email=ADMIN, password=PASSWORD, role="admin", now=utc_now())
    server = serve_in_thread(create_app(settings, engine=engine))
    yield next(server), engine, settings
    server.close()
    engine.dispose()


def test_budget_channel_and_alert(site: tuple[str, Any, Settings], browser: Any,
                                  artifacts: Path) -> None:  # fmt: skip
    base, engine, settings = site
    page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(base + "/login")
    page.fill("input[name=email]", ADMIN)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.click("nav a[href='/budgets']")
    page.fill("#budget-form input[name=name]", "Browser budget")
    page.fill("#budget-form input[name=amount]", "1")
    page.select_option("#budget-form select[name=period]", "cycle")
    page.select_option("#budget-form select[name=figure]", "usage_value")
    page.click("#budget-form button[type=submit]")
    page.wait_for_load_state()
    row = page.locator("#budgets-table tbody tr", has_text="Browser budget")
    assert "at cycle end (budget $1.00)" in row.inner_text()
    assert "forecast $" in row.locator(".budget-forecast").inner_text()
    with webhook_receiver() as hook:
        page.fill("#channel-form input[name=url]", hook.url + "/s3cret")
        page.fill("#channel-form input[name=name]", "browser hook")
        page.click("#channel-form button[type=submit]")
        page.wait_for_load_state()
        channels = page.locator("#channels-table").inner_text()
        assert "browser hook" in channels
        assert "s3cret" not in page.content()
        _shot(page, artifacts, "alerts-1-budgets")
        run_check(engine, settings)  # what `devspend alerts check` and every sync do
        assert any(a.get("budget") == "Browser budget" for a in hook.alerts())
    page.click("nav a[href='/alerts']")
    page.wait_for_load_state()
    alert = page.locator("#alerts-table tr.alert-row", has_text="crossed 100 %")
    assert "browser hook: sent" in alert.inner_text()
    assert "Browser budget" in page.locator("#forecasts-table").inner_text()
    alert.locator("button", has_text="Acknowledge").click()
    page.wait_for_load_state()
    acknowledged = page.locator("#alerts-table tr.alert-row", has_text="crossed 100 %")
    assert f"acknowledged by {ADMIN}" in acknowledged.inner_text()
    _shot(page, artifacts, "alerts-2-alerts")
    page.click("nav a[href='/']")
    page.wait_for_selector("#daily-chart[data-ready='1']")
    lines = page.locator("#forecast .forecast-line").all_inner_texts()
    assert any("at cycle end (budget “Browser budget” $1.00" in line for line in lines), lines
    labels = page.evaluate("window.devspendChart.data.datasets.map(d => d.label)")
    assert "forecast" in labels
    projected = page.evaluate(
        "window.devspendChart.data.datasets.find(d => d.label === 'forecast').data"
        ".filter(v => v !== null).length")
    assert projected > 0
    _shot(page, artifacts, "alerts-3-overview-forecast")
    assert not errors


def _shot(page: Any, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)
