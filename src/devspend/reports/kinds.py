"""Kinds and days: usage per Cursor request kind (included, usage-based, errored …) and
per UTC day — the CLI's ``report kinds`` / ``report daily`` and their JSON twins."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel
from sqlalchemy.engine import Connection

from devspend.reports.filters import ReportFilter
from devspend.reports.tables import USAGE_COLUMNS, Column, Table
from devspend.store import names, series, usage
from devspend.store.usage import Usage


class KindRow(Usage):
    """``category`` buckets the open-ended kind: usage_based, included, errored or other."""

    kind: str
    category: str


class KindsView(BaseModel):
    rows: list[KindRow]

    def tables(self) -> list[Table]:
        return [Table("rows", "Usage by kind", KindRow, self.rows,
                      [Column("Kind", "kind"), Column("Category", "category"), *USAGE_COLUMNS])]


def build_kinds(conn: Connection, flt: ReportFilter) -> KindsView:
    """Usage per kind in the filter, most events first."""
    labels = names.kind_names(conn)
    rows = [
        KindRow(**u.model_dump(include=set(usage.USAGE_FIELDS)), kind=labels[i].name,
                category=labels[i].category)
        for i, u in usage.usage_by(conn, flt.scope(), dim="kind").items()
    ]  # fmt: skip
    rows.sort(key=lambda r: (-r.events, r.kind))
    return KindsView(rows=rows)


class DayRow(Usage):
    day: date


class DailyView(BaseModel):
    """One row per UTC day that had usage, oldest first (days without usage are absent)."""

    rows: list[DayRow]

    def tables(self) -> list[Table]:
        return [Table("rows", "Usage by day", DayRow, self.rows, [Column("Day", "day", "day"),
                                                          *USAGE_COLUMNS])]


def build_daily(conn: Connection, flt: ReportFilter) -> DailyView:
    return DailyView(rows=[
        DayRow(**d.usage.model_dump(include=set(usage.USAGE_FIELDS)), day=d.day)
        for d in series.daily_series(conn, flt.scope())
    ])  # fmt: skip
