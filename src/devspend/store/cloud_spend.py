"""Cloud cost reads (imported FOCUS rows) and allocations, for the spend and teams views.

Amounts are exact Decimals in the currency's units. Cloud rows link to people or teams
through the owner tag value stored at import (``settings.owner_tag_key``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from devspend.money import join_money
from devspend.store.cloud_tables import allocations, cloud_costs

CostBasis = Literal["billed", "effective"]


@dataclass(frozen=True, slots=True)
class CloudDay:
    day: date
    provider: str
    service: str
    currency: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Allocation:
    team: str | None
    cost_center: str | None


def _cost_columns(cost: CostBasis) -> tuple[sa.ColumnElement[int], sa.ColumnElement[int]]:
    c = cloud_costs.c
    if cost == "effective":
        return (
            sa.func.coalesce(c.effective_cost_nanos, c.billed_cost_nanos),
            sa.func.coalesce(c.effective_cost_picos, c.billed_cost_picos),
        )
    return c.billed_cost_nanos, c.billed_cost_picos


def _owned_by(owners: Collection[str] | None) -> list[sa.ColumnElement[bool]]:
    if owners is None:
        return []
    return [sa.func.lower(cloud_costs.c.owner).in_(sorted({o.lower() for o in owners}))]


def cloud_by_day(
    conn: Connection, *, start: date, end: date, cost: CostBasis,
    owners: Collection[str] | None = None,
) -> list[CloudDay]:  # fmt: skip
    """Cloud spend per day, provider, service and currency; ``owners`` (owner tag values:
    emails and team names) keeps only what they own."""
    c = cloud_costs.c
    nanos, picos = _cost_columns(cost)
    keys = (c.day, c.provider, c.service_name, c.billing_currency)
    query = (
        sa.select(*keys, sa.func.sum(nanos), sa.func.sum(picos))
        .where(c.day >= start, c.day <= end, *_owned_by(owners))
        .group_by(*keys)
    )
    return [
        CloudDay(day, provider or "(unknown)", service or "(unknown)", currency,
                 join_money(n, p))
        for day, provider, service, currency, n, p in conn.execute(query)
    ]  # fmt: skip


def cloud_by_owner(
    conn: Connection, *, start: date, end: date, cost: CostBasis, currency: str
) -> tuple[dict[str | None, Decimal], dict[str, Decimal]]:
    """Cloud spend in ``currency`` per owner tag value, and the other currencies' totals."""
    c = cloud_costs.c
    nanos, picos = _cost_columns(cost)
    query = (
        sa.select(c.owner, c.billing_currency, sa.func.sum(nanos), sa.func.sum(picos))
        .where(c.day >= start, c.day <= end)
        .group_by(c.owner, c.billing_currency)
    )
    by_owner: dict[str | None, Decimal] = defaultdict(Decimal)
    others: dict[str, Decimal] = defaultdict(Decimal)
    for owner, row_currency, n, p in conn.execute(query):
        if row_currency == currency:
            by_owner[owner] += join_money(n, p)
        else:
            others[row_currency] += join_money(n, p)
    return dict(by_owner), dict(others)


def allocation_by_email(conn: Connection) -> dict[str, Allocation]:
    """Every allocation (team, cost center) by lower-case email."""
    rows = conn.execute(
        sa.select(allocations.c.email, allocations.c.team, allocations.c.cost_center)
    )
    return {str(r.email).lower(): Allocation(r.team, r.cost_center) for r in rows}


def has_cloud_costs(conn: Connection) -> bool:
    """Whether any cloud cost was ever imported (empty states say how to import)."""
    return conn.execute(sa.select(cloud_costs.c.id).limit(1)).first() is not None


def allocation_choices(conn: Connection) -> tuple[list[str], list[str]]:
    """Every allocation team and cost center name, sorted (the filter bar's choices)."""
    teams: set[str] = set()
    centers: set[str] = set()
    for team, center in conn.execute(sa.select(allocations.c.team, allocations.c.cost_center)):
        if team:
            teams.add(str(team))
        if center:
            centers.add(str(center))
    return sorted(teams, key=str.lower), sorted(centers, key=str.lower)
