"""Settings → Cloud costs: upload FOCUS files, edit who belongs to which team, export AI as FOCUS.

Everything here is for admins. Uploads go through the same importer as
``devspend import focus`` (each file all or nothing; a re-delivered billing period
replaces the earlier one), so a rejected file lists every bad row by file, line and
reason and leaves the store unchanged. Allocations (email → team, cost center) are
edited row by row or loaded from an ``email,team,cost_center`` CSV.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy import Engine
from starlette.background import BackgroundTask

from devspend.errors import FocusImportError
from devspend.focus.allocations import (
    delete_allocation,
    list_allocations,
    load_allocations_csv,
    refresh_billing_group_allocations,
    set_allocation,
)
from devspend.focus.exporter import export_focus
from devspend.focus.importer import FocusRowsError, ImportReport, import_focus
from devspend.reports.seats import seat_charges
from devspend.web.deps import (
    AdminUser,
    ClockDep,
    EngineDep,
    SettingsDep,
    csrf_protect,
    get_clock,
)
from devspend.web.filters import FilterDep
from devspend.web.rendering import render

PAGE = "/settings/cloud-costs"
UPLOAD_CHUNK = 1 << 20
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class ExportFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"


@dataclass(frozen=True, slots=True)
class Problem:
    """Why (part of) an upload was refused, located by the uploaded file's own name."""

    file: str
    line: int | None
    reason: str


@dataclass(frozen=True, slots=True)
class BatchRow:
    """One (account, billing period) group an upload stored."""

    file: str
    focus_version: str
    account: str
    billing_period_start: date
    rows: int
    replaced_rows: int


def _page(request: Request, engine: Engine, **extra: object) -> Response:
    status = 400 if extra.get("problems") or extra.get("error") else 200
    today = get_clock(request)().date()
    return render(request, "cloud_costs.html", {
        "allocations": list_allocations(engine), "active": "cloud_costs",
        "export_formats": list(ExportFormat), "export_start": today - timedelta(days=29),
        "export_end": today, **extra,
    }, status_code=status)  # fmt: skip


def _safe_name(name: str | None, fallback: str) -> str:
    base = Path(name or "").name
    return _UNSAFE_NAME.sub("_", base).strip("._") or fallback


def _save(uploads: list[UploadFile], folder: Path) -> dict[Path, str]:
    """Stream each upload to ``folder`` (never whole in memory); map saved path → shown name."""
    saved: dict[Path, str] = {}
    for number, upload in enumerate(uploads, start=1):
        shown = _safe_name(upload.filename, f"upload-{number}")
        target = folder / f"{number:03d}-{shown}"
        with target.open("wb") as out:
            shutil.copyfileobj(upload.file, out, UPLOAD_CHUNK)
        saved[target] = shown
    return saved


def _problems(exc: FocusImportError, names: dict[Path, str]) -> list[Problem]:
    shown = {str(path): name for path, name in names.items()}
    if isinstance(exc, FocusRowsError):
        problems = [Problem(shown.get(p.path, p.path), p.line, p.reason) for p in exc.problems]
        if exc.total > len(problems):
            problems.append(Problem(shown.get(exc.path or "", ""), None,
                                    f"… and {exc.total - len(problems)} more"))  # fmt: skip
        return problems
    return [Problem(shown.get(exc.path or "", exc.path or ""), exc.line, exc.reason)]


def _batches(report: ImportReport, names: dict[Path, str]) -> list[BatchRow]:
    rows = []
    for result in report.files:
        for (account, period_start), count in sorted(result.groups.items()):
            rows.append(BatchRow(
                file=names.get(result.path, result.path.name), focus_version=result.focus_version,
                account=account, billing_period_start=period_start, rows=count,
                replaced_rows=result.replaced_rows,
            ))  # fmt: skip
    return rows


router = APIRouter(prefix=PAGE, dependencies=[Depends(csrf_protect)], include_in_schema=False)


@router.get("")
def cloud_costs_page(request: Request, _admin: AdminUser, engine: EngineDep) -> Response:
    return _page(request, engine)


@router.post("/import")
def upload_focus(
    request: Request, _admin: AdminUser, engine: EngineDep, settings: SettingsDep,
    clock: ClockDep, files: Annotated[list[UploadFile], File()],
    account_name: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="devspend-upload-") as folder:
        names = _save(files, Path(folder))
        try:
            report = import_focus(
                engine, list(names), settings=settings,
                account_name=account_name.strip() or None, clock=clock,
            )  # fmt: skip
        except FocusImportError as exc:
            return _page(request, engine, problems=_problems(exc, names),
                         account_name=account_name)  # fmt: skip
    return _page(request, engine, imported=report, batches=_batches(report, names),
                 duplicates=[names.get(f.path, f.path.name) for f in report.files
                             if f.duplicate_of is not None])  # fmt: skip


@router.post("/allocations")
def save_allocation(
    request: Request, _admin: AdminUser, engine: EngineDep, clock: ClockDep,
    email: Annotated[str, Form()], team: Annotated[str, Form()] = "",
    cost_center: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    if "@" not in email:
        return _page(request, engine, error=f"{email!r} is not an email address.")
    set_allocation(
        engine, email=email, team=team.strip() or None,
        cost_center=cost_center.strip() or None, clock=clock,
    )  # fmt: skip
    return RedirectResponse(PAGE + "#allocations", status_code=303)


@router.post("/allocations/delete")
def remove_allocation(
    request: Request, _admin: AdminUser, engine: EngineDep, email: Annotated[str, Form()]
) -> Response:
    delete_allocation(engine, email)
    return RedirectResponse(PAGE + "#allocations", status_code=303)


@router.post("/allocations/csv")
def load_allocations(
    request: Request, _admin: AdminUser, engine: EngineDep, clock: ClockDep,
    file: Annotated[UploadFile, File()],
) -> Response:  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="devspend-upload-") as folder:
        names = _save([file], Path(folder))
        try:
            loaded = load_allocations_csv(engine, next(iter(names)), clock=clock)
        except FocusImportError as exc:
            return _page(request, engine, problems=_problems(exc, names))
        except UnicodeDecodeError:
            return _page(request, engine, error="The allocation CSV must be UTF-8 text.")
    return _page(request, engine, allocations_loaded=loaded)


@router.post("/allocations/billing-groups")
def fill_from_billing_groups(
    request: Request, _admin: AdminUser, engine: EngineDep, clock: ClockDep
) -> Response:
    written = refresh_billing_group_allocations(engine, clock=clock)
    return _page(request, engine, billing_groups_written=written)


@router.get("/export")
def export_ai_as_focus(
    _admin: AdminUser, engine: EngineDep, settings: SettingsDep, flt: FilterDep,
    format: Annotated[ExportFormat, Query(description="csv or parquet")] = ExportFormat.csv,
) -> Response:  # fmt: skip
    """Cursor cost of the filter's days as FOCUS rows (a file download): usage, and the
    seats as Purchase rows per billing cycle."""
    suffix = f".{format.value}"
    with tempfile.NamedTemporaryFile(prefix="devspend-export-", suffix=suffix,
                                     delete=False) as handle:  # fmt: skip
        target = Path(handle.name)
    try:
        with engine.connect() as conn:
            seats = seat_charges(conn, start=flt.start, end=flt.end)
        export_focus(
            engine, settings=settings, first_day=flt.start, last_day=flt.end,
            fmt="parquet" if format is ExportFormat.parquet else "csv", out=target, seats=seats,
        )  # fmt: skip
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    media = "text/csv; charset=utf-8" if format is ExportFormat.csv else "application/octet-stream"
    return FileResponse(
        target, media_type=media,
        filename=f"devspend-focus-{flt.start.isoformat()}-{flt.end.isoformat()}{suffix}",
        background=BackgroundTask(target.unlink, missing_ok=True),
    )  # fmt: skip
