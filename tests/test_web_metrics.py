"""``/metrics``: off by default, token-protected or open, Prometheus text with status,
sync counters (429s included), month money and HTTP requests by route, no people."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from devspend.cursor.fake import FakeCursor, FaultConfig
from devspend.settings import Settings
from devspend.sync import service
from devspend.web import identity
from focus_usage import USAGE, insert_usage
from sync_helpers import END_MS, VALID_KEY, fake_for, small_team
from web_support import WebEnv, build_env, client_for

FEB_10 = datetime(2025, 2, 10, 12, 0, tzinfo=UTC)


def _samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text) for s in family.samples
    }  # fmt: skip


def _value(samples: dict, metric: str, /, **labels: str) -> float:
    return samples[(metric, frozenset(labels.items()))]


def test_metrics_are_off_by_default(settings: Settings, engine: sa.Engine) -> None:
    env = build_env(settings, engine)
    with client_for(env.app) as client:
        assert client.get("/metrics").status_code == 404


def test_token_mode_needs_an_api_token(settings: Settings, engine: sa.Engine) -> None:
    env = build_env(settings, engine, metrics="token")
    token = identity.create_token(engine, name="prometheus", created_by=None, now=env.clock())
    with client_for(env.app) as client:
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"Authorization": "Bearer nope"}).status_code == 401
        ok = client.get("/metrics", headers={"Authorization": f"Bearer {token.token}"})
    assert ok.status_code == 200
    assert ok.headers["content-type"].startswith("text/plain")


def test_month_money_per_integration_and_no_people(settings: Settings, engine: sa.Engine) -> None:
    insert_usage(engine)  # January 31 and February 1, 2025
    env = build_env(settings, engine, metrics="open", now=FEB_10)
    with client_for(env.app) as client:
        client.get("/healthz")
        text = client.get("/metrics").text
    samples = _samples(text)
    ident = {"integration": "1", "name": "Acme AI"}
    # February: Bob's 4¢ is chargeable; Alice's included event carries 4.2¢ chargedCents
    assert _value(samples, "devspend_month_on_demand_dollars", **ident) == pytest.approx(0.04)
    assert _value(samples, "devspend_month_usage_value_dollars", **ident) == pytest.approx(0.082)
    assert _value(samples, "devspend_month_cost_dollars", **ident) == pytest.approx(0.04)
    assert _value(samples, "devspend_integration_status", **ident, status="ok") == 1
    assert _value(samples, "devspend_integration_status", **ident, status="key_invalid") == 0
    assert _value(samples, "devspend_http_requests_total", method="GET", route="/healthz",
                  status="200") == 1  # fmt: skip
    assert _value(samples, "devspend_http_request_duration_seconds_count", method="GET",
                  route="/healthz") == 1  # fmt: skip
    for usage in USAGE:
        assert usage.email.lower() not in text.lower()


@pytest.fixture
def synced(settings: Settings, engine: sa.Engine) -> Iterator[tuple[WebEnv, TestClient]]:
    fake: FakeCursor = fake_for(small_team(members=2, days=3, history_days=3))
    with fake.transport() as transport:
        service.connect_cursor(engine, settings, api_key=VALID_KEY, team_name="Acme",
                               transport=transport, now_ms=END_MS)  # fmt: skip
    with fake.transport() as transport:
        env = build_env(settings, engine, transport=transport, metrics="open")
        fake.set_faults(FaultConfig(script=(429, 429)))
        state = env.app.state.sync_jobs.run_now(1)
        assert state.result is not None, state.error
        assert state.result.ok
        with client_for(env.app) as client:
            yield env, client


def test_sync_counters_and_429s(synced: tuple[WebEnv, TestClient]) -> None:
    env, client = synced
    result = env.app.state.sync_jobs.state(1).result
    samples = _samples(client.get("/metrics").text)
    ident = {"integration": "1", "name": "Acme"}
    assert _value(samples, "devspend_syncs_total", **ident, outcome="ok") == 1
    assert _value(samples, "devspend_sync_events_total", **ident) == result.events > 0
    assert _value(samples, "devspend_sync_windows_total", **ident) == result.windows
    assert _value(samples, "devspend_sync_rate_limited_total", **ident) == 2
    assert _value(samples, "devspend_sync_errors_total", **ident) == 0
    age = _value(samples, "devspend_integration_last_sync_age_seconds", **ident)
    assert age == age  # a number once synced (NaN before)
