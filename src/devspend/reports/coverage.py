"""Coverage: which days hold complete usage, which may still change, which Cursor no
longer serves — so an empty day is never mistaken for no usage."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel
from sqlalchemy.engine import Connection

from devspend.reports.filters import ReportFilter
from devspend.reports.tables import Column, Table
from devspend.store import coverage


class CoverageNotice(BaseModel):
    partial_days: list[date]
    unavailable_days: list[date]
    notice: str | None


def coverage_notice(conn: Connection, flt: ReportFilter) -> CoverageNotice:
    """The days of the period whose usage is still changing or unknowable, in words."""
    days = coverage.coverage(conn, integration_id=flt.integration_id, start=flt.start,
                             end=flt.end)  # fmt: skip
    partial = sorted({d.day for d in days if d.status == "partial"})
    unavailable = sorted({d.day for d in days if d.status == "unavailable"})
    notes = []
    if unavailable:
        notes.append(
            f"{len(unavailable)} day(s) are older than Cursor's API history: their usage is "
            "unknown (the team may also simply have had none)"
        )
    if partial:
        notes.append(
            f"{len(partial)} recent day(s) may still change: Cursor fills in usage for a while"
        )
    return CoverageNotice(
        partial_days=partial, unavailable_days=unavailable,
        notice="; ".join(notes) + "." if notes else None,
    )  # fmt: skip


class CoverageRow(BaseModel):
    integration_id: int
    first_day: date
    last_day: date
    days: int
    status: str
    meaning: str


class CoverageView(BaseModel):
    start: date
    end: date
    rows: list[CoverageRow]

    def tables(self) -> list[Table]:
        return [Table("rows", "Data coverage", CoverageRow, self.rows, [
            Column("Integration", "integration_id"), Column("From", "first_day", "day"),
            Column("To", "last_day", "day"), Column("Days", "days", "count"),
            Column("Status", "status"), Column("Meaning", "meaning"),
        ])]  # fmt: skip


def build_coverage(conn: Connection, flt: ReportFilter) -> CoverageView:
    """Runs of equal coverage status per integration over the filter's days."""
    ranges = coverage.coverage_ranges(conn, integration_id=flt.integration_id,
                                      start=flt.start, end=flt.end)  # fmt: skip
    return CoverageView(start=flt.start, end=flt.end, rows=[
        CoverageRow(integration_id=r.integration_id, first_day=r.first_day, last_day=r.last_day,
                    days=r.days, status=r.status, meaning=r.meaning)
        for r in ranges
    ])  # fmt: skip
