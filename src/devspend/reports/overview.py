"""Overview: the period's usage beside the previous period, a daily chart, top people
and models, included vs usage-based, Max mode and headless shares, data coverage."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel
from sqlalchemy.engine import Connection

from devspend.money import Money
from devspend.reports.charts import DailyChart, stacked_chart
from devspend.reports.cost import CostFigures, cost_figures
from devspend.reports.coverage import CoverageNotice, coverage_notice
from devspend.reports.filters import ReportFilter
from devspend.reports.origins import OriginShare, origin_shares
from devspend.reports.outcome_cards import OutcomeSummary, outcome_summary
from devspend.reports.tables import USAGE_COLUMNS, Column, Table
from devspend.store import names, rankings, series, usage
from devspend.store.usage import Dim, Usage

COST_COLUMNS = [
    Column("Cost", "cost_cents", "money"), Column("Seats", "seat_cents", "money"),
    Column("On-demand", "on_demand_cents", "money"), Column("Included", "included_cents", "money"),
    Column("Usage value", "usage_value_cents", "money"),
    Column("Model cost", "model_cost_cents", "money"), Column("Seats held", "seats", "count"),
    Column("Idle seats", "idle_seats", "count"), Column("Seat note", "seat_note"),
]
TOP_PEOPLE = 10
TOP_MODELS = 10
CHART_SERIES = 8


class Split(StrEnum):
    model = "model"
    kind = "kind"
    user = "user"


SPLIT_DIMS: dict[Split, Dim] = {Split.model: "model", Split.kind: "kind", Split.user: "person"}


class PeriodTotals(Usage):
    start: date
    end: date


class RankedRow(BaseModel):
    key: str
    name: str | None = None
    charged_cents: Money
    on_demand_cents: Money
    total_cents: Money
    events: int


class CategoryShare(BaseModel):
    """Events and usage value of one kind category: usage_based, included, errored, other."""

    category: str
    kinds: list[str]
    events: int
    charged_cents: Money


class OverviewView(BaseModel):
    cost: CostFigures
    """The headline: cost = seats + on-demand, with its parts and the idle seats."""
    period: PeriodTotals
    previous: PeriodTotals
    change_percent: Decimal | None
    chart: DailyChart
    top_users: list[RankedRow]
    top_models: list[RankedRow]
    categories: list[CategoryShare]
    origins: list[OriginShare]
    max_mode_share_percent: Decimal | None
    headless_share_percent: Decimal | None
    coverage: CoverageNotice
    outcome: OutcomeSummary
    """What the money bought: adoption and AI code headlines (``reports.ai_code``)."""

    def tables(self) -> list[Table]:
        ranked = [Column("Key", "key"), Column("Events", "events", "count"),
                  Column("Usage value", "charged_cents", "money"),
                  Column("On-demand", "on_demand_cents", "money")]  # fmt: skip
        return [
            Table("period", "Period", PeriodTotals, [self.period, self.previous],
                  [Column("From", "start", "day"), Column("To", "end", "day"), *USAGE_COLUMNS]),
            Table("cost", "Cost", CostFigures, [self.cost], COST_COLUMNS),
            Table("top_users", "Top people", RankedRow, self.top_users, ranked),
            Table("top_models", "Top models", RankedRow, self.top_models, ranked),
            Table("origins", "Where requests came from", OriginShare, self.origins,
                  [Column("Origin", "label"), Column("Events", "events", "count"),
                   Column("Usage value", "charged_cents", "money"),
                   Column("Share", "share_percent", "percent")]),
            Table("categories", "Kinds of request", CategoryShare, self.categories,
                  [Column("Category", "category"), Column("Events", "events", "count"),
                   Column("Usage value", "charged_cents", "money")]),
        ]  # fmt: skip


def _totals(conn: Connection, flt: ReportFilter) -> PeriodTotals:
    found = usage.usage_total(conn, flt.scope())
    return PeriodTotals(**found.model_dump(include=set(usage.USAGE_FIELDS)), start=flt.start,
                        end=flt.end)  # fmt: skip


def daily_chart(conn: Connection, flt: ReportFilter, split: Split) -> DailyChart:
    """The stacked daily chart of usage value by model, kind or person."""
    dim = SPLIT_DIMS[split]
    scope = flt.scope()
    values = series.daily_series(conn, scope, by=dim, top=CHART_SERIES)
    if dim == "person":
        people = names.person_names(conn, {v.key for v in values if v.key is not None})
        labels = {i: p.email for i, p in people.items()}
    elif dim == "model":
        labels = names.model_names(conn)
    else:
        labels = {i: k.name for i, k in names.kind_names(conn).items()}
    return stacked_chart(split=split.value, start=flt.start, end=flt.end, values=values,
                         names=labels, totals=series.daily_series(conn, scope))  # fmt: skip


def _ranked(key: str, name: str | None, u: Usage) -> RankedRow:
    return RankedRow(key=key, name=name, charged_cents=u.charged_cents,
                     on_demand_cents=u.on_demand_cents, total_cents=u.total_cents,
                     events=u.events)  # fmt: skip


def _by_value(rows: dict[int, Usage]) -> list[tuple[int, Usage]]:
    return sorted(rows.items(), key=lambda kv: (-kv[1].charged_cents, kv[0]))


def build_overview(conn: Connection, flt: ReportFilter, *, split: Split) -> OverviewView:
    """Everything the overview shows, from the summary tables."""
    scope = flt.scope()
    period, previous = _totals(conn, flt), _totals(conn, flt.previous())
    change = None
    if previous.charged_cents:
        change = ((period.charged_cents - previous.charged_cents) * 100 / previous.charged_cents)
        change = change.quantize(Decimal("0.1"))
    # ranked in SQL on usage value (ties: lowest id), figures read for these ten only
    top_people = rankings.top_usage(conn, scope, dim="person", top=TOP_PEOPLE)
    people = names.person_names(conn, [i for i, _ in top_people])
    model_names = names.model_names(conn)
    kind_names = names.kind_names(conn)
    categories: dict[str, CategoryShare] = {}
    by_kind = sorted(usage.usage_by(conn, scope, dim="kind").items(),
                     key=lambda kv: (-kv[1].events, kind_names[kv[0]].name))  # fmt: skip
    for kind_id, u in by_kind:
        kind = kind_names[kind_id]
        share = categories.setdefault(
            kind.category,
            CategoryShare(category=kind.category, kinds=[], events=0, charged_cents=Decimal(0)),
        )
        share.kinds.append(kind.name)
        share.events += u.events
        share.charged_cents += u.charged_cents
    return OverviewView(
        cost=cost_figures(conn, flt, period),
        period=period, previous=previous, change_percent=change,
        chart=daily_chart(conn, flt, split),
        top_users=[_ranked(people[i].email, people[i].name, u) for i, u in top_people],
        top_models=[_ranked(model_names[i], None, u)
                    for i, u in _by_value(usage.usage_by(conn, scope, dim="model"))[:TOP_MODELS]],
        categories=sorted(categories.values(), key=lambda c: -c.events),
        origins=origin_shares(period),
        max_mode_share_percent=period.max_mode_share_percent,
        headless_share_percent=period.headless_share_percent,
        coverage=coverage_notice(conn, flt),
        outcome=outcome_summary(conn, flt),
    )  # fmt: skip
