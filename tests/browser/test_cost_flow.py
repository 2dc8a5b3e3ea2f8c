"""A real headless Chromium follows the money: the seat price is set under Settings →
Integrations, the overview's headline shows cost with its parts, and its link leads to
the Reconciliation page, which flags exactly the member whose spend Cursor misreports.
Screenshots go to ``test-artifacts/``."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from live_server import serve_in_thread

from devspend.settings import load_settings
from devspend.store.engine import open_database
from devspend.web import identity
from devspend.web.app import create_app
from devspend.web.clock import utc_now
from sync_helpers import connect_and_sync, fake_for, small_team

pytestmark = pytest.mark.browser

ADMIN = "admin@example.com"
PASSWORD = "correct horse battery"
OFFSET = Decimal("250")


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, str]]:
    settings = load_settings(
        data_dir=tmp_path / "data", database_url=f"sqlite:///{tmp_path / 'web.db'}",
        secret_key="x" * 32, cursor_rpm=100000, cursor_events_rpm=100000,
    )  # fmt: skip
    engine = open_database(settings.effective_database_url)
    team = small_team(members=6, days=40, history_days=40)
    target = next(p.email for p in team.profiles if p.removed_ms is None and p.index > 0)
    connect_and_sync(engine, settings, fake_for(team, spend_offsets_cents={target: OFFSET}),
                     days=40)  # fmt: skip
    identity.add_user(engine, email=ADMIN, password=PASSWORD, role="admin", now=utc_now())
    server = serve_in_thread(create_app(settings, engine=engine))
    yield next(server), target
    server.close()
    engine.dispose()


def test_seat_price_and_reconciliation(
    site: tuple[str, str], browser: Any, artifacts: Path
) -> None:
    base, target = site
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("input[name=email]", ADMIN)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")

    page.goto(base + "/settings/integrations")
    assert "seat price not set" in page.inner_text(".seat-price")
    page.fill("#seat-price-1", "40")
    page.click(".seat-price button[type=submit]")
    page.wait_for_load_state()
    assert "$40 per seat per cycle" in page.inner_text(".seat-price")
    assert "days held" in page.inner_text(".history-held")

    # the overview's headline is cost, with its parts beside it, linked to reconciliation
    page.goto(base + "/?range=custom&start=2026-11-01&end=2026-11-20")
    total = page.inner_text("#cost-total")
    assert total.startswith("$")
    assert "$" in page.inner_text("#cost-seats")
    for part in ("#cost-on-demand", "#cost-included", "#cost-usage-value", "#cost-model-cost"):
        assert page.inner_text(part).startswith("$"), part
    assert "seats unused" in page.inner_text("#cost-idle-seats")
    page.screenshot(path=str(artifacts / "cost-00-overview.png"), full_page=True)
    page.click("#reconcile-link")
    page.wait_for_url(base + "/reconcile")
    assert "Some figures do not match" in page.inner_text("#reconcile-verdict")
    flagged = page.locator(".reconcile-members tr.status-mismatch")
    assert flagged.count() == 1
    assert flagged.get_attribute("data-email") == target
    assert flagged.locator(".delta").inner_text() == f"-{OFFSET:.6f} ¢"
    assert page.locator(".reconcile-groups tr.status-mismatch").count() == 0
    page.screenshot(path=str(artifacts / "cost-01-reconciliation.png"), full_page=True)
    page.click("#glossary-link")
    page.wait_for_url(base + "/glossary")
    assert page.locator("#term-cost_cents").count() == 1
    context.close()
