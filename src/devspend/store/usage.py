"""Usage figures read from the summary tables: one typed row, any grouping, any scope.

:class:`Usage` declares the figures once — tokens, request counts and money in the
project's vocabulary (``docs/money.md``): **usage value** (Σ chargedCents of all
events, legacy key ``charged_cents``), **on-demand** (Σ chargedCents of chargeable
events), **included** (their difference) and **model cost** (Σ tokenUsage.totalCents,
legacy key ``total_cents``). Every report row of every face inherits it.

:func:`usage_rows` is the one read: a :class:`UsageScope` (period, integration, people,
model) and the dimensions to group by pick the smallest summary grain that knows them
all (:data:`GRAINS`), read through the month split of :mod:`devspend.store.periods`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, computed_field
from sqlalchemy.engine import Connection

from devspend.money import Money, from_micros
from devspend.store.origins import MEASURED_ORIGINS, ORIGIN_NAMES
from devspend.store.periods import Conditions, Piece, pieces, seek_each_day, summed
from devspend.store.person_scope import PeopleFilter, person_ids
from devspend.store.tables import (
    MEASURE_COLUMNS,
    models,
    usage_daily_detail,
    usage_daily_kind,
    usage_daily_model,
    usage_daily_user,
    usage_monthly_kind,
    usage_monthly_model,
    usage_monthly_user,
    usage_monthly_user_model,
)

Dim = Literal["person", "model", "kind"]
ID_COLUMNS: dict[Dim, str] = {"person": "person_id", "model": "model_id", "kind": "kind_id"}
_HUNDRED = Decimal(100)
_MEASURED = tuple(ORIGIN_NAMES[o] for o in MEASURED_ORIGINS)


def _percent(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * _HUNDRED / Decimal(whole)).quantize(Decimal("0.1"))


class Usage(BaseModel):
    """The additive figures of some usage; money in exact cents (Decimal)."""

    model_config = ConfigDict(frozen=True)

    events: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_write_tokens: int = 0
    cache_read_tokens: int = 0
    charged_cents: Money = Decimal(0)
    on_demand_cents: Money = Decimal(0)
    total_cents: Money = Decimal(0)
    cursor_token_fee_cents: Money = Decimal(0)
    requests_costs: Money = Decimal(0)
    usage_based_events: int = 0
    included_events: int = 0
    errored_events: int = 0
    other_kind_events: int = 0
    chargeable_events: int = 0
    max_mode_events: int = 0
    headless_events: int = 0
    token_based_events: int = 0
    # the split by origin (store.origins); interactive is what the others leave
    origin_headless_events: int = 0
    origin_headless_cents: Money = Decimal(0)
    origin_cloud_agent_events: int = 0
    origin_cloud_agent_cents: Money = Decimal(0)
    origin_service_account_events: int = 0
    origin_service_account_cents: Money = Decimal(0)
    origin_automation_events: int = 0
    origin_automation_cents: Money = Decimal(0)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def origin_interactive_events(self) -> int:
        """Events of a person in the editor: not headless, agent, service account, automation."""
        others: int = sum(getattr(self, f"origin_{n}_events") for n in _MEASURED)
        return self.events - others

    @computed_field  # type: ignore[prop-decorator]
    @property
    def origin_interactive_cents(self) -> Money:
        return self.charged_cents - sum(
            (getattr(self, f"origin_{n}_cents") for n in _MEASURED), Decimal(0))  # fmt: skip

    def by_origin(self) -> list[tuple[str, int, Decimal]]:
        """(origin, events, usage value) for every origin, interactive first."""
        return [(n, getattr(self, f"origin_{n}_events"), getattr(self, f"origin_{n}_cents"))
                for n in ("interactive", *_MEASURED)]  # fmt: skip

    @computed_field  # type: ignore[prop-decorator]
    @property
    def usage_value_cents(self) -> Money:
        """Σ chargedCents of all events: the usage at Cursor's rates, included or not."""
        return self.charged_cents

    @computed_field  # type: ignore[prop-decorator]
    @property
    def included_cents(self) -> Money:
        """Usage value − on-demand: the part of the usage the seats cover."""
        return self.charged_cents - self.on_demand_cents

    @computed_field  # type: ignore[prop-decorator]
    @property
    def model_cost_cents(self) -> Money:
        """Σ tokenUsage.totalCents: token list cost before Cursor's fee."""
        return self.total_cents

    @computed_field  # type: ignore[prop-decorator]
    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens + self.cache_write_tokens + (
            self.cache_read_tokens
        )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def max_mode_share_percent(self) -> Decimal | None:
        return _percent(self.max_mode_events, self.events)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def headless_share_percent(self) -> Decimal | None:
        return _percent(self.headless_events, self.events)

    def usage(self) -> Usage:
        """Just the figures (a report row minus its keys)."""
        return Usage(**{name: getattr(self, name) for name in USAGE_FIELDS})

    def plus(self, other: Usage) -> Usage:
        """The figures of both (one person in two connected teams, say)."""
        # sums of already valid figures: skip re-validation (a people page adds thousands)
        return Usage.model_construct(
            **{n: getattr(self, n) + getattr(other, n) for n in USAGE_FIELDS}
        )

    @classmethod
    def from_sums(cls, m: Mapping[str, Any]) -> Usage:
        """Figures from summed summary columns (micro-cents and millionths as integers)."""
        # every field is given, typed here: no validation needed (2,000 people per page)
        values: dict[str, Any] = dict(
            events=int(m["events"]),
            input_tokens=int(m["input_tokens"]),
            output_tokens=int(m["output_tokens"]),
            cache_write_tokens=int(m["cache_write_tokens"]),
            cache_read_tokens=int(m["cache_read_tokens"]),
            charged_cents=from_micros(int(m["charged_ucents"])),
            on_demand_cents=from_micros(int(m["chargeable_ucents"])),
            total_cents=from_micros(int(m["total_ucents"])),
            cursor_token_fee_cents=from_micros(int(m["token_fee_ucents"])),
            requests_costs=from_micros(int(m["requests_costs_micros"])),
            usage_based_events=int(m["usage_based_events"]),
            included_events=int(m["included_events"]),
            errored_events=int(m["errored_events"]),
            other_kind_events=int(m["other_kind_events"]),
            chargeable_events=int(m["chargeable_events"]),
            max_mode_events=int(m["max_mode_events"]),
            headless_events=int(m["headless_events"]),
            token_based_events=int(m["token_based_events"]),
        )
        for n in _MEASURED:
            values[f"origin_{n}_events"] = int(m[f"origin_{n}_events"])
            values[f"origin_{n}_cents"] = from_micros(int(m[f"origin_{n}_ucents"]))
        return Usage.model_construct(**values)


USAGE_FIELDS: tuple[str, ...] = tuple(Usage.model_fields)


def total_usage(rows: Iterable[Usage]) -> Usage:
    """The sum of some rows' figures."""
    found = Usage()
    for row in rows:
        found = found.plus(row)
    return found


@dataclass(frozen=True, slots=True)
class UsageScope:
    """Which usage a read covers: UTC days ``start``..``end`` (inclusive), one
    integration (None: all), some people (team, cost center, one person, or what a
    limited viewer may see) and optionally one model."""

    start: date
    end: date
    integration_id: int | None = None
    people: PeopleFilter = field(default_factory=PeopleFilter)
    model: str | None = None

    def with_period(self, *, start: date, end: date) -> UsageScope:
        return UsageScope(start=start, end=end, integration_id=self.integration_id,
                          people=self.people, model=self.model)  # fmt: skip

    def dims(self) -> set[Dim]:
        """The dimensions this scope constrains (the grain must know them)."""
        found: set[Dim] = set()
        if not self.people.is_everyone():
            found.add("person")
        if self.model is not None:
            found.add("model")
        return found


@dataclass(frozen=True, slots=True)
class Grain:
    """A daily summary table, its monthly twin (if any) and the dimensions they key on."""

    daily: sa.Table
    monthly: sa.Table | None
    dims: frozenset[Dim]


# smallest first: the first grain knowing every needed dimension is read
GRAINS: tuple[Grain, ...] = (
    # a handful of kinds against tens of models: a year's daily totals read 11x faster
    Grain(usage_daily_kind, usage_monthly_kind, frozenset({"kind"})),
    Grain(usage_daily_model, usage_monthly_model, frozenset({"model"})),
    Grain(usage_daily_user, usage_monthly_user, frozenset({"person"})),
    Grain(usage_daily_detail, usage_monthly_user_model, frozenset({"person", "model"})),
    Grain(usage_daily_detail, None, frozenset({"person", "model", "kind"})),
)


def grain_for(needed: set[Dim]) -> Grain:
    """The smallest summary grain that knows every dimension in ``needed``."""
    return next(g for g in GRAINS if needed <= g.dims)


def scope_conditions(
    scope: UsageScope, *, only: tuple[Dim, Sequence[int]] | None = None
) -> Conditions | None:
    """Per-table predicates for the scope's people and model, and (``only``) for some ids
    of one dimension (None: no narrowing)."""
    ids = None if scope.people.is_everyone() else person_ids(scope.people)
    model = scope.model
    if ids is None and model is None and only is None:
        return None

    def conditions(table: sa.Table) -> list[sa.ColumnElement[bool]]:
        found: list[sa.ColumnElement[bool]] = []
        if ids is not None:
            found.append(table.c.person_id.in_(ids))
        if model is not None:
            found.append(table.c.model_id.in_(sa.select(models.c.id).where(models.c.name == model)))
        if only is not None:
            found.append(table.c[ID_COLUMNS[only[0]]].in_(sorted(only[1])))
        return found

    return conditions


def seeks_days(conn: Connection, scope: UsageScope, *, few: bool = False) -> bool:
    """Whether the scope's reads name each day (:func:`devspend.store.periods.in_period`):
    narrowed to some people (or ``few`` keys asked for), where that is faster."""
    if few:
        return True
    if scope.people.is_everyone():
        return False
    return seek_each_day(conn.dialect.name, people=1 if scope.people.email else None)


def scope_pieces(
    conn: Connection, scope: UsageScope, grain: Grain, *, few: bool = False
) -> list[Piece]:
    """The scope's period split over ``grain``; see :func:`seeks_days`."""
    return pieces(grain.daily, grain.monthly, integration_id=scope.integration_id,
                  start=scope.start, end=scope.end,
                  each_day=seeks_days(conn, scope, few=few))  # fmt: skip


def usage_rows(
    conn: Connection, scope: UsageScope, *, by: Sequence[Dim] = (),
    measures: Sequence[str] = MEASURE_COLUMNS, only: tuple[Dim, Sequence[int]] | None = None,
) -> list[tuple[tuple[int, ...], dict[str, Any]]]:  # fmt: skip
    """Summed measures per combination of ``by`` ids (raw integer sums, keyed by column);
    ``only``: just these ids of one dimension."""
    grain = grain_for({*by, *scope.dims(), *([only[0]] if only else [])})
    keys = [ID_COLUMNS[d] for d in by]
    query = summed(scope_pieces(conn, scope, grain, few=only is not None), keys, measures=measures,
                   where=scope_conditions(scope, only=only))  # fmt: skip
    result = conn.execute(query)
    columns = list(result.keys())
    width = len(keys)
    # plain tuples zipped with the column names once: a Row's mapping per row costs
    # more than the SQL on the 50 k (person, model) pairs of a year
    return [(tuple(int(v) for v in row[:width]), dict(zip(columns, row, strict=True)))
            for row in result.tuples()]  # fmt: skip


def measure_by(conn: Connection, scope: UsageScope, *, dim: Dim, measure: str) -> dict[int, int]:
    """One summed measure (raw integer) per id with rows in the scope: summing one column
    instead of all eighteen makes the per-person read of a year ~6x cheaper on SQLite."""
    return {key[0]: int(m[measure])
            for key, m in usage_rows(conn, scope, by=[dim], measures=[measure])}  # fmt: skip


def usage_total(conn: Connection, scope: UsageScope) -> Usage:
    """All usage of the scope in one row; zeros when nothing happened."""
    rows = usage_rows(conn, scope)
    return Usage.from_sums(rows[0][1]) if rows else Usage()


def usage_by(conn: Connection, scope: UsageScope, *, dim: Dim) -> dict[int, Usage]:
    """Usage per person, model or kind id (only ids with rows in the scope)."""
    return {key[0]: Usage.from_sums(m) for key, m in usage_rows(conn, scope, by=[dim])}
