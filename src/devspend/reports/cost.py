"""*Cost* and its parts for one filter: the headline figure of every face.

cost = seats + on-demand; beside it included (usage value − on-demand), usage value and
model cost (``docs/money.md``). Views call :func:`cost_figures` with the usage figures
they already read; nothing else adds seats to on-demand.
"""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy.engine import Connection

from devspend.money import Money
from devspend.reports.filters import ReportFilter
from devspend.reports.seats import SEAT_PRICE_NOT_SET, seat_summary
from devspend.store.usage import Usage

PER_MODEL_NOTE = "seats are per person, not per model: left out of a model's cost"


class CostFigures(BaseModel):
    """cost = seats + on-demand, with its parts; ``seat_cents`` None: seat price not set."""

    cost_cents: Money
    seat_cents: Money | None
    on_demand_cents: Money
    included_cents: Money
    usage_value_cents: Money
    model_cost_cents: Money
    seats: int
    """People holding a seat on some day of the period."""
    idle_seats: int
    """Seat holders without any usage in the period."""
    idle_seat_cents: Money | None
    seat_price_dollars: int | None
    seat_note: str | None
    """"seat price not set" when seats are missing from cost."""


def cost_figures(conn: Connection, flt: ReportFilter, figures: Usage) -> CostFigures:
    """Cost and its parts over the filter's period and people; ``figures`` are the
    filter's usage (the caller's own read). Seats belong to people, not models: with a
    model filter cost is that model's on-demand and the seats are left out (as on Spend)."""
    seats = seat_summary(conn, start=flt.start, end=flt.end, integration_id=flt.integration_id,
                         who=flt.people)  # fmt: skip
    if flt.model is not None:
        return CostFigures(
            cost_cents=figures.on_demand_cents, seat_cents=None,
            on_demand_cents=figures.on_demand_cents, included_cents=figures.included_cents,
            usage_value_cents=figures.usage_value_cents,
            model_cost_cents=figures.model_cost_cents, seats=seats.seats,
            idle_seats=seats.idle_seats, idle_seat_cents=None,
            seat_price_dollars=seats.seat_price_dollars, seat_note=PER_MODEL_NOTE,
        )  # fmt: skip
    return CostFigures(
        cost_cents=seats.cost_cents(figures.on_demand_cents), seat_cents=seats.seat_cents,
        on_demand_cents=figures.on_demand_cents, included_cents=figures.included_cents,
        usage_value_cents=figures.usage_value_cents, model_cost_cents=figures.model_cost_cents,
        seats=seats.seats, idle_seats=seats.idle_seats, idle_seat_cents=seats.idle_seat_cents,
        seat_price_dollars=seats.seat_price_dollars,
        seat_note=None if seats.price_set else SEAT_PRICE_NOT_SET,
    )  # fmt: skip
