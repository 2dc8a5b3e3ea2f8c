"""The Spend and Teams pages (and their JSON twins) show exactly the FOCUS reports' figures,
which in turn equal independent sums of the imported file and of the Cursor usage."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from devspend.focus.allocations import set_allocation
from devspend.focus.importer import import_focus
from devspend.money import format_dollars
from devspend.reports.spend import Grain, every_period
from devspend.settings import Settings
from focus_usage import USAGE, insert_usage, ownership_report, spend_report
from shared_data import FOCUS_SAMPLE
from web_support import ADMIN_EMAIL, VIEWER_EMAIL, WebEnv, build_env, signed_in

SAMPLE = FOCUS_SAMPLE
FIRST, LAST = date(2024, 9, 1), date(2025, 2, 28)
PERIOD = f"range=custom&start={FIRST}&end={LAST}"
# Alice owns $10 of EC2 (by email tag), team "web" owns $5 of S3, "nobody" is unattributed.
OWNED_CSV = """BillingAccountId,BillingPeriodStart,ChargePeriodStart,ChargePeriodEnd,BilledCost,\
EffectiveCost,BillingCurrency,ProviderName,ServiceName,Tags
42,2025-02-01,2025-02-01,2025-02-02,10.00,8.00,USD,AWS,EC2,"{""owner"": ""Alice@Example.com""}"
42,2025-02-01,2025-02-01,2025-02-02,5.00,5.00,USD,AWS,S3,"{""owner"": ""web""}"
42,2025-02-01,2025-02-03,2025-02-04,1.25,1.25,USD,AWS,EC2,"{""owner"": ""nobody""}"
"""


def _cents(dollars: Decimal) -> Decimal:
    return dollars * 100


def sample_cloud_by_month() -> dict[tuple[date, str, str], Decimal]:
    """Σ BilledCost of the sample per (month, provider, service), with csv + Decimal only."""
    sums: dict[tuple[date, str, str], Decimal] = defaultdict(Decimal)
    with SAMPLE.open(newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            month = date.fromisoformat(row["ChargePeriodStart"][:10]).replace(day=1)
            sums[(month, row["ProviderName"], row["ServiceName"])] += Decimal(row["BilledCost"])
    return dict(sums)


def ai_by_month() -> dict[date, Decimal]:
    """Cursor billed dollars per month: Σ charged cents of chargeable events (FOCUS BilledCost)."""
    sums: dict[date, Decimal] = defaultdict(Decimal)
    for usage in USAGE:
        sums[usage.day.replace(day=1)] += Decimal(usage.chargeable_ucents).scaleb(-8)
    return dict(sums)


@pytest.fixture
def loaded(engine: sa.Engine, settings: Settings, tmp_path: Path) -> sa.Engine:
    insert_usage(engine)
    owned = tmp_path / "owned.csv"
    owned.write_text(OWNED_CSV)
    import_focus(engine, [SAMPLE, owned], settings=settings)
    set_allocation(engine, email="Bob@example.com", team="web", cost_center="cc-7")
    return engine


@pytest.fixture
def admin(settings: Settings, loaded: sa.Engine) -> Iterator[tuple[WebEnv, TestClient]]:
    env = build_env(settings, loaded)
    with signed_in(env, ADMIN_EMAIL, "admin") as client:
        yield env, client


def test_spend_api_equals_independent_sums_of_the_file_and_the_usage(
    admin: tuple[WebEnv, TestClient],
) -> None:
    _env, client = admin
    view = client.get(f"/api/v1/spend?{PERIOD}&by=month").json()
    cloud = {(date.fromisoformat(x["period"]), x["provider"], x["service"]): Decimal(x["cents"])
             for x in view["lines"] if x["source"] == "cloud"}  # fmt: skip
    expected = {k: _cents(v) for k, v in sample_cloud_by_month().items()}
    feb = date(2025, 2, 1)
    expected[(feb, "AWS", "EC2")] = expected.get((feb, "AWS", "EC2"), Decimal(0)) + 1125
    expected[(feb, "AWS", "S3")] = expected.get((feb, "AWS", "S3"), Decimal(0)) + 500
    assert cloud == expected
    ai = {date.fromisoformat(x["period"]): Decimal(x["cents"])
          for x in view["lines"] if x["source"] == "ai"}  # fmt: skip
    assert ai == {k: _cents(v) for k, v in ai_by_month().items()}
    [usd] = view["totals"]
    assert usd["currency"] == "USD"
    assert Decimal(usd["ai_cents"]) == sum(ai.values())
    assert Decimal(usd["cloud_cents"]) == sum(expected.values())
    assert Decimal(usd["total_cents"]) == sum(ai.values()) + sum(expected.values())
    ai_share = Decimal(usd["ai_share_percent"])
    assert abs(ai_share - sum(ai.values()) * 100 / Decimal(usd["total_cents"])) < Decimal("0.01")
    assert ai_share + Decimal(usd["cloud_share_percent"]) == 100


def test_spend_page_shows_the_report_figures_ai_and_cloud_together(
    admin: tuple[WebEnv, TestClient], loaded: sa.Engine,
) -> None:  # fmt: skip
    _env, client = admin
    report = spend_report(loaded, first_day=FIRST, last_day=LAST, grain=Grain.week)
    [usd] = report.totals
    html = client.get(f"/spend?{PERIOD}&by=week").text
    assert f'id="spend-ai-USD">{format_dollars(usd.ai_cents)}<' in html
    assert f'id="spend-cloud-USD">{format_dollars(usd.cloud_cents)}<' in html
    assert f'id="spend-total-USD">{format_dollars(usd.total_cents)}<' in html
    assert f'id="share-ai-USD">{usd.ai_share_percent}%<' in html
    assert html.count('class="source-ai"') == len({x.period for x in report.lines
                                                  if x.source == "ai"})  # fmt: skip
    assert "Amazon Simple Queue Service" in html
    assert 'id="export-focus"' in html  # admins get the FOCUS download of the period
    assert 'id="chart-data"' in html
    weeks = client.get(f"/api/v1/spend?{PERIOD}&by=week").json()["periods"]
    assert [w["period"] for w in weeks] == [
        t.period.isoformat() for t in report.periods if t.period]  # fmt: skip
    assert all(date.fromisoformat(w["period"]).weekday() == 0 for w in weeks)


def test_chart_periods_cover_the_whole_range_gaps_included() -> None:
    assert every_period(date(2025, 1, 30), date(2025, 3, 2), Grain.month) == [
        date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)
    ]  # fmt: skip
    assert every_period(date(2025, 2, 1), date(2025, 2, 10), Grain.week) == [
        date(2025, 1, 27), date(2025, 2, 3), date(2025, 2, 10)
    ]  # fmt: skip
    assert len(every_period(FIRST, LAST, Grain.day)) == (LAST - FIRST).days + 1


def test_daily_chart_has_one_bar_per_day_and_adds_up(
    admin: tuple[WebEnv, TestClient],
) -> None:
    _env, client = admin
    view = client.get(f"/api/v1/spend?{PERIOD}&by=day&cost=effective").json()
    chart = view["chart"]
    assert chart["series"][0]["key"] == "AI · Cursor"
    assert len(chart["days"]) == (LAST - FIRST).days + 1
    stacked = sum(Decimal(v) for s in chart["series"] for v in s["charged_cents"])
    assert stacked == Decimal(view["totals"][0]["total_cents"])


def test_a_narrow_period_only_counts_its_days(admin: tuple[WebEnv, TestClient]) -> None:
    _env, client = admin
    view = client.get("/api/v1/spend?range=custom&start=2025-02-03&end=2025-02-03").json()
    [usd] = view["totals"]
    assert (Decimal(usd["ai_cents"]), Decimal(usd["cloud_cents"])) == (0, 125)
    assert Decimal(usd["cloud_share_percent"]) == 100


def test_teams_show_ai_owned_cloud_and_unattributed_spend(
    admin: tuple[WebEnv, TestClient], loaded: sa.Engine,
) -> None:  # fmt: skip
    _env, client = admin
    view = client.get(f"/api/v1/teams?{PERIOD}").json()
    teams = {t["team"]: t for t in view["teams"]}
    # bob's AI ($0.04) plus the $5 tagged with the team's name
    assert (Decimal(teams["web"]["ai_cents"]), Decimal(teams["web"]["cloud_cents"])) == (4, 500)
    people = {p["email"]: p for p in view["people"]}
    alice = people["alice@example.com"]
    assert (Decimal(alice["ai_cents"]), Decimal(alice["cloud_cents"])) == (
        Decimal("12.345678"), Decimal(1000)
    )  # fmt: skip
    assert view["without_team"]["members"] == 1  # alice has no allocation
    sample_total = _cents(sum(sample_cloud_by_month().values(), Decimal(0)))
    unattributed = {u["owner_tag"]: Decimal(u["cloud_cents"]) for u in view["unattributed"]}
    assert unattributed == {"(untagged)": sample_total, "nobody": Decimal(125)}
    assert Decimal(view["unattributed_cents"]) == sample_total + 125
    report = ownership_report(loaded, first_day=FIRST, last_day=LAST)
    html = client.get(f"/teams?{PERIOD}").text
    expected_total = format_dollars(report.unattributed_cents)
    assert f'id="unattributed-total">{expected_total}<' in html


def test_viewers_can_read_spend_and_teams(settings: Settings, loaded: sa.Engine) -> None:
    env = build_env(settings, loaded)
    with signed_in(env, VIEWER_EMAIL, "viewer") as viewer:
        for path in ("/spend", "/teams", "/api/v1/spend", "/api/v1/teams"):
            assert viewer.get(f"{path}?{PERIOD}").status_code == 200, path
        assert "/settings/cloud-costs" not in viewer.get("/spend").text


def test_the_team_filter_is_flagged_as_not_applying(admin: tuple[WebEnv, TestClient]) -> None:
    _env, client = admin
    assert 'id="spend-notice"' in client.get(f"/spend?{PERIOD}&integration=1").text
    assert client.get(f"/api/v1/spend?{PERIOD}&by=year").status_code == 422


def test_a_persons_page_shows_ai_spend_and_the_cloud_spend_they_own(
    admin: tuple[WebEnv, TestClient],
) -> None:
    _env, client = admin
    html = client.get(f"/people/alice@example.com?{PERIOD}").text
    # "Spend in period" is the usage pages' Σ chargedCents of all her events ($0.12345678 +
    # the $0.042 her included event carries); the AI + cloud total uses the billed $0.12345678
    assert 'id="person-spend">$0.17<' in html
    assert 'id="person-cloud">$10.00<' in html
    assert 'id="person-ai-billed">$0.12<' in html
    assert 'id="person-total">$10.12<' in html
    bob = client.get(f"/people/bob@example.com?{PERIOD}").text
    assert 'id="person-cloud">$0.00<' in bob
    assert "team web" in bob


def test_the_people_table_shows_the_cloud_spend_each_person_owns(
    admin: tuple[WebEnv, TestClient],
) -> None:
    _env, client = admin
    html = client.get(f"/people?{PERIOD}&q=alice").text
    assert '<td class="num cloud-owned">$10.00</td>' in html
    bob = client.get(f"/people?{PERIOD}&q=bob").text
    assert '<td class="num cloud-owned">$0.00</td>' in bob
