"""AI and cloud spend side by side, attributed to people and teams through owner tags."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from devspend.errors import FocusImportError
from devspend.focus.allocations import (
    list_allocations,
    load_allocations_csv,
    refresh_billing_group_allocations,
    set_allocation,
)
from devspend.focus.importer import import_focus
from devspend.focus.owners import reassign_owners
from devspend.reports.spend import CostBasis, Grain, period_start
from devspend.settings import Settings
from devspend.store.tables import billing_group_members, billing_groups
from focus_usage import dollars, insert_usage, ownership_report, spend_report
from sync_helpers import connect_and_sync, fake_for, small_team

AI_TOTAL = Decimal("0.16345678")
CLOUD_CSV = """BillingAccountId,BillingPeriodStart,ChargePeriodStart,ChargePeriodEnd,BilledCost,\
EffectiveCost,BillingCurrency,ProviderName,ServiceName,Tags
1,2025-01-01,2025-01-31,2025-02-01,10.00,8.00,USD,AWS,EC2,"{""owner"": ""Alice@Example.com""}"
1,2025-02-01,2025-02-01,2025-02-02,5.00,5.00,USD,AWS,S3,"{""owner"": ""Web""}"
2,2025-02-01,2025-02-01,2025-02-02,2.00,2.00,USD,GCP,BigQuery,
1,2025-02-01,2025-02-03,2025-02-04,1.00,1.00,USD,AWS,EC2,"{""owner"": ""nobody""}"
3,2025-02-01,2025-02-01,2025-02-02,7.00,7.00,EUR,Azure,VMs,"{""owner"": ""alice@example.com""}"
"""
ALLOCATIONS_CSV = "email,team,cost_center\nalice@example.com,platform,cc-1\nBob@example.com,web,\n"


@pytest.fixture
def loaded(engine: sa.Engine, settings: Settings, tmp_path: Path) -> sa.Engine:
    insert_usage(engine)
    (tmp_path / "cloud.csv").write_text(CLOUD_CSV)
    import_focus(engine, [tmp_path / "cloud.csv"], settings=settings)
    (tmp_path / "allocations.csv").write_text(ALLOCATIONS_CSV)
    load_allocations_csv(engine, tmp_path / "allocations.csv")
    return engine


def test_monthly_spend_side_by_side_with_shares(loaded: sa.Engine) -> None:
    report = spend_report(loaded, first_day=date(2025, 1, 1), last_day=date(2025, 2, 28))
    totals = {(t.period, t.currency): (dollars(t.ai_cents), dollars(t.cloud_cents))
              for t in report.periods}  # fmt: skip
    assert totals == {
        (date(2025, 1, 1), "USD"): (Decimal("0.12345678"), Decimal(10)),
        (date(2025, 2, 1), "USD"): (Decimal("0.04"), Decimal(8)),
        (date(2025, 2, 1), "EUR"): (Decimal(0), Decimal(7)),
    }
    [usd] = [t for t in report.totals if t.currency == "USD"]
    assert (dollars(usd.ai_cents), dollars(usd.cloud_cents), dollars(usd.total_cents)) == (
        AI_TOTAL, Decimal(18), Decimal("18.16345678"))  # fmt: skip
    assert usd.ai_share_percent == Decimal("0.90")
    feb = {(x.provider, x.service): x for x in report.lines
           if x.period == date(2025, 2, 1) and x.currency == "USD"}  # fmt: skip
    assert dollars(feb[("AWS", "EC2")].cents) == Decimal(1)
    assert feb[("Cursor", "Cursor on-demand")].source == "ai"
    assert feb[("AWS", "S3")].share_percent == Decimal("62.19")  # 5 / 8.04


def test_effective_cost_basis_and_weekly_grain(loaded: sa.Engine) -> None:
    report = spend_report(
        loaded, first_day=date(2025, 1, 1), last_day=date(2025, 2, 28), grain=Grain.week,
        cost=CostBasis.effective,
    )  # fmt: skip
    usd = {t.period: dollars(t.cloud_cents) for t in report.periods if t.currency == "USD"}
    assert usd == {date(2025, 1, 27): Decimal(15), date(2025, 2, 3): Decimal(1)}


def test_period_start_per_grain() -> None:
    assert period_start(date(2025, 2, 1), Grain.day) == date(2025, 2, 1)
    assert period_start(date(2025, 2, 1), Grain.week) == date(2025, 1, 27)
    assert period_start(date(2025, 2, 17), Grain.month) == date(2025, 2, 1)


def test_people_and_teams_own_ai_and_cloud_and_the_rest_is_unattributed(
    loaded: sa.Engine,
) -> None:
    report = ownership_report(loaded, first_day=date(2025, 1, 1), last_day=date(2025, 2, 28))
    people = {p.email: p for p in report.people}
    alice, bob = people["alice@example.com"], people["bob@example.com"]
    assert (alice.team, alice.cost_center, alice.name) == ("platform", "cc-1", "Alice")
    assert (dollars(alice.ai_cents), dollars(alice.cloud_cents), dollars(alice.total_cents)) == (
        Decimal("0.12345678"), Decimal(10), Decimal("10.12345678")
    )  # fmt: skip
    assert (bob.team, dollars(bob.ai_cents), bob.cloud_cents) == ("web", Decimal("0.04"), 0)
    teams = {t.team: t for t in report.teams}
    assert (teams["web"].members, dollars(teams["web"].ai_cents),
            dollars(teams["web"].cloud_cents)) == (
        1, Decimal("0.04"), Decimal(5)
    )  # fmt: skip
    assert dollars(teams["platform"].total_cents) == Decimal("10.12345678")
    assert report.unattributed == {"(untagged)": Decimal(200), "nobody": Decimal(100)}
    assert report.unattributed_cents == Decimal(300)
    assert report.other_currencies == {"EUR": Decimal(7)}


def _now() -> datetime:
    return datetime(2025, 2, 2, tzinfo=UTC)


def test_billing_groups_fill_allocations_without_overriding_manual_ones(
    loaded: sa.Engine,
) -> None:
    with loaded.begin() as conn:
        integration_id = conn.execute(sa.text("select min(id) from integrations")).scalar_one()
        for group_id, name in (("g1", "Data"), ("g2", "Zeta")):
            conn.execute(billing_groups.insert().values(
                integration_id=integration_id, group_id=group_id, name=name, updated_at=_now()))
        for group_id, email in (("g1", "Carol@example.com"), ("g2", "alice@example.com")):
            conn.execute(billing_group_members.insert().values(
                integration_id=integration_id, group_id=group_id, email=email))
    assert refresh_billing_group_allocations(loaded, clock=_now) == 1
    by_email = {a.email: a for a in list_allocations(loaded)}
    assert (by_email["carol@example.com"].team, by_email["carol@example.com"].source) == (
        "Data", "billing_group"
    )  # fmt: skip
    assert (by_email["alice@example.com"].team, by_email["alice@example.com"].source) == (
        "platform", "csv"
    )  # fmt: skip
    with loaded.begin() as conn:
        conn.execute(billing_group_members.update().values(left_at_ms=1))
    refresh_billing_group_allocations(loaded, clock=_now)
    assert "carol@example.com" not in {a.email for a in list_allocations(loaded)}


def test_manual_edit_replaces_an_allocation(loaded: sa.Engine) -> None:
    set_allocation(loaded, email="Bob@Example.com ", team="infra", cost_center="cc-9")
    [bob] = [a for a in list_allocations(loaded) if a.email == "bob@example.com"]
    assert (bob.team, bob.cost_center, bob.source) == ("infra", "cc-9", "manual")


def test_an_allocation_csv_with_a_bad_row_loads_nothing(
    engine: sa.Engine, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("email,team,cost_center\nok@example.com,a,b\nnot-an-email,a,b\n")
    with pytest.raises(FocusImportError, match=r"bad.csv:3: 'not-an-email'"):
        load_allocations_csv(engine, path)
    assert list_allocations(engine) == []


def test_changing_the_owner_tag_key_reassigns_stored_rows(
    engine: sa.Engine, settings: Settings, tmp_path: Path
) -> None:
    (tmp_path / "cloud.csv").write_text(
        "BilledCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,Tags\n"
        '1,USD,2025-03-01,2025-03-02,"{""owner"": ""a@example.com"", ""team"": ""web""}"\n'
        '2,USD,2025-03-01,2025-03-02,"{""owner"": ""b@example.com""}"\n'
    )
    import_focus(engine, [tmp_path / "cloud.csv"], settings=settings)
    assert reassign_owners(engine, owner_tag_key="team") == 2
    report = ownership_report(engine, first_day=date(2025, 3, 1), last_day=date(2025, 3, 1))
    assert report.unattributed == {"web": Decimal(100), "(untagged)": Decimal(200)}
    assert reassign_owners(engine, owner_tag_key="team") == 0


def test_ai_side_can_be_narrowed_to_one_cursor_team(loaded: sa.Engine) -> None:
    days = {"first_day": date(2025, 1, 1), "last_day": date(2025, 2, 28)}
    other = spend_report(loaded, **days, integration_id=999)
    assert sum(t.ai_cents for t in other.totals) == 0
    assert sum(t.cloud_cents for t in other.totals) == Decimal(2500)
    assert all(p.ai_cents == 0
               for p in ownership_report(loaded, **days, integration_id=999).people)


def test_an_allocation_csv_that_is_not_utf8_is_a_clear_error(
    engine: sa.Engine, tmp_path: Path
) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("email,team\njosé@example.com,ü\n".encode("latin-1"))
    with pytest.raises(FocusImportError, match="UTF-8"):
        load_allocations_csv(engine, path)


def test_a_sync_fills_allocations_from_billing_groups(
    engine: sa.Engine, settings: Settings
) -> None:
    """Teams come from Cursor's billing groups as soon as a sync stored them: no command
    or page has to write allocations before reading them."""
    connect_and_sync(engine, settings, fake_for(small_team(members=6, days=10, history_days=10)),
                     days=10)  # fmt: skip
    with engine.connect() as conn:
        grouped = {str(e).lower() for e in conn.execute(
            sa.select(billing_group_members.c.email)
            .where(billing_group_members.c.left_at_ms.is_(None))).scalars()}  # fmt: skip
    assert grouped
    filled = {a.email: a for a in list_allocations(engine)}
    assert set(filled) == grouped
    assert {a.source for a in filled.values()} == {"billing_group"}


def test_team_names_that_differ_only_in_case_are_one_team(loaded: sa.Engine) -> None:
    set_allocation(loaded, email="carol@example.com", team="WEB", cost_center=None)
    report = ownership_report(loaded, first_day=date(2025, 1, 1), last_day=date(2025, 2, 28))
    assert [t.team for t in report.teams if t.team.lower() == "web"] == ["WEB"]
    [web] = [t for t in report.teams if t.team == "WEB"]
    assert web.members == 2  # bob ("web") and carol ("WEB")
