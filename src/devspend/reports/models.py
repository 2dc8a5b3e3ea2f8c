"""Models: per-model usage, tokens, cost per million tokens and people per model."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy.engine import Connection

from devspend.reports.filters import ReportFilter
from devspend.reports.tables import USAGE_COLUMNS, Column, Table
from devspend.store import names, rankings, usage
from devspend.store.usage import Usage


class ModelRow(Usage):
    model: str
    cents_per_million_tokens: Decimal | None
    users: int


class ModelsView(BaseModel):
    rows: list[ModelRow]

    def tables(self) -> list[Table]:
        return [Table("rows", "Usage by model", ModelRow, self.rows, [
            Column("Model", "model"), Column("People", "users", "count"), *USAGE_COLUMNS,
            Column("¢ per 1M tokens", "cents_per_million_tokens", "money"),
        ])]  # fmt: skip


def build_models(conn: Connection, flt: ReportFilter) -> ModelsView:
    """Every model used in the period (in the filter), most usage value first."""
    scope = flt.scope()
    labels = names.model_names(conn)
    people = rankings.people_per_model(conn, scope)
    rows = []
    for model_id, m in usage.usage_by(conn, scope, dim="model").items():
        per_million = (
            (m.total_cents * 1_000_000 / m.tokens).quantize(Decimal("0.0001")) if m.tokens else None
        )
        rows.append(ModelRow(
            **m.model_dump(include=set(usage.USAGE_FIELDS)), model=labels[model_id],
            cents_per_million_tokens=per_million, users=people.get(model_id, 0),
        ))  # fmt: skip
    rows.sort(key=lambda r: (-r.charged_cents, r.model))
    return ModelsView(rows=rows)
