"""What schemathesis found: out-of-range days and ids are a 400/422, never a 500, and the
person's billing cycle start carries its UTC offset as its schema (date-time) says."""

from __future__ import annotations

import sqlalchemy as sa

from devspend.settings import Settings
from sync_helpers import connect_and_sync, fake_for, small_team
from web_support import ADMIN_EMAIL, build_env, signed_in


def test_out_of_range_days_and_ids_are_refused_not_crashed(
    settings: Settings, engine: sa.Engine
) -> None:
    env = build_env(settings, engine)
    with signed_in(env, ADMIN_EMAIL, "admin") as client:
        queries = ("end=0001-01-01", "start=0001-01-01&end=0001-01-28",
                   "integration=-11900845317326685339648000", "integration=4294967296")
        for query in queries:
            for path in ("/api/v1/models", "/api/v1/people", "/api/v1/overview"):
                response = client.get(f"{path}?{query}")
                assert response.status_code in (400, 422), (path, query, response.text)
        reconcile = client.get("/api/v1/reconcile?integration=-16367194775612489728")
        assert reconcile.status_code == 422


def test_the_cycle_start_is_an_aware_timestamp(settings: Settings, engine: sa.Engine) -> None:
    connect_and_sync(engine, settings, fake_for(small_team(members=3, days=20, history_days=20)),
                     days=20)  # fmt: skip
    env = build_env(settings, engine)
    with signed_in(env, ADMIN_EMAIL, "admin") as client:
        people = client.get("/api/v1/people?range=365d").json()["rows"]
        person = client.get(f"/api/v1/people/{people[0]['email']}?range=365d").json()
    assert person["cycle"] is not None
    assert person["cycle"]["cycle_start"].endswith(("Z", "+00:00"))
