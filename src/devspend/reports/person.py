"""Person: one member's figures, daily chart, model and kind mix, recent events, this
cycle's spend against their Cursor limit, and the cloud spend they own."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy.engine import Connection

from devspend.errors import NotFoundError
from devspend.money import Money
from devspend.reports.adoption import PersonAdoptionRow, person_adoption
from devspend.reports.charts import DailyChart, total_chart
from devspend.reports.cost import CostFigures, cost_figures
from devspend.reports.filters import ReportFilter
from devspend.reports.origins import OriginShare, origin_shares
from devspend.reports.outcome_cards import PersonAiCode, person_ai_code
from devspend.reports.ownership import cloud_owned_by_email
from devspend.reports.tables import USAGE_COLUMNS, Column, Table
from devspend.store import cloud_spend, names, people, series, usage
from devspend.store.usage import Usage

EVENTS_PER_PAGE = 50


class MixRow(Usage):
    key: str


class EventOut(BaseModel):
    at: datetime
    model: str
    kind: str
    max_mode: bool
    input_tokens: int
    output_tokens: int
    cache_write_tokens: int
    cache_read_tokens: int
    total_cents: Money
    charged_cents: Money


class CycleOut(BaseModel):
    cycle_start: datetime
    spend_cents: Money
    overall_spend_cents: Money | None
    fast_premium_requests: int | None
    limit_dollars: int | None
    used_percent: Decimal | None


class OwnedOut(BaseModel):
    """The person's allocation and AI on-demand next to the cloud spend they own."""

    team: str | None
    cost_center: str | None
    ai_cents: Money
    cloud_cents: Money
    total_cents: Money


class PersonView(Usage):
    email: str
    name: str | None
    last_active_day: date | None
    chart: DailyChart
    models: list[MixRow]
    kinds: list[MixRow]
    events_page: int
    events_per_page: int
    recent_events: list[EventOut]
    has_more_events: bool
    cycle: CycleOut | None
    owned: OwnedOut
    ai_code: PersonAiCode
    """What their spend produced (AI Code Tracking), next to it."""
    adoption: PersonAdoptionRow | None
    cost: CostFigures
    """Their cost = their seats + their on-demand, with the parts."""
    origins: list[OriginShare]

    def tables(self) -> list[Table]:
        mix = [Column("Key", "key"), *USAGE_COLUMNS]
        return [
            Table("models", "Models", MixRow, self.models, mix),
            Table("kinds", "Kinds", MixRow, self.kinds, mix),
            Table("recent_events", "Recent events", EventOut, self.recent_events, [
                Column("At", "at"), Column("Model", "model"), Column("Kind", "kind"),
                Column("Input", "input_tokens", "tokens"),
                Column("Output", "output_tokens", "tokens"),
                Column("Usage value", "charged_cents", "money"),
            ]),
        ]  # fmt: skip


def _cycle(found: people.CycleSpend | None) -> CycleOut | None:
    if found is None:
        return None
    used = None
    if found.limit_dollars:
        used = (found.spend_cents / (found.limit_dollars * 100) * 100).quantize(Decimal("0.1"))
    return CycleOut(
        cycle_start=found.cycle_start, spend_cents=found.spend_cents,
        overall_spend_cents=found.overall_spend_cents,
        fast_premium_requests=found.fast_premium_requests,
        limit_dollars=found.limit_dollars, used_percent=used,
    )  # fmt: skip


def _mix(rows: dict[int, Usage], labels: dict[int, str]) -> list[MixRow]:
    ordered = sorted(rows.items(), key=lambda kv: (-kv[1].charged_cents, labels[kv[0]]))
    return [MixRow(**u.model_dump(include=set(usage.USAGE_FIELDS)), key=labels[i])
            for i, u in ordered]  # fmt: skip


def build_person(conn: Connection, flt: ReportFilter, *, email: str, page: int = 1) -> PersonView:
    """One person's usage in the period; ``NotFoundError`` for people unknown here or
    outside the filter (a limited viewer asking for another team's person)."""
    info = people.person_info(conn, email=email, integration_id=flt.integration_id,
                              who=flt.people)  # fmt: skip
    if info is None:
        raise NotFoundError(f"No one with the email {email} has used Cursor here.")
    mine = replace(flt, person=info.email.lower())
    scope = mine.scope()
    total = usage.usage_total(conn, scope)
    kind_labels = {i: k.name for i, k in names.kind_names(conn).items()}
    events = people.recent_events(
        conn, person_ids=info.person_ids, start=flt.start, end=flt.end,
        offset=(page - 1) * EVENTS_PER_PAGE, limit=EVENTS_PER_PAGE + 1,
    )  # fmt: skip
    allocation = cloud_spend.allocation_by_email(conn).get(info.email.lower())
    cloud = cloud_owned_by_email(conn, mine).get(info.email.lower(), Decimal(0))
    return PersonView(
        cost=cost_figures(conn, mine, total),
        **total.model_dump(include=set(usage.USAGE_FIELDS)),
        email=info.email, name=info.name, last_active_day=info.last_active_day,
        chart=total_chart(start=flt.start, end=flt.end, totals=series.daily_series(conn, scope)),
        models=_mix(usage.usage_by(conn, scope, dim="model"), names.model_names(conn)),
        kinds=_mix(usage.usage_by(conn, scope, dim="kind"), kind_labels),
        events_page=page, events_per_page=EVENTS_PER_PAGE,
        recent_events=[
            EventOut(at=e.at, model=e.model, kind=e.kind, max_mode=e.max_mode,
                     input_tokens=e.input_tokens, output_tokens=e.output_tokens,
                     cache_write_tokens=e.cache_write_tokens,
                     cache_read_tokens=e.cache_read_tokens, total_cents=e.total_cents,
                     charged_cents=e.charged_cents)
            for e in events[:EVENTS_PER_PAGE]
        ],
        has_more_events=len(events) > EVENTS_PER_PAGE,
        cycle=_cycle(people.cycle_spend(conn, email=info.email,
                                        integration_id=flt.integration_id)),
        owned=OwnedOut(
            team=allocation.team if allocation else None,
            cost_center=allocation.cost_center if allocation else None,
            ai_cents=total.on_demand_cents, cloud_cents=cloud,
            total_cents=total.on_demand_cents + cloud,
        ),
        ai_code=person_ai_code(conn, flt, email=info.email),
        adoption=person_adoption(conn, flt, email=info.email),
        origins=origin_shares(total),
    )  # fmt: skip
