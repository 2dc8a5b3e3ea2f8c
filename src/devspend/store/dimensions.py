"""Ids for people, models and kinds, looked up once per name and cached per sync.

Events arrive as names (email, model, kind); the event and summary tables store
small integer ids. :class:`Dimensions` resolves names inside the caller's
transaction (so SQLite never waits on itself) and must be :meth:`forget`-ed when
that transaction rolls back, because ids inserted in it are gone.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from devspend.store.tables import kinds, models, people
from devspend.store.upsert import insert_ignoring_conflicts

KIND_CATEGORIES = ("usage_based", "included", "errored", "other")


def kind_category(kind: str) -> str:
    """Bucket Cursor's open-ended ``kind`` string for reports; unknown kinds are ``other``."""
    text = kind.lower()
    if "not charged" in text or "errored" in text or "aborted" in text:
        return "errored"
    if "usage-based" in text or "usage based" in text or "on-demand" in text:
        return "usage_based"
    if "included" in text or text == "free":
        return "included"
    return "other"


class Dimensions:
    """Name → id caches for one integration's people and the global models and kinds."""

    def __init__(self, integration_id: int) -> None:
        self.integration_id = integration_id
        self._people: dict[str, int] = {}
        self._models: dict[str, int] = {}
        self._kinds: dict[str, int] = {}

    def forget(self) -> None:
        """Drop cached ids (after a rollback they may no longer exist)."""
        self._people.clear()
        self._models.clear()
        self._kinds.clear()

    def knows(self, *, emails: Iterable[str], models: Iterable[str], kinds: Iterable[str]) -> bool:
        """Whether every name already has a cached id (resolving them then runs no SQL)."""
        return (
            all(e in self._people for e in emails)
            and all(m in self._models for m in models)
            and all(k in self._kinds for k in kinds)
        )

    def person_ids(self, conn: Connection, emails: Iterable[str]) -> dict[str, int]:
        missing = {e for e in emails if e not in self._people}
        if missing:
            conn.execute(
                insert_ignoring_conflicts(conn, people),
                [{"integration_id": self.integration_id, "email": e} for e in sorted(missing)],
            )
            rows = conn.execute(
                sa.select(people.c.email, people.c.id).where(
                    people.c.integration_id == self.integration_id, people.c.email.in_(missing)
                )
            )
            self._people.update({str(r.email): int(r.id) for r in rows})
        return self._people

    def model_ids(self, conn: Connection, names: Iterable[str]) -> dict[str, int]:
        missing = {n for n in names if n not in self._models}
        if missing:
            conn.execute(
                insert_ignoring_conflicts(conn, models), [{"name": n} for n in sorted(missing)]
            )
            rows = conn.execute(
                sa.select(models.c.name, models.c.id).where(models.c.name.in_(missing))
            )
            self._models.update({str(r.name): int(r.id) for r in rows})
        return self._models

    def kind_ids(self, conn: Connection, names: Iterable[str]) -> dict[str, int]:
        missing = {n for n in names if n not in self._kinds}
        if missing:
            conn.execute(
                insert_ignoring_conflicts(conn, kinds),
                [{"name": n, "category": kind_category(n)} for n in sorted(missing)],
            )
            rows = conn.execute(
                sa.select(kinds.c.name, kinds.c.id).where(kinds.c.name.in_(missing))
            )
            self._kinds.update({str(r.name): int(r.id) for r in rows})
        return self._kinds
