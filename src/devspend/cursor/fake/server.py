"""The fake API on a real loopback socket: uvicorn in a background thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.types import ASGIApp

from devspend.cursor.fake.app import create_fake_app
from devspend.cursor.fake.fake import FakeCursor

STARTUP_SECONDS = 10.0


@contextmanager
def serve_asgi(
    app: ASGIApp, *, host: str = "127.0.0.1", port: int = 0, log_level: str = "critical"
) -> Iterator[str]:
    """Serve any ASGI app until the block ends; yields its base URL (port 0: a free port).

    Also used by tests that need a hand-scripted server; fails fast rather than
    hanging when the server cannot start (port taken, bad host).
    """
    config = uvicorn.Config(app, host=host, port=port, log_level=log_level, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="fake-cursor-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"fake Cursor server did not start on {host}:{port}")
        time.sleep(0.01)
    bound_port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://{host}:{bound_port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def serve_fake_cursor(
    fake: FakeCursor, *, host: str = "127.0.0.1", port: int = 0, log_level: str = "critical"
) -> Iterator[str]:
    """Serve ``fake`` until the block ends; yields the base URL (port 0 picks a free port).

    Errors are logged at ``critical`` only by default, because dropped connections
    are made by raising inside the app and uvicorn would log each one.
    """
    with serve_asgi(create_fake_app(fake), host=host, port=port, log_level=log_level) as url:
        yield url
