"""AI spend next to cloud spend, and both attributed to people and teams.

Read-side only, for the CLI (``devspend spend-report``) and the Spend/Teams pages.
SQL groups by day (portable on both engines); days roll up into weeks (ISO, Monday)
and months in Python. Amounts are exact Decimals in the currency's units (dollars
for Cursor). The AI (Cursor) side is the *billed* figure, the same as the FOCUS export's
BilledCost: Σ ``chargedCents`` of chargeable events (``isChargeable`` true; summary
measure ``chargeable_ucents``), so included usage counts 0 even though Cursor reports
``chargedCents`` on it too. Cloud rows link to people or teams through the owner tag value stored
at import (``settings.owner_tag_key``): an email → that person, a team name → that
team; anything else is **unattributed** and reported as such.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal

import sqlalchemy as sa

from devspend.focus.values import join_money
from devspend.store import queries as usage_queries
from devspend.store.cloud_tables import allocations, cloud_costs
from devspend.store.tables import usage_daily_model

Grain = Literal["day", "week", "month"]
CostBasis = Literal["billed", "effective"]
AI_SOURCE = "ai"
CLOUD_SOURCE = "cloud"
AI_CURRENCY = "USD"
UNTAGGED = "(untagged)"


@dataclass(frozen=True)
class SpendLine:
    """One provider/service's spend in one period, with its share of that period's total."""

    period: date
    source: str  # ai | cloud
    provider: str
    service: str
    currency: str
    amount: Decimal
    share: Decimal


@dataclass(frozen=True)
class SpendTotal:
    """AI and cloud spend of one period (or of the whole range: ``period`` None)."""

    period: date | None
    currency: str
    ai: Decimal  # Cursor billed: Σ chargedCents of chargeable events (FOCUS BilledCost)
    cloud: Decimal

    @property
    def total(self) -> Decimal:
        return self.ai + self.cloud

    @property
    def ai_share(self) -> Decimal:
        return _share(self.ai, self.total)

    @property
    def cloud_share(self) -> Decimal:
        return _share(self.cloud, self.total)


@dataclass(frozen=True)
class SpendReport:
    """Spend side by side: lines per period and source, totals per period and overall."""

    first_day: date
    last_day: date
    grain: Grain
    lines: list[SpendLine]
    period_totals: list[SpendTotal]
    totals: list[SpendTotal]


def period_start(day: date, grain: Grain) -> date:
    """The first day of the day/week (Monday)/month containing ``day``."""
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    return day


def spend_report(
    engine: sa.Engine,
    *,
    first_day: date,
    last_day: date,
    grain: Grain = "month",
    cost: CostBasis = "billed",
    integration_id: int | None = None,
) -> SpendReport:
    """AI (Cursor) and cloud (per provider and service) spend per period, with shares.

    The AI amount is what Cursor bills (chargeable events' ``chargedCents``), so it adds
    up to the FOCUS export's BilledCost of the same days; ``cost`` picks the cloud basis.

    ``integration_id`` narrows the AI side to one connected Cursor team (None: all).
    """
    sums: dict[tuple[date, str, str, str, str], Decimal] = defaultdict(Decimal)
    with engine.connect() as conn:
        for day, amount in _ai_billed_by_day(conn, first_day, last_day, integration_id):
            key = (period_start(day, grain), AI_SOURCE, "Cursor", "Cursor", AI_CURRENCY)
            sums[key] += amount
        for day, provider, service, currency, amount in _cloud_by_day(
            conn, first_day, last_day, cost
        ):
            key = (period_start(day, grain), CLOUD_SOURCE, provider, service, currency)
            sums[key] += amount
    per_period: dict[tuple[date, str], list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 2)
    for (period, source, _p, _s, currency), amount in sums.items():
        per_period[(period, currency)][source == CLOUD_SOURCE] += amount
    lines = [
        SpendLine(period, source, provider, service, currency, amount,
                  _share(amount, sum(per_period[(period, currency)], Decimal(0))))
        for (period, source, provider, service, currency), amount in sorted(sums.items())
    ]  # fmt: skip
    period_totals = [
        SpendTotal(period, currency, ai, cloud)
        for (period, currency), (ai, cloud) in sorted(per_period.items())
    ]
    overall: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 2)
    for total in period_totals:
        overall[total.currency][0] += total.ai
        overall[total.currency][1] += total.cloud
    totals = [SpendTotal(None, c, ai, cloud) for c, (ai, cloud) in sorted(overall.items())]
    return SpendReport(first_day, last_day, grain, lines, period_totals, totals)


@dataclass(frozen=True)
class PersonSpend:
    """A person's AI spend, the cloud spend they own, and their allocation."""

    email: str
    name: str | None
    team: str | None
    cost_center: str | None
    ai: Decimal  # Cursor billed: Σ chargedCents of their chargeable events
    cloud: Decimal

    @property
    def total(self) -> Decimal:
        return self.ai + self.cloud


@dataclass(frozen=True)
class TeamSpend:
    """A team's members' AI spend and the cloud spend owned by the team or its members."""

    team: str
    members: int
    ai: Decimal  # Cursor billed: Σ chargedCents of the members' chargeable events
    cloud: Decimal

    @property
    def total(self) -> Decimal:
        return self.ai + self.cloud


@dataclass
class OwnershipReport:
    """Spend per person and per team (USD), and the cloud spend nobody owns."""

    people: list[PersonSpend]
    teams: list[TeamSpend]
    unattributed: dict[str, Decimal]  # owner tag value (or "(untagged)") → amount
    other_currencies: dict[str, Decimal] = field(default_factory=dict)

    @property
    def unattributed_total(self) -> Decimal:
        return sum(self.unattributed.values(), Decimal(0))


def ownership_report(
    engine: sa.Engine,
    *,
    first_day: date,
    last_day: date,
    cost: CostBasis = "billed",
    integration_id: int | None = None,
) -> OwnershipReport:
    """Per person and per team: AI spend, owned cloud spend, total; plus unattributed cloud.

    AI spend is the billed figure (chargeable events' ``chargedCents``), as in
    :func:`spend_report` and the FOCUS export, so the reports agree with each other.
    """
    with engine.connect() as conn:
        ai, names = _ai_billed_by_person(conn, first_day, last_day, integration_id)
        allocated = {
            r.email: (r.team, r.cost_center)
            for r in conn.execute(
                sa.select(allocations.c.email, allocations.c.team, allocations.c.cost_center)
            )
        }
        cloud_by_owner, other_currencies = _cloud_by_owner(conn, first_day, last_day, cost)
    emails = set(ai) | set(allocated)
    teams_by_name = {t.lower(): t for t, _cc in allocated.values() if t}
    person_cloud: dict[str, Decimal] = defaultdict(Decimal)
    team_cloud: dict[str, Decimal] = defaultdict(Decimal)
    unattributed: dict[str, Decimal] = defaultdict(Decimal)
    for owner, amount in cloud_by_owner.items():
        key = owner.strip().lower() if owner else ""
        if key and "@" in key:
            emails.add(key)
            person_cloud[key] += amount
        elif key in teams_by_name:
            team_cloud[teams_by_name[key]] += amount
        else:
            unattributed[owner or UNTAGGED] += amount
    people_rows = [
        PersonSpend(email, names.get(email), *allocated.get(email, (None, None)),
                    ai.get(email, Decimal(0)), person_cloud.get(email, Decimal(0)))
        for email in sorted(emails)
    ]  # fmt: skip
    return OwnershipReport(
        people=people_rows,
        teams=_teams(people_rows, team_cloud),
        unattributed=dict(unattributed),
        other_currencies=other_currencies,
    )


def _teams(people_rows: list[PersonSpend], team_cloud: dict[str, Decimal]) -> list[TeamSpend]:
    members: dict[str, list[PersonSpend]] = defaultdict(list)
    for person in people_rows:
        if person.team:
            members[person.team].append(person)
    names = sorted(set(members) | set(team_cloud))
    return [
        TeamSpend(
            team=name,
            members=len(members[name]),
            ai=sum((p.ai for p in members[name]), Decimal(0)),
            cloud=team_cloud.get(name, Decimal(0)) + sum((p.cloud for p in members[name]),
                                                         Decimal(0)),
        )
        for name in names
    ]  # fmt: skip


def _ai_filter(first_day: date, last_day: date, integration_id: int | None) -> list[Any]:
    m = usage_daily_model.c
    conditions: list[Any] = [m.day >= first_day, m.day <= last_day]
    if integration_id is not None:
        conditions.append(m.integration_id == integration_id)
    return conditions


def _ai_billed_by_day(
    conn: sa.Connection, first_day: date, last_day: date, integration_id: int | None
) -> list[tuple[date, Decimal]]:
    """Cursor billed dollars per day: Σ ``chargedCents`` of chargeable events (read from the
    day × model summary: a few dozen rows a day, where day × person has thousands)."""
    m = usage_daily_model.c
    query = (
        sa.select(m.day, sa.func.sum(m.chargeable_ucents))
        .where(*_ai_filter(first_day, last_day, integration_id))
        .group_by(m.day)
    )
    return [(day, _dollars(ucents)) for day, ucents in conn.execute(query)]


def _ai_billed_by_person(
    conn: sa.Connection, first_day: date, last_day: date, integration_id: int | None
) -> tuple[dict[str, Decimal], dict[str, str | None]]:
    """Cursor billed dollars per email (Σ ``chargedCents`` of chargeable events), and names."""
    ucents: dict[str, int] = defaultdict(int)
    names: dict[str, str | None] = {}
    for email, name, amount in usage_queries.chargeable_by_person(
        conn, integration_id=integration_id, start=first_day, end=last_day
    ):
        address = email.lower()
        ucents[address] += amount
        names[address] = names.get(address) or name
    return {address: _dollars(amount) for address, amount in ucents.items()}, names


def _cost_columns(cost: CostBasis) -> tuple[sa.ColumnElement[int], sa.ColumnElement[int]]:
    c = cloud_costs.c
    if cost == "effective":
        return (
            sa.func.coalesce(c.effective_cost_nanos, c.billed_cost_nanos),
            sa.func.coalesce(c.effective_cost_picos, c.billed_cost_picos),
        )
    return c.billed_cost_nanos, c.billed_cost_picos


def _cloud_by_day(
    conn: sa.Connection, first_day: date, last_day: date, cost: CostBasis
) -> list[tuple[date, str, str, str, Decimal]]:
    c = cloud_costs.c
    nanos, picos = _cost_columns(cost)
    keys = (c.day, c.provider, c.service_name, c.billing_currency)
    query = (
        sa.select(*keys, sa.func.sum(nanos), sa.func.sum(picos))
        .where(c.day >= first_day, c.day <= last_day)
        .group_by(*keys)
    )
    return [
        (day, provider or "(unknown)", service or "(unknown)", currency, join_money(n, p))
        for day, provider, service, currency, n, p in conn.execute(query)
    ]


def _cloud_by_owner(
    conn: sa.Connection, first_day: date, last_day: date, cost: CostBasis
) -> tuple[dict[str | None, Decimal], dict[str, Decimal]]:
    c = cloud_costs.c
    nanos, picos = _cost_columns(cost)
    query = (
        sa.select(c.owner, c.billing_currency, sa.func.sum(nanos), sa.func.sum(picos))
        .where(c.day >= first_day, c.day <= last_day)
        .group_by(c.owner, c.billing_currency)
    )
    by_owner: dict[str | None, Decimal] = defaultdict(Decimal)
    others: dict[str, Decimal] = defaultdict(Decimal)
    for owner, currency, n, p in conn.execute(query):
        if currency == AI_CURRENCY:
            by_owner[owner] += join_money(n, p)
        else:
            others[currency] += join_money(n, p)
    return dict(by_owner), dict(others)


def _dollars(ucents: int | None) -> Decimal:
    return Decimal(int(ucents or 0)).scaleb(-8)


def _share(part: Decimal, whole: Decimal) -> Decimal:
    if not whole:
        return Decimal(0)
    return (part / whole).quantize(Decimal("0.0001"))
