"""Models: per-model cost, tokens, cost per million tokens and users per model.

``build_models`` serves ``/models`` and ``/api/v1/models``.
"""

from __future__ import annotations

from decimal import Decimal

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.engine import Connection

from devspend.store import queries
from devspend.store.queries import users_per_model
from devspend.web.deps import ConnDep, CurrentUser
from devspend.web.filters import FilterDep, ReportFilter
from devspend.web.page_context import cached, filter_context
from devspend.web.rendering import render


class ModelOut(BaseModel):
    model: str
    charged_cents: Decimal
    total_cents: Decimal
    events: int
    input_tokens: int
    output_tokens: int
    cache_write_tokens: int
    cache_read_tokens: int
    tokens: int
    cents_per_million_tokens: Decimal | None
    users: int
    max_mode_events: int


class ModelsView(BaseModel):
    rows: list[ModelOut]


def build_models(conn: Connection, flt: ReportFilter) -> ModelsView:
    """Every model used in the period, most charged spend first."""
    scope = flt.scope()
    users = users_per_model(conn, **scope)
    rows = []
    for m in queries.models_report(conn, **scope):
        tokens = m.input_tokens + m.output_tokens + m.cache_write_tokens + m.cache_read_tokens
        per_million = (
            (m.total_cents * 1_000_000 / tokens).quantize(Decimal("0.0001")) if tokens else None
        )
        rows.append(ModelOut(
            model=m.model, charged_cents=m.charged_cents, total_cents=m.total_cents,
            events=m.events, input_tokens=m.input_tokens, output_tokens=m.output_tokens,
            cache_write_tokens=m.cache_write_tokens, cache_read_tokens=m.cache_read_tokens,
            tokens=tokens, cents_per_million_tokens=per_million, users=users.get(m.model, 0),
            max_mode_events=m.max_mode_events,
        ))  # fmt: skip
    return ModelsView(rows=rows)


def view_key(flt: ReportFilter) -> tuple[str, ReportFilter]:
    """The view cache key of this page (shared with :mod:`devspend.web.warmup`)."""
    return ("models", flt)


router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["reports"])


@router.get("/models")
def models_page(request: Request, _user: CurrentUser, conn: ConnDep, flt: FilterDep) -> Response:
    view = cached(request, conn, view_key(flt), lambda: build_models(conn, flt))
    return render(request, "models.html", {
        "view": view, "active": "models", **filter_context(request, conn, flt),
    })  # fmt: skip


@api.get("/models", response_model=ModelsView)
def models_api(
    request: Request, _user: CurrentUser, conn: ConnDep, flt: FilterDep
) -> ModelsView:
    """Per model: spend, model cost, tokens by type, cost per 1M tokens, distinct users."""
    return cached(request, conn, view_key(flt), lambda: build_models(conn, flt))
