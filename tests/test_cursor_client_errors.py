"""CursorClient against tiny hand-written servers on loopback, for what the fake never does.

Each test scripts the responses of a minimal Starlette app (400s, a server echoing
the key, endless 500s, a repeated page, a hang) and checks the client's mapping to
devspend's error tree, its retries, and that the key never leaks.
"""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from devspend.cursor.client import CursorClient, RetryPolicy
from devspend.cursor.clock import FakeClock
from devspend.cursor.endpoints import get_spend, iter_usage_events, list_members
from devspend.cursor.fake.server import serve_asgi
from devspend.errors import (
    CursorAuthError,
    CursorPlanError,
    CursorProtocolError,
    CursorRequestError,
    CursorUnavailableError,
)

KEY = "key_test_valid_0001"
Handler = Callable[[Request, dict[str, Any]], Response]


class Quirks:
    """A scripted server: ``handler(request, json_body)`` answers every call; calls are logged."""

    def __init__(self) -> None:
        self.handler: Handler = lambda _r, _b: JSONResponse({})
        self.calls: list[tuple[str, str, dict[str, Any]]] = []

    async def endpoint(self, request: Request) -> Response:
        body = await request.json() if request.method == "POST" else {}
        self.calls.append((request.method, request.url.path, body))
        return self.handler(request, body)

    def app(self) -> Starlette:
        return Starlette(
            routes=[Route("/{path:path}", self.endpoint, methods=["GET", "POST", "PUT", "DELETE"])]
        )


@pytest.fixture(scope="module")
def quirks() -> Iterator[tuple[Quirks, str]]:
    q = Quirks()
    with serve_asgi(q.app(), log_level="error") as url:
        yield q, url


@pytest.fixture
def server(quirks: tuple[Quirks, str]) -> Iterator[tuple[Quirks, FakeClock, CursorClient]]:
    q, url = quirks
    q.calls.clear()
    clock = FakeClock()
    policy = RetryPolicy(max_attempts=3, max_rate_limited_attempts=5)
    with CursorClient(api_key=KEY, base_url=url, clock=clock, retry=policy, timeout=2.0) as c:
        yield q, clock, c


def status(code: int, message: str, headers: dict[str, str] | None = None) -> Handler:
    return lambda _r, _b: JSONResponse({"error": "x", "message": message}, code, headers=headers)


def test_401_explains_the_usual_causes_and_never_shows_the_key(
    server: tuple[Quirks, FakeClock, CursorClient], caplog: pytest.LogCaptureFixture
) -> None:
    q, _, client = server
    q.handler = status(401, f"Invalid API key {KEY}")
    caplog.set_level(logging.DEBUG)
    with pytest.raises(CursorAuthError) as info:
        list_members(client)
    assert "key_" in str(info.value)  # "it starts with 'key_'"
    assert "Team Admin" in str(info.value)
    assert KEY not in str(info.value)
    assert KEY not in caplog.text
    assert KEY not in repr(client)
    assert len(q.calls) == 1  # not retried


def test_403_says_enterprise_plan(server: tuple[Quirks, FakeClock, CursorClient]) -> None:
    q, _, client = server
    q.handler = status(403, "Enterprise access required")
    with pytest.raises(CursorPlanError, match="Enterprise"):
        list_members(client)


def test_400_is_reported_as_a_devspend_bug_with_cursors_words(
    server: tuple[Quirks, FakeClock, CursorClient],
) -> None:
    q, _, client = server
    q.handler = status(400, "Date range cannot exceed 30 days")
    with pytest.raises(CursorRequestError) as info:
        list(iter_usage_events(client, start_ms=0, end_ms=10))
    assert "bug in devspend" in str(info.value)
    assert "Date range cannot exceed 30 days" in str(info.value)


def test_endless_500s_end_in_unavailable_naming_endpoint_and_reason(
    server: tuple[Quirks, FakeClock, CursorClient], caplog: pytest.LogCaptureFixture
) -> None:
    q, clock, client = server
    q.handler = status(500, f"An unexpected error occurred near {KEY}")
    with pytest.raises(CursorUnavailableError) as info:
        list_members(client)
    message = str(info.value)
    assert "/teams/members" in message
    assert "HTTP 500 An unexpected error occurred" in message
    assert info.value.endpoint == "/teams/members"
    assert KEY not in message
    assert KEY not in caplog.text
    assert len(q.calls) == 3
    assert len([s for s in clock.sleeps if s > 0.3]) >= 2  # backed off between attempts


def test_a_server_echoing_the_auth_header_does_not_leak_the_key(
    server: tuple[Quirks, FakeClock, CursorClient], caplog: pytest.LogCaptureFixture
) -> None:
    q, _, client = server
    q.handler = lambda r, _b: JSONResponse({"message": f"bad {r.headers['authorization']}"}, 502)
    caplog.set_level(logging.DEBUG)
    encoded = base64.b64encode(f"{KEY}:".encode()).decode()
    with pytest.raises(CursorUnavailableError) as info:
        list_members(client)
    assert "HTTP 502 bad Basic ***" in str(info.value)
    assert encoded not in str(info.value)
    assert encoded not in caplog.text


def test_429_waits_exactly_retry_after_then_succeeds(
    server: tuple[Quirks, FakeClock, CursorClient],
) -> None:
    q, clock, client = server
    answers = iter(
        [status(429, "Rate limit exceeded", {"Retry-After": "2.5"}),
         status(429, "Rate limit exceeded", {"Retry-After": "7"})]
    )  # fmt: skip

    def handler(request: Request, body: dict[str, Any]) -> Response:
        nxt = next(answers, None)
        if nxt is not None:
            return nxt(request, body)
        return JSONResponse({"teamMembers": [{"id": 1, "email": "a@b"}]})

    q.handler = handler
    assert [m.email for m in list_members(client)] == ["a@b"]
    assert [s for s in clock.sleeps if s in (2.5, 7.0)] == [2.5, 7.0]
    assert client.stats.rate_limited["/teams/members"] == 2


def test_a_huge_retry_after_is_capped_by_the_policy(
    server: tuple[Quirks, FakeClock, CursorClient],
) -> None:
    q, clock, client = server
    answers = iter([status(429, "Rate limit exceeded", {"Retry-After": "3600"})])

    def handler(request: Request, body: dict[str, Any]) -> Response:
        nxt = next(answers, None)
        if nxt is not None:
            return nxt(request, body)
        return JSONResponse({"teamMembers": []})

    q.handler = handler
    list_members(client)
    assert max(clock.sleeps) == client.retry.retry_after_cap_seconds == 120.0


def test_write_endpoints_are_refused_before_the_network(
    server: tuple[Quirks, FakeClock, CursorClient],
) -> None:
    q, _, client = server
    for method, path in [
        ("POST", "/teams/user-spend-limit"),
        ("POST", "/teams/remove-member"),
        ("DELETE", "/teams/members"),
        ("GET", "/teams/filtered-usage-events"),
        ("PUT", "/settings/repo-blocklists/repos"),
    ]:
        with pytest.raises(CursorRequestError, match="only reads"):
            client.request(method, path, body={})
    assert q.calls == []


def test_a_server_ignoring_page_numbers_is_caught_not_looped(
    server: tuple[Quirks, FakeClock, CursorClient],
) -> None:
    q, _, client = server
    q.handler = lambda _r, _b: JSONResponse(
        {"teamMemberSpend": [{"email": "a@b", "spendCents": 1}], "totalPages": 5}
    )
    with pytest.raises(CursorProtocolError, match="repeats"):
        get_spend(client)
    assert len(q.calls) == 2


def test_events_always_page_one_is_caught(server: tuple[Quirks, FakeClock, CursorClient]) -> None:
    q, _, client = server
    q.handler = lambda _r, _b: JSONResponse(
        {"usageEvents": [{"timestamp": "1"}], "totalUsageEventsCount": 3,
         "pagination": {"currentPage": 1, "numPages": 3, "hasNextPage": True}}
    )  # fmt: skip
    with pytest.raises(CursorProtocolError, match="asked for page 2"):
        list(iter_usage_events(client, start_ms=0, end_ms=10, page_size=1))


def test_a_non_json_200_is_a_protocol_error(server: tuple[Quirks, FakeClock, CursorClient]) -> None:
    q, _, client = server
    q.handler = lambda _r, _b: Response("<html>proxy login</html>", 200)
    with pytest.raises(CursorProtocolError, match="not JSON"):
        list_members(client)


def test_requests_carry_basic_auth_with_an_empty_password(
    server: tuple[Quirks, FakeClock, CursorClient],
) -> None:
    q, _, client = server
    seen: list[str] = []

    def handler(request: Request, _b: dict[str, Any]) -> Response:
        seen.append(request.headers["authorization"])
        return JSONResponse({"teamMembers": []})

    q.handler = handler
    list_members(client)

    assert seen == ["Basic " + base64.b64encode(f"{KEY}:".encode()).decode()]


def test_a_hung_server_times_out_and_is_retried(quirks: tuple[Quirks, str]) -> None:
    q, url = quirks
    q.calls.clear()
    hung = {"n": 0}

    def handler(_r: Request, _b: dict[str, Any]) -> Response:
        hung["n"] += 1
        if hung["n"] == 1:
            time.sleep(0.5)  # blocks this server's loop: the client gives up first
        return JSONResponse({"teamMembers": [{"email": "a@b"}]})

    q.handler = handler
    clock = FakeClock()
    with CursorClient(api_key=KEY, base_url=url, clock=clock, timeout=0.2) as client:
        assert len(list_members(client)) == 1
        assert client.stats.retried["/teams/members"] >= 1


def test_rate_limits_and_errors_have_separate_budgets(
    server: tuple[Quirks, FakeClock, CursorClient],
) -> None:
    q, _, client = server  # budgets: 3 attempts for errors, 5 for 429s
    script = iter([429, 429, 429, 429, 500, 500])

    def handler(_r: Request, _b: dict[str, Any]) -> Response:
        code = next(script, 200)
        if code != 200:
            return JSONResponse({"message": "busy"}, code)
        return JSONResponse({"teamMembers": [{"email": "a@b"}]})

    q.handler = handler
    assert len(list_members(client)) == 1
    assert len(q.calls) == 7
