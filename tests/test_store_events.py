"""The replace-a-range write path: idempotent, duplicates counted, revisions replace, old kept."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from devspend.store.dimensions import Dimensions
from devspend.store.events import StoredEvent, WindowWriter
from devspend.store.integrations import create_integration
from devspend.store.tables import usage_events
from sync_helpers import people_with_usage, stored_totals

DAY_MS = 86_400_000
T0 = 20_000 * DAY_MS  # 2024-10-04 00:00 UTC
DAY = date(2024, 10, 4)


def event(
    ts_ms: int, *, email: str = "ada@example.com", cents: int = 100, fp: str = ""
) -> StoredEvent:
    return StoredEvent(
        ts_ms=ts_ms, email=email, model="claude-4.5-sonnet", kind="Usage-based", max_mode=False,
        is_headless=False, is_token_based=True, is_chargeable=True, requests_costs_micros=1_000_000,
        input_tokens=10, output_tokens=5, cache_write_tokens=0, cache_read_tokens=0,
        total_ucents=cents * 1_000_000, charged_ucents=cents * 1_000_000, token_fee_ucents=0,
        fingerprint=fp or f"{ts_ms % 10**9}-{email[:2]}-{cents}", raw="{}",
    )  # fmt: skip


@pytest.fixture
def integration_id(engine: sa.Engine) -> int:
    with engine.begin() as conn:
        return create_integration(
            conn, display_name="Acme", api_key_encrypted=b"x", hint="key_…0001",
            history_start=None, capabilities={},
        )  # fmt: skip


def write(engine: sa.Engine, integration_id: int, events: list[StoredEvent], **kw: object) -> None:
    dims = Dimensions(integration_id)
    with WindowWriter(
        engine, integration_id=integration_id, start_ms=T0, end_ms=T0 + DAY_MS - 1,
        dimensions=dims, **kw,  # type: ignore[arg-type]
    ) as writer:  # fmt: skip
        writer.add(events)
        writer.commit()


def totals(engine: sa.Engine, integration_id: int) -> tuple[int, Decimal]:
    with engine.connect() as conn:
        t = stored_totals(conn, integration_id=integration_id, start=DAY, end=DAY)
        stored = conn.execute(sa.select(sa.func.count()).select_from(usage_events)).scalar_one()
    assert stored == t.events  # summaries always equal the events
    return t.events, t.charged_cents


def test_replaying_a_range_changes_nothing(engine: sa.Engine, integration_id: int) -> None:
    events = [event(T0 + i * 1000) for i in range(5)]
    write(engine, integration_id, events)
    write(engine, integration_id, events)
    assert totals(engine, integration_id) == (5, Decimal("500"))


def test_identical_events_both_count(engine: sa.Engine, integration_id: int) -> None:
    twin = event(T0 + 5000)
    write(engine, integration_id, [twin, twin, event(T0 + 6000)])
    write(engine, integration_id, [twin, twin, event(T0 + 6000)])
    assert totals(engine, integration_id) == (3, Decimal("300"))


def test_revised_event_replaces_old_form(engine: sa.Engine, integration_id: int) -> None:
    write(engine, integration_id, [event(T0 + 5000, cents=100)])
    write(engine, integration_id, [event(T0 + 5000, cents=250)])
    assert totals(engine, integration_id) == (1, Decimal("250"))


def test_empty_answer_for_forgotten_range_keeps_events(
    engine: sa.Engine, integration_id: int
) -> None:
    write(engine, integration_id, [event(T0 + 5000)])
    write(engine, integration_id, [], keep_if_empty=True)
    assert totals(engine, integration_id) == (1, Decimal("100"))
    write(engine, integration_id, [])  # inside the look-back an empty answer is the truth
    assert totals(engine, integration_id) == (0, Decimal("0"))


def test_spilled_batches_and_rollback(engine: sa.Engine, integration_id: int) -> None:
    write(engine, integration_id, [event(T0 + 1)])
    dims = Dimensions(integration_id)
    with WindowWriter(
        engine, integration_id=integration_id, start_ms=T0, end_ms=T0 + DAY_MS - 1,
        dimensions=dims, spill_rows=3,
    ) as writer:  # fmt: skip
        writer.add([event(T0 + i) for i in range(10, 20)])  # spills: transaction open
        # leaving without commit = crash mid-window: nothing of it may remain
    assert totals(engine, integration_id) == (1, Decimal("100"))
    write(engine, integration_id, [event(T0 + i) for i in range(10, 20)], spill_rows=3)
    assert totals(engine, integration_id) == (10, Decimal("1000"))


def test_the_people_view_reads_summaries(engine: sa.Engine, integration_id: int) -> None:
    write(engine, integration_id, [event(T0 + 1, email="bo@example.com", cents=7),
                                   event(T0 + 2, cents=3), event(T0 + 3, cents=3)])  # fmt: skip
    with engine.connect() as conn:
        rows = people_with_usage(conn, integration_id=integration_id, start=DAY, end=DAY)
    assert [(r.email, r.events, r.charged_cents) for r in rows] == [
        ("bo@example.com", 1, Decimal("7")),
        ("ada@example.com", 2, Decimal("6")),
    ]
    assert rows[0].top_model == "claude-4.5-sonnet"
    assert rows[0].usage_based_events == 1


def test_raw_json_with_escapes_round_trips(engine: sa.Engine, integration_id: int) -> None:
    raw = '{"model":"a\\\\b \\"c\\"","note":"tab\\there","é":"ü"}'
    write(engine, integration_id, [event(T0 + 1)._replace(raw=raw)])
    with engine.connect() as conn:
        assert conn.execute(sa.select(usage_events.c.raw)).scalar_one() == raw
