"""Settings → Integrations: connect a Cursor team, watch its backfill, sync, replace, disconnect.

The key is validated live through the same service as ``devspend cursor connect``;
failures show the FAQ answer that fits. After connecting, the key is only ever
shown as its hint (``key_…a1b2``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from devspend.errors import (
    ConfigError,
    CursorAuthError,
    CursorError,
    CursorPlanError,
    NotFoundError,
)
from devspend.reports.history import HistoryView, integration_history
from devspend.reports.seats import SEAT_PRICE_NOT_SET
from devspend.store.integrations import Integration
from devspend.sync import service
from devspend.web.deps import (
    AdminUser,
    ConnDep,
    CurrentUser,
    EngineDep,
    Principal,
    SettingsDep,
    csrf_protect,
)
from devspend.web.errors import Forbidden
from devspend.web.rendering import render
from devspend.web.sync_jobs import SyncJobs

FAQ = {
    "prefix": "Admin API keys start with key_ — copy the whole key from Cursor.",
    "enterprise": "The Admin API needs a Cursor Enterprise plan.",
    "admin": "Only Team Admins can create Admin API keys (Cursor → Team Settings → API Keys).",
    "revoke": "To stop syncing, revoke the key in Cursor under Team Settings → API Keys "
    "(or disconnect it here).",
}


class IntegrationStatus(BaseModel):
    """An integration as pages and the status endpoint show it (never the key)."""

    id: int
    name: str
    key_hint: str
    status: str
    status_message: str | None
    running: bool
    last_sync_at: datetime | None
    history_start: date | None
    backfill_days_done: int
    backfill_days_total: int
    backfill_percent: int
    events_synced: int | None
    progress_text: str
    job_error: str | None
    held_days: int
    held_first_day: date | None
    held_last_day: date | None
    held_text: str
    api_history_text: str
    seat_price_dollars: int | None
    seat_price_text: str


def _status(integration: Integration, jobs: SyncJobs, history: HistoryView) -> IntegrationStatus:
    job = jobs.state(integration.id)
    progress = job.progress if job else None
    done, total = integration.backfill_days_done, integration.backfill_days_total
    if progress is not None and progress.days_total:
        done, total = progress.days_done, progress.days_total
    percent = 100 if total == 0 and integration.last_sync_at else 0
    if total:
        percent = min(100, round(done * 100 / total))
    running = jobs.is_running(integration.id)
    if running and progress is not None:
        text = f"{progress.phase}: {done} of {total} days, {progress.events:,} events"
    elif running:
        text = "starting…"
    elif integration.status == "backfilling" and total:
        text = f"{done} of {total} days imported"
    else:
        text = history.held_text if integration.last_sync_at else "not synced yet"
    return IntegrationStatus(
        id=integration.id, name=integration.name, key_hint=integration.key_hint,
        status=integration.status, status_message=integration.status_message, running=running,
        last_sync_at=integration.last_sync_at, history_start=integration.history_start,
        backfill_days_done=done, backfill_days_total=total, backfill_percent=percent,
        events_synced=progress.events if progress else None, progress_text=text,
        job_error=job.error if job else None, held_days=history.held_days,
        held_first_day=history.held_first, held_last_day=history.held_last,
        held_text=history.held_text, api_history_text=history.api_text,
        seat_price_dollars=integration.seat_price_dollars,
        seat_price_text=SEAT_PRICE_NOT_SET if integration.seat_price_dollars is None
        else f"${integration.seat_price_dollars} per seat per cycle",
    )  # fmt: skip


def _jobs(request: Request) -> SyncJobs:
    jobs: SyncJobs = request.app.state.sync_jobs
    return jobs


def list_statuses(request: Request, conn: ConnDep) -> list[IntegrationStatus]:
    return [
        _status(i, _jobs(request),
                integration_history(conn, integration_id=i.id, api_first=i.history_start))
        for i in service.list_integrations(conn)
    ]  # fmt: skip


def _faq_for(exc: Exception, api_key: str) -> list[str]:
    """Which FAQ answers explain this failure, most likely first."""
    answers = []
    if not api_key.strip().startswith("key_"):
        answers.append(FAQ["prefix"])
    if isinstance(exc, CursorPlanError):
        answers.append(FAQ["enterprise"])
    elif isinstance(exc, CursorAuthError):
        answers += [FAQ["admin"], FAQ["revoke"]]
        if FAQ["prefix"] not in answers:
            answers.append(FAQ["prefix"])
    return answers


def _page(request: Request, conn: ConnDep, *, status_code: int = 200, **extra: object) -> Response:
    return render(request, "integrations.html", {
        "integrations": list_statuses(request, conn), "active": "integrations", "faq": FAQ,
        **extra,
    }, status_code=status_code)  # fmt: skip


router = APIRouter(
    prefix="/settings/integrations", dependencies=[Depends(csrf_protect)],
    include_in_schema=False,
)  # fmt: skip
api = APIRouter(prefix="/api/v1/integrations", tags=["integrations"])


@router.get("")
def integrations_page(request: Request, _admin: AdminUser, conn: ConnDep) -> Response:
    return _page(request, conn)


@router.post("/connect")
def connect(
    request: Request, _admin: AdminUser, engine: EngineDep, settings: SettingsDep,
    conn: ConnDep, api_key: Annotated[str, Form()],
    team_name: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    try:
        result = service.connect_cursor(
            engine, settings, api_key=api_key, team_name=team_name.strip() or None,
            transport=request.app.state.cursor_transport,
        )  # fmt: skip
    except (CursorError, ConfigError) as exc:
        return _page(
            request, conn, status_code=400, connect_error=str(exc),
            connect_faq=_faq_for(exc, api_key), team_name=team_name,
        )  # fmt: skip
    _jobs(request).start(result.integration_id)
    return RedirectResponse(
        f"/settings/integrations?connected={result.integration_id}", status_code=303
    )


@router.post("/{integration_id}/sync")
def sync_now(request: Request, integration_id: int, _admin: AdminUser, conn: ConnDep) -> Response:
    if integration_id not in {i.id for i in service.list_integrations(conn)}:
        raise NotFoundError(f"There is no integration {integration_id}.")
    _jobs(request).start(integration_id)
    return RedirectResponse("/settings/integrations", status_code=303)


@router.post("/{integration_id}/seat-price")
def seat_price(
    request: Request, integration_id: int, _admin: AdminUser, engine: EngineDep, conn: ConnDep,
    dollars: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    """Set the seat price (whole dollars per seat per cycle); an empty field clears it."""
    text = dollars.strip().lstrip("$")
    if text and not text.isdigit():
        return _page(request, conn, status_code=400, seat_error="Whole dollars, e.g. 40.",
                     seat_id=integration_id)  # fmt: skip
    try:
        service.set_seat_price(engine, integration_id=integration_id,
                               dollars=int(text) if text else None)  # fmt: skip
    except ConfigError as exc:
        return _page(request, conn, status_code=400, seat_error=str(exc), seat_id=integration_id)
    return RedirectResponse("/settings/integrations", status_code=303)


@router.post("/{integration_id}/replace-key")
def replace_key(
    request: Request, integration_id: int, _admin: AdminUser, engine: EngineDep,
    settings: SettingsDep, conn: ConnDep, api_key: Annotated[str, Form()],
) -> Response:  # fmt: skip
    try:
        service.replace_key(
            engine, settings, integration_id=integration_id, api_key=api_key,
            transport=request.app.state.cursor_transport,
        )  # fmt: skip
    except (CursorError, ConfigError) as exc:
        return _page(
            request, conn, status_code=400, replace_error=str(exc), replace_id=integration_id,
            replace_faq=_faq_for(exc, api_key),
        )  # fmt: skip
    _jobs(request).start(integration_id)
    return RedirectResponse("/settings/integrations", status_code=303)


@router.post("/{integration_id}/disconnect")
def disconnect(
    integration_id: int, _admin: AdminUser, engine: EngineDep,
    data: Annotated[Literal["keep", "delete"], Form()],
) -> Response:  # fmt: skip
    service.disconnect(engine, integration_id=integration_id, delete_data=data == "delete")
    return RedirectResponse("/settings/integrations", status_code=303)


def _status_reader(principal: CurrentUser) -> Principal:
    """Admins, and API tokens (read-only, issued by admins) so monitoring can watch syncs."""
    if not (principal.is_admin or principal.via == "token"):
        raise Forbidden("Integration status is for admins and API tokens.")
    return principal


StatusReader = Annotated[Principal, Depends(_status_reader)]


@api.get("", response_model=list[IntegrationStatus])
def integrations_api(
    request: Request, _reader: StatusReader, conn: ConnDep
) -> list[IntegrationStatus]:
    """Every integration's status, last sync, history depth and backfill progress.

    Readable by admins and by API tokens, so a monitoring script can watch for a
    revoked key (``key_invalid``), a lost Enterprise plan or a stale last sync.
    """
    return list_statuses(request, conn)


@api.get("/{integration_id}/status", response_model=IntegrationStatus)
def integration_status_api(
    request: Request, integration_id: int, _reader: StatusReader, conn: ConnDep
) -> IntegrationStatus:
    """One integration's live status; the settings page polls it during a backfill."""
    for status in list_statuses(request, conn):
        if status.id == integration_id:
            return status
    raise NotFoundError(f"There is no integration {integration_id}.")
