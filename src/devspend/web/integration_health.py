"""Key health on every page: a banner when an integration has stopped or gone stale.

Why on every page: a revoked key or a team that lost Enterprise stops the sync, and a
dashboard that silently shows last week's figures is worse than one that says so. The
Settings page already told admins; these banners tell everyone, in plain words, on
whatever page they look at. Three reasons, one banner per integration:

- ``key_invalid``    Cursor no longer accepts the key (revoked or deleted).
- ``not_enterprise`` the team is no longer on Enterprise, so the Admin API is closed.
- ``stale``          no successful sync for longer than :func:`stale_after` (three
  scheduled intervals, at least two hours), whatever the reason (a first backfill
  still running since less than a day is not stale).

Hooked into the layout as the template global ``integration_banners(request)``
(:func:`install`), so no route has to pass anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from fastapi import Request
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine

from devspend.store.integrations import Integration, Status
from devspend.sync.service import list_integrations

Reason = Literal["key_invalid", "not_enterprise", "stale"]
# a first backfill of a year at Cursor's rate limits may take hours: not stale meanwhile
FIRST_BACKFILL_GRACE = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class HealthBanner:
    """One integration that needs attention, and why, in words for anyone."""

    integration_id: int
    name: str
    reason: Reason
    text: str


def stale_after(interval_minutes: float) -> timedelta:
    """How long without a successful sync counts as stale: 3 intervals, at least 2 hours."""
    return max(timedelta(minutes=3 * interval_minutes), timedelta(hours=2))


def _ago(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    if hours < 48:
        return f"{max(1, round(hours))} hour{'s' if round(hours) != 1 else ''} ago"
    return f"{round(hours / 24)} days ago"


def banner_for(
    integration: Integration, *, now: datetime, interval_minutes: float
) -> HealthBanner | None:
    """The banner ``integration`` needs at ``now``, or None when it is healthy."""
    name = integration.name
    if integration.status == Status.KEY_INVALID:
        return HealthBanner(integration.id, name, "key_invalid",
                            f"Cursor no longer accepts the API key of {name} (it was revoked or "
                            "deleted), so its usage is not being updated. An admin needs to "
                            "replace the key; the data already imported stays.")  # fmt: skip
    if integration.status == Status.NOT_ENTERPRISE:
        return HealthBanner(integration.id, name, "not_enterprise",
                            f"{name} is no longer on a Cursor Enterprise plan, so Cursor's "
                            "Admin API is closed to it and its usage is not being updated. "
                            "The data already imported stays.")  # fmt: skip
    if integration.status == Status.DISCONNECTED:
        return None
    first_sync_running = (
        integration.last_sync_at is None and integration.status == Status.BACKFILLING
        and integration.last_attempt_at is not None
        and now - integration.last_attempt_at <= FIRST_BACKFILL_GRACE
    )  # fmt: skip
    since = integration.last_sync_at or integration.created_at
    if first_sync_running or now - since <= stale_after(interval_minutes):
        return None
    when = (f"last synced {_ago(now - since)}" if integration.last_sync_at
            else f"has not synced since it was connected {_ago(now - since)}")  # fmt: skip
    why = f" The last attempt said: {integration.status_message}" if (
        integration.status_message and integration.status != Status.OK
    ) else ""  # fmt: skip
    text = f"{name} {when}, so the figures for it may be out of date.{why}"
    return HealthBanner(integration.id, name, "stale", text)


def banners(engine: Engine, *, now: datetime, interval_minutes: float) -> list[HealthBanner]:
    """Every integration's banner that is due, in integration order."""
    with engine.connect() as conn:
        found = [banner_for(i, now=now, interval_minutes=interval_minutes)
                 for i in list_integrations(conn)]  # fmt: skip
    return [b for b in found if b is not None]


def request_banners(request: Request) -> list[HealthBanner]:
    """The banners for the page being rendered (signed-in visitors only)."""
    if getattr(request.state, "principal", None) is None:
        return []
    state = request.app.state
    return banners(state.engine, now=state.clock(),
                   interval_minutes=state.settings.sync_interval_minutes)  # fmt: skip


def install(templates: Jinja2Templates) -> None:
    """Make ``integration_banners(request)`` available to the layout template."""
    templates.env.globals["integration_banners"] = request_banners
