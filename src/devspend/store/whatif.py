"""What-if reads: the token counts and charges of a period's events per model and Max mode.

Re-pricing needs the four token counts (input, output, cache write, cache read) of
token-based events separately from request-based ones (which have no tokens and stay as
they are), and the summaries do not keep that split, so this reads ``usage_events``
over the period's time range (its ``(integration_id, ts_ms, …)`` index).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from devspend.store.tables import models, people, usage_events

MS_PER_DAY = 86_400_000


@dataclass(frozen=True, slots=True)
class ModelTokens:
    """One model × Max mode of a period: its token-based events and the rest."""

    model: str
    max_mode: bool
    token_events: int
    input_tokens: int
    output_tokens: int
    cache_write_tokens: int
    cache_read_tokens: int
    token_charged_ucents: int
    """Σ chargedCents of the token-based events (usage value)."""
    token_billed_ucents: int
    """Σ chargedCents of the chargeable token-based events (on-demand)."""
    request_events: int
    request_charged_ucents: int


def _ms(day: date) -> int:
    return (day - date(1970, 1, 1)).days * MS_PER_DAY


def tokens_by_model(
    conn: Connection,
    *,
    start: date,
    end: date,
    integration_id: int | None = None,
    emails: Collection[str] | None = None,
) -> list[ModelTokens]:
    """Per model and Max mode: token sums and charges of ``start``..``end`` (UTC days)."""
    if emails is not None and not emails:
        return []
    e = usage_events.c
    where = [e.ts_ms >= _ms(start), e.ts_ms < _ms(end) + MS_PER_DAY]
    if integration_id is not None:
        where.append(e.integration_id == integration_id)
    if emails is not None:
        where.append(e.person_id.in_(
            sa.select(people.c.id).where(sa.func.lower(people.c.email).in_(
                sorted({x.lower() for x in emails})))))  # fmt: skip
    token = e.is_token_based.is_(True)

    def when(condition: sa.ColumnElement[bool], expr: sa.ColumnElement[int] | int) -> Any:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, expr), else_=0)), 0)

    billed = sa.and_(token, e.is_chargeable.is_(True))
    query = (
        sa.select(
            models.c.name, e.max_mode, when(token, 1), when(token, e.input_tokens),
            when(token, e.output_tokens), when(token, e.cache_write_tokens),
            when(token, e.cache_read_tokens), when(token, e.charged_ucents),
            when(billed, e.charged_ucents), when(sa.not_(token), 1),
            when(sa.not_(token), e.charged_ucents),
        )
        .select_from(usage_events.join(models, models.c.id == e.model_id))
        .where(*where)
        .group_by(models.c.name, e.max_mode)
    )  # fmt: skip
    return [
        ModelTokens(name, bool(max_mode), *(int(v) for v in rest))
        for name, max_mode, *rest in conn.execute(query).all()
    ]
