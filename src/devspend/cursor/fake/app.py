"""The fake Cursor Admin API as an ASGI app: routing, auth, rate limits, faults, errors.

Checks run in the real API's order: unknown path (404) or method (405), key (401),
plan (403), rate limit (429), then injected faults, then the request itself (400).
Every request, including write-endpoint attempts, lands in ``fake.request_log``.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from devspend.cursor.fake import ai_code, billing, daily, endpoints
from devspend.cursor.fake.transport import ConnectionDropped
from devspend.cursor.fake.validation import BadRequest

if TYPE_CHECKING:
    from devspend.cursor.fake.fake import FakeCursor

Handler = Callable[["FakeCursor", Mapping[str, Any]], Any]


@dataclass(frozen=True, slots=True)
class Route:
    """A read endpoint: its rate-limit bucket, method and handler."""

    name: str
    method: str
    handler: Handler
    conditional: bool = False
    """AI Code Tracking: ETag + If-None-Match → 304, free of rate limit; own plan gate."""


def read_routes() -> dict[str, Route]:
    """The read endpoints devspend may call, by path."""
    return {
        "/teams/members": Route("members", "GET", endpoints.members),
        "/teams/daily-usage-data": Route("daily-usage-data", "POST", daily.daily_usage),
        "/teams/filtered-usage-events": Route(
            "filtered-usage-events", "POST", endpoints.usage_events
        ),
        "/teams/spend": Route("spend", "POST", billing.spend),
        "/teams/groups": Route("groups", "GET", billing.groups),
        "/analytics/ai-code/commits": Route(
            "ai-code-commits", "GET", ai_code.commits, conditional=True
        ),
        "/analytics/ai-code/changes": Route(
            "ai-code-changes", "GET", ai_code.changes, conditional=True
        ),
    }


def _error(
    status: int, error: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    body = json.dumps({"error": error, "message": message})
    return Response(body, status_code=status, media_type="application/json", headers=headers)


UNAUTHORIZED = (401, "Unauthorized", "Invalid API key")
FORBIDDEN = (403, "Forbidden", "Enterprise access required")
RATE_LIMITED = (429, "Too Many Requests", "Rate limit exceeded. Please try again later.")
NO_AI_CODE_401 = (
    401, "Unauthorized", "You must be a member of an enterprise team to access this resource"
)
SERVER_ERROR = (500, "Internal Server Error", "An unexpected error occurred")
BAD_GATEWAY = (502, "Bad Gateway", "Bad gateway")


def basic_auth_key(header: str | None) -> str | None:
    """The username of an HTTP Basic ``Authorization`` header (Cursor's key), if any."""
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    return decoded.split(":", 1)[0]


def etag_of(body: str) -> str:
    """A strong, quoted ETag: a hash of the body, so equal data gives an equal tag."""
    return '"' + hashlib.blake2b(body.encode(), digest_size=12).hexdigest() + '"'


CACHE_HEADERS = {"Cache-Control": "public, max-age=900"}


def retry_after(seconds: float) -> str:
    """``Retry-After`` value: whole seconds, or a decimal below one second (compressed clocks)."""
    if seconds >= 1:
        return str(math.ceil(seconds))
    return f"{seconds:.3f}"


class FakeCursorApp:
    """The ASGI callable; all state lives in the shared :class:`FakeCursor`."""

    def __init__(self, fake: FakeCursor) -> None:
        self.fake = fake
        self.routes = read_routes()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        path = request.url.path.rstrip("/") or "/"
        method = request.method
        response = await self._respond(request, path, method)
        if response is None:
            self.fake.log(method, path, 0)
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", b"4096"),
                    ],
                }
            )
            raise ConnectionDropped(f"fault injection dropped {method} {path}")
        self.fake.log(method, path, response.status_code)
        await response(scope, receive, send)

    async def _respond(self, request: Request, path: str, method: str) -> Response | None:
        route = self.routes.get(path)
        if route is None:
            return _error(404, "Not Found", f"Cannot {method} {path}")
        if method != route.method:
            return _error(405, "Method Not Allowed", f"Cannot {method} {path}")
        key = basic_auth_key(request.headers.get("authorization"))
        if key in self.fake.not_enterprise_keys:
            return _error(*FORBIDDEN)
        if key is None or key not in self.fake.valid_keys:
            return _error(*UNAUTHORIZED)
        if route.conditional:
            if not self.fake.ai_code_enabled:
                return _error(*(NO_AI_CODE_401 if self.fake.ai_code_denial == 401 else FORBIDDEN))
            sent = request.headers.get("if-none-match")
            if sent:  # answered before the rate limit: Cursor does not count 304s
                try:
                    current = etag_of(self._body(route, dict(request.query_params)))
                except BadRequest as exc:
                    return _error(400, "Bad Request", str(exc))
                if current in {t.strip().removeprefix("W/") for t in sent.split(",")}:
                    return Response(status_code=304, headers={"ETag": current, **CACHE_HEADERS})
        wait = self.fake.limiter.acquire(route.name)
        if wait is not None:
            headers = {"Retry-After": retry_after(wait)} if self.fake.send_retry_after else None
            return _error(*RATE_LIMITED, headers=headers)
        plan = self.fake.faults.next_plan()
        if plan.delay_seconds:
            await asyncio.sleep(plan.delay_seconds)
        if plan.drop:
            return None
        if plan.status == 429:
            wait = self.fake.minute_seconds / self.fake.limiter.limit_for(route.name)
            headers = {"Retry-After": retry_after(wait)} if self.fake.send_retry_after else None
            return _error(*RATE_LIMITED, headers=headers)
        if plan.status is not None:
            return _error(*(SERVER_ERROR if plan.status == 500 else BAD_GATEWAY))
        try:
            params = await self._params(request, method)
            body = self._body(route, params)
        except BadRequest as exc:
            return _error(400, "Bad Request", str(exc))
        headers = {"ETag": etag_of(body), **CACHE_HEADERS} if route.conditional else None
        return Response(body, media_type="application/json", headers=headers)

    def _body(self, route: Route, params: Mapping[str, Any]) -> str:
        payload = route.handler(self.fake, params)
        return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)

    @staticmethod
    async def _params(request: Request, method: str) -> Mapping[str, Any]:
        if method == "GET":
            return dict(request.query_params)
        raw = await request.body()
        if not raw.strip():
            return {}
        try:
            body = json.loads(raw)
        except ValueError:
            raise BadRequest("Request body is not valid JSON") from None
        if not isinstance(body, dict):
            raise BadRequest("Request body must be a JSON object")
        return body


def create_fake_app(fake: FakeCursor) -> ASGIApp:
    """An ASGI app serving ``fake``; several apps over one fake share its state."""
    return FakeCursorApp(fake)
