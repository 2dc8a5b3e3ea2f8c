"""A synchronous httpx transport that runs an ASGI app in-process.

devspend's Cursor client is synchronous; this drives the (async) fake app on an
event loop in a background thread, so tests need neither sockets nor a server.
A connection the app "drops" becomes :class:`httpx.RemoteProtocolError`, and a
response slower than the client's read timeout becomes :class:`httpx.ReadTimeout`,
exactly as over a real socket.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading

import httpx
from starlette.types import ASGIApp


class ConnectionDropped(Exception):
    """Raised by the fake app to close the connection without a complete response."""


class InProcessTransport(httpx.BaseTransport):
    """Sends each request to an ASGI app on a private event loop thread."""

    def __init__(self, app: ASGIApp) -> None:
        self._asgi = httpx.ASGITransport(app=app)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="fake-cursor-transport", daemon=True
        )
        self._thread.start()
        self._closed = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Run one request through the app and return its buffered response."""
        if self._closed:
            raise httpx.ConnectError("transport is closed", request=request)
        body = request.read()
        future = asyncio.run_coroutine_threadsafe(self._call(request, body), self._loop)
        timeout = request.extensions.get("timeout", {}).get("read")
        try:
            status, headers, content = future.result(timeout=timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise httpx.ReadTimeout("fake Cursor took too long", request=request) from None
        except ConnectionDropped:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a complete response", request=request
            ) from None
        return httpx.Response(status, headers=headers, content=content, request=request)

    async def _call(
        self, request: httpx.Request, body: bytes
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        inner = httpx.Request(request.method, request.url, headers=request.headers, content=body)
        response = await self._asgi.handle_async_request(inner)
        content = await response.aread()
        return response.status_code, response.headers.raw, content

    def close(self) -> None:
        """Stop the loop thread (idempotent)."""
        if self._closed:
            return
        self._closed = True
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()
