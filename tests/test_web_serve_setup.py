"""``devspend serve`` on a fresh install prints a one-time link that creates the first admin
(Jupyter-style); the page refuses without it. A real server process on loopback."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import sqlalchemy as sa

from devspend.settings import Settings
from web_support import ADMIN_EMAIL, PASSWORD, csrf_of

LINK = re.compile(r"(http://127\.0\.0\.1:\d+/setup\?token=[A-Za-z0-9_-]+)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_prints_the_setup_link_and_only_it_opens_setup(
    settings: Settings, engine: sa.Engine, tmp_path: Path
) -> None:
    port = _free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DEVSPEND_")}
    env = {**clean, "PYTHONUNBUFFERED": "1", "DEVSPEND_DATA_DIR": str(tmp_path / "data"),
           "DEVSPEND_DATABASE_URL": settings.effective_database_url,
           "DEVSPEND_SECRET_KEY": "x" * 32}  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-c", "from devspend.cli import main; main()", "serve", "--port",
         str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        printed: list[str] = []
        deadline = time.monotonic() + 60
        link = None
        while link is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            assert line or process.poll() is None, "".join(printed)
            printed.append(line)
            if match := LINK.search(line):
                link = match.group(1)
        assert link is not None, "".join(printed)
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=10) as client:
            while True:  # the link is printed just before uvicorn binds
                try:
                    refused = client.get("/setup")
                    break
                except httpx.ConnectError:
                    assert time.monotonic() < deadline
                    time.sleep(0.1)
            assert refused.status_code == 403
            page = client.get(link)
            assert page.status_code == 200
            token = link.rsplit("=", 1)[1]
            created = client.post("/setup", data={
                "email": ADMIN_EMAIL, "password": PASSWORD, "password_again": PASSWORD,
                "csrf_token": csrf_of(page.text), "setup_token": token,
            })  # fmt: skip
            assert created.status_code == 303, created.text
            # the token is spent: setup is closed once a user exists
            assert client.get(link).status_code == 403
    finally:
        process.terminate()
        process.wait(20)
    with engine.connect() as conn:
        users = conn.execute(sa.text("select email, role from app_users")).all()
    assert [tuple(u) for u in users] == [(ADMIN_EMAIL, "admin")]
