"""Small builders shared by the sync/report tests: a fake team, its API, and ground truth."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from devspend.cursor.fake import FakeCursor, SyntheticTeam, Tally, serve_fake_cursor
from devspend.reports.filters import ReportFilter
from devspend.reports.models import ModelRow, build_models
from devspend.reports.people import PersonRow, build_people
from devspend.settings import Settings
from devspend.store.usage import Usage, UsageScope, usage_total
from devspend.sync import service
from devspend.sync.run import SyncResult

VALID_KEY = "key_test_valid_0001"
NOT_ENTERPRISE_KEY = "key_test_notent_0001"
END_MS = int(datetime(2026, 11, 20, 12, 34, 56, 789_000, tzinfo=UTC).timestamp() * 1000)
DAY_MS = 86_400_000


def small_team(**overrides: Any) -> SyntheticTeam:
    """8 people, ~2.5 events each per day, a year of data the API still shows (364 days)."""
    params: dict[str, Any] = {
        "seed": 11, "members": 8, "end_ms": END_MS, "days": 365,
        "events_per_member_day": 2.5, "history_days": 364, "duplicate_rate": 0.02,
    }  # fmt: skip
    params.update(overrides)
    return SyntheticTeam(**params)


def fake_for(team: SyntheticTeam, **overrides: Any) -> FakeCursor:
    params: dict[str, Any] = {
        "team": team, "valid_keys": {VALID_KEY}, "not_enterprise_keys": {NOT_ENTERPRISE_KEY},
        "minute_seconds": 0.05,
    }  # fmt: skip
    params.update(overrides)
    return FakeCursor(**params)


@contextmanager
def served(fake: FakeCursor, settings: Settings) -> Iterator[Settings]:
    """The fake on a real loopback socket, and settings pointing at it."""
    with serve_fake_cursor(fake) as base_url:
        yield settings.model_copy(update={"cursor_base_url": base_url})


def tally_fields(t: Tally) -> dict[str, Any]:
    """The figures a ``users``/``models`` report row must reproduce exactly."""
    return {
        "events": t.events,
        "input_tokens": t.input_tokens,
        "output_tokens": t.output_tokens,
        "cache_write_tokens": t.cache_write_tokens,
        "cache_read_tokens": t.cache_read_tokens,
        "total_cents": Decimal(t.total_cents),
        "charged_cents": Decimal(t.charged_cents),
        "cursor_token_fee_cents": Decimal(t.cursor_token_fee),
        "requests_costs": Decimal(t.requests_costs),
        "max_mode_events": t.max_mode_events,
        "headless_events": t.headless_events,
    }


def row_fields(row: Any) -> dict[str, Any]:
    """The same figures from a report row (dataclass or JSON dict)."""
    get = row.get if isinstance(row, dict) else (lambda k: getattr(row, k))
    out = {}
    for key in ("events", "input_tokens", "output_tokens", "cache_write_tokens",
                "cache_read_tokens", "max_mode_events", "headless_events"):  # fmt: skip
        out[key] = int(get(key))
    for key in ("total_cents", "charged_cents", "cursor_token_fee_cents", "requests_costs"):
        out[key] = Decimal(str(get(key)))
    return out


def connect_and_sync(
    engine: sa.Engine, settings: Settings, fake: FakeCursor, *, days: int
) -> SyncResult:
    """Connect ``fake``'s team with the valid key and backfill ``days``, in-process, at END_MS.

    Each call gets a fresh transport: the client closes the one it is given.
    """
    with fake.transport() as transport:
        connected = service.connect_cursor(
            engine, settings, api_key=VALID_KEY, team_name="Acme", transport=transport,
            now_ms=END_MS,
        )  # fmt: skip
    with fake.transport() as transport:
        synced = service.run_sync(
            engine, settings, integration_id=connected.integration_id, days=days,
            transport=transport, now_ms=END_MS,
        )  # fmt: skip
    assert synced.events > 0
    return synced


def stored_totals(
    conn: sa.Connection, *, start: date, end: date, integration_id: int | None = None
) -> Usage:
    """Every stored figure of a period, read as the reports read it."""
    return usage_total(conn, UsageScope(start=start, end=end, integration_id=integration_id))


def people_with_usage(
    conn: sa.Connection, *, start: date, end: date, integration_id: int | None = None
) -> list[PersonRow]:
    """The People view's rows of the people who used Cursor in the period."""
    flt = ReportFilter("custom", start, end, integration_id)
    return [r for r in build_people(conn, flt).rows if r.events]


def models_with_usage(conn: sa.Connection, *, start: date, end: date) -> list[ModelRow]:
    return build_models(conn, ReportFilter("custom", start, end)).rows
