"""Which people a read covers: everyone, one person, a team, a cost center, or the
teams a limited viewer may see — resolved to a subquery of ``people.id``.

Teams and cost centers are the allocations' (``allocations`` by lower-case email: set
by hand, from a CSV, or from Cursor billing groups). One person can be a row of
``people`` in several connected Cursor teams; every such row belongs to the scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from devspend.store.cloud_tables import allocations
from devspend.store.tables import people


@dataclass(frozen=True, slots=True)
class PeopleFilter:
    """``None`` everywhere: everyone. Conditions combine with AND; ``visible_teams`` is a
    limited viewer's teams (they see only people allocated to one of them)."""

    email: str | None = None
    team: str | None = None
    cost_center: str | None = None
    visible_teams: frozenset[str] | None = None

    def is_everyone(self) -> bool:
        return (self.email, self.team, self.cost_center, self.visible_teams) == (None,) * 4


def _allocated(condition: sa.ColumnElement[bool]) -> sa.Select[Any]:
    return sa.select(sa.func.lower(allocations.c.email)).where(condition)


def _conditions(flt: PeopleFilter, email: sa.ColumnElement[Any]) -> list[sa.ColumnElement[bool]]:
    found: list[sa.ColumnElement[bool]] = []
    if flt.email is not None:
        found.append(email == flt.email.strip().lower())
    if flt.team is not None:
        found.append(email.in_(_allocated(sa.func.lower(allocations.c.team) == flt.team.lower())))
    if flt.cost_center is not None:
        found.append(email.in_(_allocated(
            sa.func.lower(allocations.c.cost_center) == flt.cost_center.lower())))  # fmt: skip
    if flt.visible_teams is not None:
        teams = sorted(t.lower() for t in flt.visible_teams)
        found.append(email.in_(_allocated(sa.func.lower(allocations.c.team).in_(teams))))
    return found


def person_ids(flt: PeopleFilter) -> sa.Select[Any]:
    """``people.id`` of every person in the filter (all of them when it is everyone)."""
    return sa.select(people.c.id).where(*_conditions(flt, sa.func.lower(people.c.email)))


def email_conditions(
    flt: PeopleFilter, email: sa.ColumnElement[Any]
) -> list[sa.ColumnElement[bool]]:
    """The same filter on another table's email column (cloud owners, spend snapshots)."""
    return _conditions(flt, sa.func.lower(email))
