"""Rankings over the usage summaries: the top ids by usage value, each person's top
model, and how many people used each model — ranked or counted in SQL, so a page gets
one row per answer back instead of every (person, model) pair of the period.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from devspend.store.periods import summed
from devspend.store.tables import models
from devspend.store.usage import (
    ID_COLUMNS,
    Dim,
    Usage,
    UsageScope,
    grain_for,
    scope_conditions,
    scope_pieces,
    usage_rows,
)


def top_ids(conn: Connection, scope: UsageScope, *, by: Dim, top: int) -> list[int]:
    """The ``top`` ids of ``by`` with the most usage value in the scope (ties: lowest id),
    ranked in SQL over the usage value alone."""
    grain = grain_for({by, *scope.dims()})
    column = ID_COLUMNS[by]
    sums = summed(scope_pieces(conn, scope, grain), [column], measures=["charged_ucents"],
                  where=scope_conditions(scope)).subquery()  # fmt: skip
    return [int(k) for k in conn.execute(
        sa.select(sums.c[column]).order_by(sums.c.charged_ucents.desc(), sums.c[column])
        .limit(top)
    ).scalars()]  # fmt: skip


def top_usage(
    conn: Connection, scope: UsageScope, *, dim: Dim, top: int
) -> list[tuple[int, Usage]]:
    """The ``top`` ids of ``dim`` by usage value (ties: lowest id) with their figures, most
    first: the ranking sums one column, the figures are read for those ids only."""
    ids = top_ids(conn, scope, by=dim, top=top)
    if not ids:
        return []
    found = {key[0]: Usage.from_sums(m) for key, m in usage_rows(conn, scope, by=[dim],
                                                                 only=(dim, ids))}  # fmt: skip
    return [(i, found[i]) for i in ids]


def _by_code_point(conn: Connection, text: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """``text`` ordered as Python orders str (by code point): SQLite's default already does;
    PostgreSQL's database collation may not, its "C" collation does (UTF-8 bytes)."""
    return sa.collate(text, "C") if conn.dialect.name == "postgresql" else text


def top_model_by_person(
    conn: Connection, scope: UsageScope, *, person_ids_: Sequence[int]
) -> dict[int, int]:
    """Each person's most used model id: most usage value, then most events, then the
    alphabetically first model name.

    Ranked in SQL (one row per person comes back, not every (person, model) pair of the
    period); only the people in ``person_ids_`` are kept.
    """
    if not person_ids_:
        return {}
    grain = grain_for({"person", "model", *scope.dims()})
    pairs = summed(scope_pieces(conn, scope, grain), ["person_id", "model_id"],
                   measures=["charged_ucents", "events"],
                   where=scope_conditions(scope)).subquery()  # fmt: skip
    ranked = (
        sa.select(
            pairs.c.person_id, pairs.c.model_id,
            sa.func.row_number().over(
                partition_by=pairs.c.person_id,
                order_by=(pairs.c.charged_ucents.desc(), pairs.c.events.desc(),
                          _by_code_point(conn, sa.func.coalesce(models.c.name, "")),
                          pairs.c.model_id),
            ).label("place"),
        )
        .select_from(pairs.outerjoin(models, models.c.id == pairs.c.model_id))
        .subquery()
    )  # fmt: skip
    wanted = set(person_ids_)
    return {
        int(person): int(model)
        for person, model in conn.execute(
            sa.select(ranked.c.person_id, ranked.c.model_id).where(ranked.c.place == 1)
        ).tuples()
        if int(person) in wanted
    }


def people_per_model(conn: Connection, scope: UsageScope) -> dict[int, int]:
    """How many distinct people used each model id in the scope.

    Distinct (person, model) pairs of every piece of the period, de-duplicated across
    pieces by ``UNION``: counts are not additive, so sums of monthly counts would not do.
    """
    grain = grain_for({"person", "model"})
    parts = scope_pieces(conn, scope, grain)
    where = scope_conditions(scope)
    selects = [
        sa.select(p.table.c.person_id, p.table.c.model_id)
        .where(*p.conditions, *(where(p.table) if where else []))
        .distinct()
        for p in parts
    ]
    pairs = (selects[0] if len(selects) == 1 else sa.union(*selects)).subquery()
    rows = conn.execute(
        sa.select(pairs.c.model_id, sa.func.count().label("people")).group_by(pairs.c.model_id)
    )
    return {int(r.model_id): int(r.people) for r in rows}
