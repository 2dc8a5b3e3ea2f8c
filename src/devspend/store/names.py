"""Names of the ids the summaries key on: people (email, name), models, kinds."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from devspend.store.tables import kinds, models, people


@dataclass(frozen=True, slots=True)
class PersonName:
    person_id: int
    integration_id: int
    email: str
    name: str | None


@dataclass(frozen=True, slots=True)
class KindName:
    name: str
    category: str  # usage_based | included | errored | other


def person_names(conn: Connection, ids: Iterable[int]) -> dict[int, PersonName]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = conn.execute(
        sa.select(people.c.id, people.c.integration_id, people.c.email, people.c.name)
        .where(people.c.id.in_(wanted))
    )  # fmt: skip
    return {int(r.id): PersonName(int(r.id), int(r.integration_id), str(r.email), r.name)
            for r in rows}  # fmt: skip


def model_names(conn: Connection) -> dict[int, str]:
    return {int(i): str(n) for i, n in conn.execute(sa.select(models.c.id, models.c.name))}


def kind_names(conn: Connection) -> dict[int, KindName]:
    rows = conn.execute(sa.select(kinds.c.id, kinds.c.name, kinds.c.category))
    return {int(r.id): KindName(str(r.name), str(r.category)) for r in rows}
