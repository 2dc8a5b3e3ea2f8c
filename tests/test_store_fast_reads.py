"""Reads ranked or narrowed in SQL give what a plain walk would: each person's top model
(most usage value, then most events, then the model name in code-point order as Python
orders text: "Zeta" before "alpha" — a PostgreSQL database with a linguistic collation
would sort "alpha" first), and people with usage and their spend read through the month
split."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from devspend.store.integrations import create_integration
from devspend.store.outcome import spend_by_person, spend_by_person_day
from devspend.store.person_scope import PeopleFilter
from devspend.store.rankings import top_model_by_person
from devspend.store.seats import people_with_usage
from devspend.store.summaries import recompute_monthly
from devspend.store.tables import models, people, usage_daily_detail, usage_daily_user
from devspend.store.usage import UsageScope

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


def test_people_and_spend_read_through_the_month_split_match_their_days(
    engine: sa.Engine,
) -> None:
    """Whole months are read from the monthly summary, the edges from days: the same people
    and per-person spend as a walk over every day row, for periods that start and end
    mid-month or not."""
    days = [date(2026, 9, 28), date(2026, 10, 5), date(2026, 10, 31), date(2026, 11, 2)]
    with engine.begin() as conn:
        create_integration(conn, display_name="T", api_key_encrypted=b"-", hint="key_…0000",
                           history_start=days[0], capabilities={})  # fmt: skip
        conn.execute(people.insert(), [
            {"id": i, "integration_id": 1, "email": f"p{i}@example.com"} for i in (1, 2, 3, 4)
        ])  # fmt: skip
        conn.execute(usage_daily_user.insert(), [
            {"integration_id": 1, "day": day, "person_id": person, "events": events,
             "charged_ucents": 1000 * events + person, "chargeable_ucents": 7 * events}
            for day, person, events in ((days[0], 1, 2), (days[1], 2, 1), (days[2], 3, 4),
                                        (days[3], 1, 1), (days[1], 4, 0))
        ])  # fmt: skip
        recompute_monthly(conn, integration_id=1, first=days[0], last=days[-1])
    periods = [(date(2026, 9, 1), date(2026, 11, 30)), (date(2026, 9, 29), date(2026, 11, 1)),
               (date(2026, 10, 1), date(2026, 10, 31)), (date(2026, 10, 6), date(2026, 11, 2))]
    with engine.connect() as conn:
        for start, end in periods:
            direct = {int(p) for p in conn.execute(
                sa.select(usage_daily_user.c.person_id).where(
                    usage_daily_user.c.day >= start, usage_daily_user.c.day <= end,
                    usage_daily_user.c.events > 0)).scalars()}  # fmt: skip
            assert people_with_usage(conn, start=start, end=end) == direct, (start, end)
            assert people_with_usage(conn, start=start, end=end, person_ids=[1, 4]) == (
                direct & {1, 4})
            for emails in (None, ["P1@example.com", "p3@example.com"]):
                per_day = spend_by_person_day(conn, start=start, end=end, emails=emails)
                added: dict[str, tuple[int, int]] = {}
                for (email, _day), (value, billed) in per_day.items():
                    old = added.get(email, (0, 0))
                    added[email] = (old[0] + value, old[1] + billed)
                assert spend_by_person(conn, start=start, end=end, emails=emails) == added
        assert people_with_usage(conn, start=periods[2][0], end=periods[2][1]) == {2, 3}
