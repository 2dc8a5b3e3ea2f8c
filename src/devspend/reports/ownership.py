"""Who owns what: per person and per team their AI on-demand spend, the cloud spend they
own, and the cloud spend nobody owns (by owner tag value).

The AI figure is **on-demand** (Σ chargedCents of chargeable events), the same as the
FOCUS export's BilledCost and the Spend page's AI line, so the reports agree. Cloud
rows belong to whoever their owner tag names: an email → that person, a team name
from the allocations → that team; anything else is **unattributed**.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy.engine import Connection

from devspend.money import from_micros
from devspend.reports.filters import ReportFilter
from devspend.store import cloud_spend, names, usage
from devspend.store.cloud_spend import CostBasis

AI_CURRENCY = "USD"
UNTAGGED = "(untagged)"
HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class PersonSpend:
    """Amounts in cents (USD)."""

    email: str
    name: str | None
    team: str | None
    cost_center: str | None
    ai_cents: Decimal
    cloud_cents: Decimal

    @property
    def total_cents(self) -> Decimal:
        return self.ai_cents + self.cloud_cents


@dataclass(frozen=True, slots=True)
class TeamSpend:
    team: str
    members: int
    ai_cents: Decimal
    cloud_cents: Decimal

    @property
    def total_cents(self) -> Decimal:
        return self.ai_cents + self.cloud_cents


@dataclass
class Ownership:
    people: list[PersonSpend]
    teams: list[TeamSpend]
    unattributed: dict[str, Decimal]  # owner tag value (or "(untagged)") → cents
    other_currencies: dict[str, Decimal] = field(default_factory=dict)  # currency → units

    @property
    def unattributed_cents(self) -> Decimal:
        return sum(self.unattributed.values(), Decimal(0))


def ai_on_demand_by_email(
    conn: Connection, flt: ReportFilter
) -> tuple[dict[str, Decimal], dict[str, str | None]]:
    """On-demand cents per lower-case email (merged over connected teams), and names."""
    # the one figure needed, summed alone (the full figures cost ~6x more per person)
    by_person = usage.measure_by(conn, flt.scope(), dim="person", measure="chargeable_ucents")
    people = names.person_names(conn, by_person)
    cents: dict[str, Decimal] = defaultdict(Decimal)
    found_names: dict[str, str | None] = {}
    for person_id, on_demand in by_person.items():
        who = people[person_id]
        key = who.email.lower()
        cents[key] += from_micros(on_demand)
        found_names[key] = found_names.get(key) or who.name
    return dict(cents), found_names


def build_ownership(conn: Connection, flt: ReportFilter, *, cost: CostBasis) -> Ownership:
    """Per person and per team: AI on-demand, owned cloud spend; plus unattributed cloud.

    With a people filter (team, cost center, person, a limited viewer) only those people,
    their teams and what they own appear; unattributed cloud spend is left out then."""
    ai, person_names = ai_on_demand_by_email(conn, flt)
    allocated = cloud_spend.allocation_by_email(conn)
    narrowed = flt.narrows_people
    cloud_by_owner, others = cloud_spend.cloud_by_owner(conn, start=flt.start, end=flt.end,
                                                        cost=cost, currency=AI_CURRENCY)
    emails = set(ai) if narrowed else set(ai) | set(allocated)
    # one team per name whatever its case ("platform" by hand, "Platform" from Cursor's
    # billing groups): the first spelling in sort order names it
    teams_by_name: dict[str, str] = {}
    for name in sorted({a.team for a in allocated.values() if a.team}):
        teams_by_name.setdefault(name.lower(), name)

    def team_of(email: str) -> str | None:
        found = allocated.get(email)
        return teams_by_name[found.team.lower()] if found and found.team else None

    visible_teams = {t for e in emails if (t := team_of(e))}
    person_cloud: dict[str, Decimal] = defaultdict(Decimal)
    team_cloud: dict[str, Decimal] = defaultdict(Decimal)
    unattributed: dict[str, Decimal] = defaultdict(Decimal)
    for owner, amount in cloud_by_owner.items():
        key = owner.strip().lower() if owner else ""
        cents = amount * HUNDRED
        if key and "@" in key:
            if narrowed and key not in emails:
                continue
            emails.add(key)
            person_cloud[key] += cents
        elif key in teams_by_name:
            if narrowed and teams_by_name[key] not in visible_teams:
                continue
            team_cloud[teams_by_name[key]] += cents
        elif not narrowed:
            unattributed[owner or UNTAGGED] += cents
    none = cloud_spend.Allocation(None, None)
    people_rows = [
        PersonSpend(email, person_names.get(email), team_of(email),
                    allocated.get(email, none).cost_center, ai.get(email, Decimal(0)),
                    person_cloud.get(email, Decimal(0)))
        for email in sorted(emails)
    ]  # fmt: skip
    return Ownership(people=people_rows, teams=_teams(people_rows, team_cloud),
                     unattributed=dict(unattributed),
                     other_currencies={} if narrowed else others)  # fmt: skip


def _teams(people_rows: list[PersonSpend], team_cloud: dict[str, Decimal]) -> list[TeamSpend]:
    members: dict[str, list[PersonSpend]] = defaultdict(list)
    for person in people_rows:
        if person.team:
            members[person.team].append(person)
    return [
        TeamSpend(
            team=name, members=len(members[name]),
            ai_cents=sum((p.ai_cents for p in members[name]), Decimal(0)),
            cloud_cents=team_cloud.get(name, Decimal(0))
            + sum((p.cloud_cents for p in members[name]), Decimal(0)),
        )
        for name in sorted(set(members) | set(team_cloud))
    ]  # fmt: skip


def cloud_owned_by_email(conn: Connection, flt: ReportFilter) -> dict[str, Decimal]:
    """Cloud cents (USD) each person owns in the period, by lower-case email."""
    owned, _ = cloud_spend.cloud_by_owner(conn, start=flt.start, end=flt.end, cost="billed",
                                          currency=AI_CURRENCY)  # fmt: skip
    found: dict[str, Decimal] = defaultdict(Decimal)
    for owner, amount in owned.items():
        key = (owner or "").strip().lower()
        if "@" in key:
            found[key] += amount * HUNDRED
    return dict(found)
