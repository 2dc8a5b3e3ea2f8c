"""Logs: one line per sync and per request error, text or JSON, never a key or password."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from devspend.logs import configure_logging, redact
from devspend.settings import Settings
from devspend.store.engine import make_engine
from devspend.sync import service
from sync_helpers import END_MS, VALID_KEY, fake_for, small_team
from web_support import build_env, client_for


@pytest.fixture
def json_log(settings: Settings) -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = configure_logging(settings.model_copy(update={"log_format": "json"}), stream=stream)
    try:
        yield stream
    finally:
        logging.getLogger().removeHandler(handler)


def _lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_one_json_line_per_sync_without_the_key(
    settings: Settings, engine: sa.Engine, json_log: io.StringIO
) -> None:
    fake = fake_for(small_team(members=2, days=3, history_days=3))
    with fake.transport() as transport:
        service.connect_cursor(engine, settings, api_key=VALID_KEY, team_name="Acme",
                               transport=transport, now_ms=END_MS)  # fmt: skip
    with fake.transport() as transport:
        env = build_env(settings, engine, transport=transport)
        env.app.state.sync_jobs.run_now(1)
        fake.valid_keys.discard(VALID_KEY)
        env.app.state.sync_jobs.run_now(1)
    syncs = [e for e in _lines(json_log) if e["logger"] == "devspend.web.sync_jobs"]
    assert [(e["integration_id"], e["trigger"], e["status"]) for e in syncs] == [
        (1, "manual", "ok"), (1, "manual", "key_invalid"),
    ]  # fmt: skip
    assert syncs[0]["events"] > 0  # type: ignore[operator]
    assert syncs[1]["level"] == "warning"
    assert VALID_KEY not in json_log.getvalue()


def test_one_line_per_request_error(settings: Settings, json_log: io.StringIO) -> None:
    env = build_env(settings, make_engine("postgresql://devspend@127.0.0.1:1/nothing"))
    with client_for(env.app) as client:
        assert client.get("/readyz").status_code == 503
        assert client.get("/healthz").status_code == 200
    errors = [e for e in _lines(json_log) if e["logger"] == "devspend.web.metrics"]
    assert [(e["method"], e["route"], e["status"]) for e in errors] == [("GET", "/readyz", 503)]
    assert errors[0]["level"] == "error"


def test_text_lines_and_secrets_are_masked_whatever_logs_them(settings: Settings) -> None:
    stream = io.StringIO()
    handler = configure_logging(settings, stream=stream)
    try:
        logging.getLogger("devspend.test").warning(
            "calling with key_%s, Authorization: Bearer %s and password=%s",
            "abcdef0123456789abcdef", "tok.en-value_123", "hunter2!",
        )  # fmt: skip
    finally:
        logging.getLogger().removeHandler(handler)
    line = stream.getvalue()
    assert "WARNING devspend.test: calling with key_[redacted]" in line
    for secret in ("abcdef0123456789abcdef", "tok.en-value_123", "hunter2"):
        assert secret not in line
    assert redact("key_hint key_…a1b2 stays") == "key_hint key_…a1b2 stays"
