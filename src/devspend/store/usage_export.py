"""The rows the FOCUS export writes: the detail grain (day × person × model × kind × max
mode) with the names and allocation labels a FOCUS row carries, streamed in day order."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from devspend.store.cloud_tables import allocations
from devspend.store.tables import integrations, kinds, models, people, usage_daily_detail


def detail_rows(conn: Connection, *, start: date, end: date) -> Iterator[RowMapping]:
    """Every detail row of ``start``..``end`` (inclusive) with its team's display name,
    person, model, kind and allocation, ordered for a stable export."""
    d = usage_daily_detail.c
    query = (
        sa.select(
            d.day, d.max_mode, d.events, d.input_tokens, d.output_tokens, d.cache_write_tokens,
            d.cache_read_tokens, d.total_ucents, d.chargeable_ucents, d.token_fee_ucents,
            d.requests_costs_micros, d.token_based_events, d.integration_id,
            integrations.c.display_name, people.c.email, models.c.name.label("model"),
            kinds.c.name.label("kind"), allocations.c.team, allocations.c.cost_center,
        )
        .join(integrations, integrations.c.id == d.integration_id)
        .join(people, people.c.id == d.person_id)
        .join(models, models.c.id == d.model_id)
        .join(kinds, kinds.c.id == d.kind_id)
        .outerjoin(allocations, allocations.c.email == sa.func.lower(people.c.email))
        .where(d.day >= start, d.day <= end)
        .order_by(d.day, d.integration_id, people.c.email, models.c.name, kinds.c.name, d.max_mode)
    )  # fmt: skip
    yield from conn.execution_options(yield_per=5000).execute(query).mappings()


def integration_names(conn: Connection) -> dict[int, str | None]:
    """Every connected team's display name by integration id."""
    return {int(r.id): r.display_name for r in conn.execute(
        sa.select(integrations.c.id, integrations.c.display_name))}  # fmt: skip
