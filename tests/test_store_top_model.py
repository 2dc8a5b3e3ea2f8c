"""Each person's top model is ranked in SQL: most usage value, then most events, then the
model name in code-point order (as Python orders text: "Zeta" before "alpha"), on both
engines (a PostgreSQL database with a linguistic collation would sort "alpha" first)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from devspend.store.integrations import create_integration
from devspend.store.person_scope import PeopleFilter
from devspend.store.tables import models, people, usage_daily_detail
from devspend.store.usage import UsageScope, top_model_by_person

DAY = date(2026, 11, 10)


def _row(person: int, model: int, *, charged: int, events: int) -> dict[str, object]:
    return {
        "integration_id": 1, "day": DAY, "person_id": person, "model_id": model, "kind_id": 1,
        "max_mode": False, "events": events, "charged_ucents": charged,
    }  # fmt: skip


def test_top_model_ranks_value_then_events_then_name_by_code_point(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        create_integration(conn, display_name="T", api_key_encrypted=b"-", hint="key_…0000",
                           history_start=DAY, capabilities={})  # fmt: skip
        conn.execute(models.insert(), [{"id": 1, "name": "alpha"}, {"id": 2, "name": "Zeta"},
                                       {"id": 3, "name": "beta"}])  # fmt: skip
        conn.execute(people.insert(), [
            {"id": i, "integration_id": 1, "email": f"p{i}@example.com"} for i in (1, 2, 3, 4)
        ])  # fmt: skip
        conn.execute(usage_daily_detail.insert(), [
            _row(1, 1, charged=5, events=1), _row(1, 2, charged=9, events=1),  # value wins
            _row(2, 1, charged=5, events=3), _row(2, 3, charged=5, events=2),  # then events
            _row(3, 1, charged=5, events=2), _row(3, 2, charged=5, events=2),  # then name
            _row(4, 3, charged=1, events=1),
        ])  # fmt: skip
    scope = UsageScope(start=DAY, end=DAY)
    with engine.connect() as conn:
        assert top_model_by_person(conn, scope, person_ids_=[1, 2, 3]) == {1: 2, 2: 1, 3: 2}
        narrowed = UsageScope(start=DAY, end=DAY, people=PeopleFilter(email="p3@example.com"))
        assert top_model_by_person(conn, narrowed, person_ids_=[1, 2, 3, 4]) == {3: 2}
        assert top_model_by_person(conn, scope, person_ids_=[]) == {}
