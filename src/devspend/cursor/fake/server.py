"""The fake API on a real loopback socket: uvicorn in a background thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from devspend.cursor.fake.app import create_fake_app
from devspend.cursor.fake.fake import FakeCursor


@contextmanager
def serve_fake_cursor(
    fake: FakeCursor, *, host: str = "127.0.0.1", port: int = 0, log_level: str = "critical"
) -> Iterator[str]:
    """Serve ``fake`` until the block ends; yields the base URL (port 0 picks a free port).

    Errors are logged at ``critical`` only by default, because dropped connections
    are made by raising inside the app and uvicorn would log each one.
    """
    config = uvicorn.Config(
        create_fake_app(fake), host=host, port=port, log_level=log_level, lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="fake-cursor-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
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
