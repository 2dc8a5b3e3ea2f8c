"""Fuzz every ``/api/v1`` route with schemathesis against a real ``devspend serve``.

    .venv/bin/python bench/bench_api_fuzz.py                        # full run
    .venv/bin/python bench/bench_api_fuzz.py --max-examples 5 --phases examples,coverage

Seeds a fresh SQLite store in a temporary data dir the way a real install would get
it: a fake Cursor team (``--members`` people, ``--days`` of usage) connected and synced
in-process, a seat price, an admin and a read-only API token. Its scheduled sync is
claimed a year ahead, so the server never calls out. Then ``devspend serve`` runs on a
loopback port and the schemathesis CLI tests every ``/api/v1`` operation of the
served OpenAPI document, authenticated with the token, with the checks
``not_a_server_error`` (no 5xx) and ``response_schema_conformance`` (every response
matches the schema the document declares) plus ``--extra-checks``. Prints
schemathesis's summary and the wall time; exit status is schemathesis's, so
``tests/test_api_fuzz.py`` runs a bounded version of this very script in CI.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from devspend.cursor.fake import FakeCursor, SyntheticTeam
from devspend.settings import load_settings
from devspend.store.engine import open_database
from devspend.store.schedule import claim_due
from devspend.sync import service
from devspend.web import identity

KEY = "key_fake_fuzz_0001"
SECRET = "f" * 32
CHECKS = "not_a_server_error,response_schema_conformance"


def seed(data_dir: Path, *, members: int, days: int) -> str:
    """A synced store in ``data_dir``; returns a read-only API token for it."""
    settings = load_settings(data_dir=data_dir, secret_key=SECRET, cursor_rpm=100000,
                             cursor_events_rpm=100000, backfill_days=days)  # fmt: skip
    now = datetime.now(UTC)
    team = SyntheticTeam(seed=5, members=members, days=days, history_days=days,
                         end_ms=int(now.timestamp() * 1000))  # fmt: skip
    fake = FakeCursor(team=team, valid_keys={KEY}, minute_seconds=0.01)
    engine = open_database(settings.effective_database_url)
    try:
        with fake.transport() as transport:
            integration = service.connect_cursor(
                engine, settings, api_key=KEY, team_name="Fuzz & Co", transport=transport
            )
        with fake.transport() as transport:
            service.run_sync(engine, settings, integration_id=integration.integration_id,
                             days=days, transport=transport)  # fmt: skip
        service.set_seat_price(engine, integration_id=integration.integration_id, dollars=40)
        claim_due(engine, integration_id=integration.integration_id, now=now,
                  interval=timedelta(days=365), owner="fuzz seed")  # fmt: skip
        admin = identity.add_user(engine, email="admin@example.com", password="fuzz password 1",
                                  role="admin", now=now)  # fmt: skip
        return identity.create_token(engine, name="fuzz", created_by=admin.id, now=now).token
    finally:
        engine.dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(data_dir: Path) -> Iterator[str]:
    """``devspend serve`` on a free loopback port until the block ends; yields its URL."""
    port = _free_port()
    env = {**os.environ, "DEVSPEND_DATA_DIR": str(data_dir), "DEVSPEND_SECRET_KEY": SECRET,
           "DEVSPEND_CURSOR_BASE_URL": "http://127.0.0.1:9"}  # fmt: skip
    env.pop("DEVSPEND_DATABASE_URL", None)
    cli = Path(sys.executable).with_name("devspend")
    process = subprocess.Popen([str(cli), "serve", "--port", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"devspend serve exited with {process.returncode}")
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("devspend serve did not become ready")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def fuzz(url: str, token: str, *, max_examples: int, phases: str, checks: str,
         seed_value: int, workers: int) -> int:  # fmt: skip
    """Run the schemathesis CLI over every /api/v1 operation; return its exit status."""
    cli = Path(sys.executable).with_name("schemathesis")
    command = [
        str(cli), "run", f"{url}/api/openapi.json", "--url", url,
        "--header", f"Authorization: Bearer {token}",
        "--include-path-regex", "^/api/v1/", "--checks", checks,
        "--max-examples", str(max_examples), "--phases", phases, "--workers", str(workers),
        "--seed", str(seed_value), "--request-timeout", "30", "--no-color",
        "--suppress-health-check", "too_slow,filter_too_much",
    ]  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="devspend-fuzz-cwd-") as cwd:  # its cache dir
        return subprocess.run(command, check=False, cwd=cwd).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=12)
    parser.add_argument("--days", type=int, default=40)
    parser.add_argument("--max-examples", type=int, default=100, help="per operation and phase")
    parser.add_argument("--phases", default="examples,coverage,fuzzing,stateful")
    parser.add_argument("--extra-checks", default="", help="e.g. all (more than the contract)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    checks = CHECKS + (f",{args.extra_checks}" if args.extra_checks else "")
    with tempfile.TemporaryDirectory(prefix="devspend-fuzz-") as folder:
        started = time.perf_counter()
        token = seed(Path(folder), members=args.members, days=args.days)
        seeded = time.perf_counter() - started
        with serving(Path(folder)) as url:
            began = time.perf_counter()
            status = fuzz(url, token, max_examples=args.max_examples, phases=args.phases,
                          checks=checks, seed_value=args.seed, workers=args.workers)  # fmt: skip
            fuzzed = time.perf_counter() - began
    print(f"seeded in {seeded:.1f}s; fuzzed in {fuzzed:.1f}s "
          f"(max {args.max_examples} examples, phases {args.phases}, checks {checks}); "
          f"exit {status}")  # fmt: skip
    return status


if __name__ == "__main__":
    sys.exit(main())
