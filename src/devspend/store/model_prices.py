"""Model list prices an admin added, for models genai-prices does not know (``model_prices``).

Prices are exact integers: micro-cents per million tokens of each kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from devspend.store.ai_code_tables import model_prices
from devspend.store.upsert import upsert

KINDS = ("input", "output", "cache_write", "cache_read")


@dataclass(frozen=True, slots=True)
class ModelPrice:
    """Micro-cents per million tokens of each kind."""

    model: str
    input: int
    output: int
    cache_write: int
    cache_read: int


def set_model_price(conn: Connection, price: ModelPrice) -> None:
    """Add or replace a model's price."""
    columns = [f"{k}_ucents_per_mtok" for k in KINDS]
    row = {"model": price.model, "updated_at": datetime.now(UTC),
           **{c: getattr(price, k) for c, k in zip(columns, KINDS, strict=True)}}  # fmt: skip
    upsert(conn, model_prices, [row], keys=("model",), update=[*columns, "updated_at"])


def delete_model_price(conn: Connection, *, model: str) -> bool:
    """Remove a model's price; False when there was none."""
    done = conn.execute(model_prices.delete().where(model_prices.c.model == model))
    return bool(done.rowcount)


def model_price_list(conn: Connection) -> list[ModelPrice]:
    """Every added price, by model."""
    c = model_prices.c
    rows = conn.execute(sa.select(c.model, *(c[f"{k}_ucents_per_mtok"] for k in KINDS))
                        .order_by(c.model)).all()  # fmt: skip
    return [ModelPrice(m, *(int(v) for v in rest)) for m, *rest in rows]
