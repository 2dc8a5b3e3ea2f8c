"""People: every member's usage in the period (idle members with zeros), sortable and
searchable; the same rows on the page, in ``/api/v1/people`` and ``/people.csv`` and in
``devspend report people``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel
from sqlalchemy.engine import Connection

from devspend.money import Money
from devspend.reports.filters import ReportFilter
from devspend.reports.ownership import cloud_owned_by_email
from devspend.reports.seats import cost_cents, seat_summary
from devspend.reports.tables import USAGE_COLUMNS, Column, Table
from devspend.store import names, rankings, usage
from devspend.store.people import fast_premium_requests, members
from devspend.store.usage import Usage


class PersonRow(Usage):
    """One person's usage in the period; ``fast_premium_requests`` is this cycle's gauge
    (``/teams/spend`` ``fastPremiumRequests``), ``cloud_cents`` the cloud spend they own."""

    email: str
    name: str | None
    top_model: str | None
    fast_premium_requests: int | None
    last_active_day: date | None
    cloud_cents: Money = Decimal(0)
    seat_cents: Money | None = None
    """Their seats in the period (None: seat price not set)."""
    cost_cents: Money = Decimal(0)
    """cost = seats + on-demand."""


class UsageFilter(StrEnum):
    """``none``: only idle seats (members without any usage in the period)."""

    all = "all"
    none = "none"
    some = "some"


class SortKey(StrEnum):
    cost_cents = "cost_cents"
    seat_cents = "seat_cents"
    email = "email"
    name = "name"
    charged_cents = "charged_cents"
    on_demand_cents = "on_demand_cents"
    total_cents = "total_cents"
    events = "events"
    input_tokens = "input_tokens"
    output_tokens = "output_tokens"
    cache_write_tokens = "cache_write_tokens"
    cache_read_tokens = "cache_read_tokens"
    top_model = "top_model"
    usage_based_events = "usage_based_events"
    included_events = "included_events"
    max_mode_share_percent = "max_mode_share_percent"
    headless_share_percent = "headless_share_percent"
    cursor_token_fee_cents = "cursor_token_fee_cents"  # noqa: S105 - a column name
    cloud_cents = "cloud_cents"
    last_active_day = "last_active_day"


class Direction(StrEnum):
    asc = "asc"
    desc = "desc"


PEOPLE_COLUMNS = (
    Column("Email", "email"), Column("Name", "name"), Column("Top model", "top_model"),
    Column("Cost", "cost_cents", "money"), Column("Seats", "seat_cents", "money"),
    *USAGE_COLUMNS, Column("Max mode %", "max_mode_share_percent", "percent"),
    Column("Headless %", "headless_share_percent", "percent"),
)  # fmt: skip


class PeopleView(BaseModel):
    """``rows`` are ``offset``.. the next ``limit`` of ``total`` matching members
    (limit 0: all)."""

    total: int
    limit: int
    offset: int = 0
    rows: list[PersonRow]
    sort: SortKey
    direction: Direction
    search: str | None
    usage: UsageFilter = UsageFilter.all
    seat_note: str | None = None
    """"seat price not set" when seats are missing from cost."""

    def tables(self) -> list[Table]:
        return [Table("rows", "Usage by person", PersonRow, self.rows, PEOPLE_COLUMNS)]


def build_people(
    conn: Connection, flt: ReportFilter, *, search: str | None = None,
    sort: SortKey = SortKey.charged_cents, direction: Direction = Direction.desc,
    usage_filter: UsageFilter = UsageFilter.all,
) -> PeopleView:  # fmt: skip
    """Every member in the filter (with zeros when idle) and everyone who held a seat in
    the period, with their seats and cost; filtered by ``search`` and ``usage_filter``
    (``none``: idle seats only), sorted."""
    scope = flt.scope()
    known = members(conn, integration_id=flt.integration_id, who=flt.people)
    by_person = usage.usage_by(conn, scope, dim="person")
    who = names.person_names(conn, by_person)
    top = rankings.top_model_by_person(conn, scope, person_ids_=list(by_person))
    model_names = names.model_names(conn)
    fast = fast_premium_requests(conn, integration_ids=[p.integration_id for p in who.values()])
    merged: dict[str, Usage] = {}
    first: dict[str, int] = {}
    for person_id, u in sorted(by_person.items(), key=lambda kv: -kv[1].charged_cents):
        key = who[person_id].email.lower()
        # most people are one row: added only when they are in two connected teams
        merged[key] = merged[key].plus(u) if key in merged else u
        first.setdefault(key, person_id)
    cloud = cloud_owned_by_email(conn, flt)
    seats = seat_summary(conn, start=flt.start, end=flt.end, integration_id=flt.integration_id,
                         who=flt.people)  # fmt: skip
    seat_by_email: dict[str, Decimal | None] = {}
    seat_name: dict[str, str | None] = {}
    for held in seats.people:
        key = held.email.lower()
        before = seat_by_email.get(key)
        seat_by_email[key] = (None if held.seat_cents is None and before is None
                              else (before or Decimal(0)) + (held.seat_cents or Decimal(0)))
        seat_name.setdefault(key, held.name)
    rows: list[PersonRow] = []
    listed = set(merged) | {k for k, m in known.items() if not m.is_removed} | set(seat_by_email)
    for key in sorted(listed):
        member = known.get(key)
        found_id = first.get(key)
        named = who[found_id] if found_id is not None else None
        top_id = top.get(found_id) if found_id is not None else None
        rows.append(PersonRow(
            **merged.get(key, Usage()).model_dump(include=set(usage.USAGE_FIELDS)),
            email=named.email if named else member.email if member else key,
            name=(named.name if named else None) or (member.name if member else None)
            or seat_name.get(key),
            top_model=model_names.get(top_id) if top_id is not None else None,
            fast_premium_requests=(fast.get((named.integration_id, key)) if named else None),
            last_active_day=member.last_active_day if member else None,
            cloud_cents=cloud.get(key, Decimal(0)),
            seat_cents=seat_by_email.get(key),
            cost_cents=cost_cents(seat_cents=seat_by_email.get(key),
                                  on_demand_cents=merged.get(key, Usage()).on_demand_cents),
        ))  # fmt: skip
    if usage_filter is UsageFilter.none:
        rows = [r for r in rows if r.events == 0]
    elif usage_filter is UsageFilter.some:
        rows = [r for r in rows if r.events > 0]
    needle = (search or "").strip().lower()
    if needle:
        rows = [r for r in rows if needle in r.email.lower() or needle in (r.name or "").lower()]
    present = [r for r in rows if getattr(r, sort.value) is not None]
    missing = [r for r in rows if getattr(r, sort.value) is None]
    present.sort(key=lambda r: r.email)
    present.sort(key=lambda r: getattr(r, sort.value), reverse=direction is Direction.desc)
    rows = present + missing
    return PeopleView(total=len(rows), limit=0, rows=rows, sort=sort, direction=direction,
                      search=needle or None, usage=usage_filter,
                      seat_note=seats.label)  # fmt: skip


def page_of(view: PeopleView, *, limit: int, offset: int = 0) -> PeopleView:
    """``limit`` rows from ``offset`` (limit 0: all from ``offset``): what a page shows."""
    if limit <= 0 and offset <= 0:
        return view
    end = None if limit <= 0 else offset + limit
    return view.model_copy(update={"rows": view.rows[offset:end], "limit": max(limit, 0),
                                   "offset": offset})  # fmt: skip
