"""Let one injected httpx transport serve many short-lived Cursor clients.

Each sync and key check opens (and closes) its own ``CursorClient``; closing a
client closes its transport. An injected transport (the fake Cursor in tests and
the demo) belongs to whoever passed it in, so the app hands clients this wrapper,
whose ``close`` leaves the real transport open.
"""

from __future__ import annotations

import httpx


class SharedTransport(httpx.BaseTransport):
    """Delegates requests to ``inner`` and ignores ``close`` (the owner closes ``inner``)."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self._inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._inner.handle_request(request)

    def close(self) -> None:
        """Deliberately nothing: the transport outlives every client that borrows it."""


def shared(transport: httpx.BaseTransport | None) -> httpx.BaseTransport | None:
    return None if transport is None else SharedTransport(transport)
