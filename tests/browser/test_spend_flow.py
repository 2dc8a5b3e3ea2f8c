"""A real headless Chromium uploads cloud costs and sees them beside AI spend: the FOCUS
sample and an owner-tagged file go in through Settings → Cloud costs (a broken file is
refused with its line), the Spend page shows AI and cloud together, the Teams page shows
who owns what, and a person's page shows both their AI spend and the cloud spend they own.
Screenshots go to ``test-artifacts/``."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from live_server import serve_in_thread

from devspend.settings import load_settings
from devspend.store.engine import open_database
from devspend.web import identity
from devspend.web.app import create_app
from devspend.web.clock import utc_now
from focus_usage import ownership_report
from shared_data import FOCUS_SAMPLE
from sync_helpers import END_MS, connect_and_sync, fake_for, small_team

pytestmark = pytest.mark.browser

ADMIN = "admin@example.com"
PASSWORD = "correct horse battery"
SAMPLE = FOCUS_SAMPLE
END_DAY = datetime.fromtimestamp(END_MS / 1000, tz=UTC).date()
PERIOD = f"range=custom&start=2024-09-01&end={END_DAY}"
OWNED_COST = "123.45"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, Any]]:
    settings = load_settings(
        data_dir=tmp_path / "data", database_url=f"sqlite:///{tmp_path / 'web.db'}",
        secret_key="x" * 32, cursor_rpm=100000, cursor_events_rpm=100000,
    )  # fmt: skip
    engine = open_database(settings.effective_database_url)
    connect_and_sync(engine, settings, fake_for(small_team(members=6, days=20, history_days=20)),
                     days=20)  # fmt: skip
    identity.add_user(engine, email=ADMIN, password=PASSWORD, role="admin", now=utc_now())
    server = serve_in_thread(create_app(settings, engine=engine))
    yield next(server), engine
    server.close()
    engine.dispose()


def _top_ai_person(engine: Any) -> str:
    report = ownership_report(engine, first_day=END_DAY - timedelta(days=30), last_day=END_DAY)
    return max(report.people, key=lambda p: p.ai_cents).email


def _owned_focus_csv(folder: Path, email: str) -> Path:
    """A tiny FOCUS file whose only cost is tagged as owned by ``email``."""
    day = END_DAY - timedelta(days=2)
    path = folder / "owned-by-person.csv"
    path.write_text(
        "BillingAccountId,BillingPeriodStart,ChargePeriodStart,ChargePeriodEnd,BilledCost,"
        "BillingCurrency,ProviderName,ServiceName,Tags\n"
        f"777,{day.replace(day=1)},{day},{day + timedelta(days=1)},{OWNED_COST},USD,GCP,"
        f'BigQuery,"{{""owner"": ""{email}""}}"\n'
    )
    return path


def _shot(page: Any, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)


def _upload(page: Any, base: str, path: Path) -> None:
    page.goto(base + "/settings/cloud-costs")
    page.set_input_files("#upload-form input[name=files]", str(path))
    page.click("#upload-button")
    page.wait_for_load_state()


def test_cloud_costs_appear_beside_ai_spend(
    site: tuple[str, Any], browser: Any, artifacts: Path, tmp_path: Path
) -> None:
    base, engine = site
    person = _top_ai_person(engine)
    sample = tmp_path / SAMPLE.name
    shutil.copy(SAMPLE, sample)
    broken = tmp_path / "broken.csv"
    broken.write_text(sample.read_text().replace("0.00001605990", "oops", 1))
    owned = _owned_focus_csv(tmp_path, person)

    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 900})
    page = context.new_page()
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.goto(base + "/login")
    page.fill("input[name=email]", ADMIN)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")

    # a broken file is refused with its file, line and reason, and stores nothing
    _upload(page, base, broken)
    page.wait_for_selector("#import-problems")
    assert page.inner_text("#problems-table .problem-file") == "broken.csv"
    assert page.inner_text("#problems-table .problem-line") == "3"
    _shot(page, artifacts, "spend-01-upload-refused")
    console_errors.clear()  # the refusal itself is a 400 page

    # the real sample and an owner-tagged file go in
    _upload(page, base, sample)
    page.wait_for_selector("#import-result")
    assert page.inner_text("#imported-rows") == "1,000"
    _shot(page, artifacts, "spend-02-sample-imported")
    _upload(page, base, owned)
    page.wait_for_selector("#import-result")
    assert page.inner_text("#imported-rows") == "1"

    # the Spend page shows AI and cloud together, with their shares
    page.goto(f"{base}/spend?{PERIOD}&by=month")
    page.wait_for_selector("#daily-chart[data-ready='1']")
    assert page.inner_text("#spend-ai-USD") != "$0.00"
    assert page.inner_text("#spend-cloud-USD") != "$0.00"
    sources = page.locator("#spend-lines tbody td:nth-child(2)").all_inner_texts()
    assert {"AI", "cloud"} <= set(sources)
    assert page.evaluate("window.devspendChart.data.datasets[0].label") == "AI · Cursor"
    _shot(page, artifacts, "spend-03-spend-page")

    # an admin puts the person in a team; the Teams page then attributes their spend to it
    page.goto(base + "/settings/cloud-costs")
    page.fill("#allocation-form input[name=email]", person)
    page.fill("#allocation-form input[name=team]", "platform")
    page.click("#allocation-form button[type=submit]")
    page.wait_for_selector(f"#allocations-table tr[data-email='{person}']")
    page.fill("#export-form input[name=start]", str(END_DAY - timedelta(days=19)))
    page.fill("#export-form input[name=end]", str(END_DAY))
    with page.expect_download() as download_info:
        page.click("#export-button")
    exported = download_info.value.path().read_text()
    assert exported.startswith("BilledCost,")
    assert "platform" in exported  # the allocation travels as a FOCUS tag
    page.goto(f"{base}/teams?{PERIOD}")
    assert page.inner_text("#unattributed-total") != "$0.00"
    team_row = page.locator("#teams-table tbody tr", has_text="platform").inner_text()
    assert f"${OWNED_COST}" in team_row
    _shot(page, artifacts, "spend-04-teams")

    # the person's page shows both their AI spend and the cloud spend they own
    page.goto(f"{base}/people/{quote(person)}?{PERIOD}")
    page.wait_for_selector("#person-name")
    assert page.inner_text("#person-spend") != "$0.00"
    assert page.inner_text("#person-cloud") == f"${OWNED_COST}"
    _shot(page, artifacts, "spend-05-person-ai-and-cloud")
    assert console_errors == []
    context.close()
