"""A database that cannot be opened is one plain line naming what to check, exit status 1.

Run as a real process (the console script's ``main``), since the point is what a person
sees in their terminal: no traceback, no password from the URL.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# as in tests/conftest.py; importing it from "conftest" can pick up tests/browser/conftest.py
POSTGRES_URL_ENV = "DEVSPEND_TEST_POSTGRES_URL"

MAIN = "from devspend.cli import main; main()"


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DEVSPEND_")}
    return subprocess.run(
        [sys.executable, "-c", MAIN, *args], env={**clean, **env}, capture_output=True,
        text=True, timeout=60, check=False,
    )  # fmt: skip


def _assert_one_plain_line(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


@pytest.mark.parametrize("command", [["serve", "--port", "1"], ["report", "users"]])
def test_closed_port(command: list[str], tmp_path: Path) -> None:
    url = "postgresql://devspend:hunter2secret@127.0.0.1:1/devspend"
    result = _run(command, DEVSPEND_DATABASE_URL=url, DEVSPEND_DATA_DIR=str(tmp_path))
    _assert_one_plain_line(result, "127.0.0.1:1/devspend", "refused", "DEVSPEND_DATABASE_URL")
    assert "hunter2secret" not in result.stderr


@pytest.mark.parametrize("command", [["serve", "--port", "1"], ["report", "users"]])
def test_missing_postgres_database(command: list[str], tmp_path: Path) -> None:
    base = os.environ.get(POSTGRES_URL_ENV)
    if not base:
        pytest.skip(f"needs {POSTGRES_URL_ENV}")
    url = base.rsplit("/", 1)[0] + "/devspend_no_such_database"
    result = _run(command, DEVSPEND_DATABASE_URL=url, DEVSPEND_DATA_DIR=str(tmp_path))
    _assert_one_plain_line(result, "devspend_no_such_database", "does not exist",
                           "DEVSPEND_DATABASE_URL")  # fmt: skip


@pytest.mark.parametrize("command", [["serve", "--port", "1"], ["report", "users"]])
def test_unwritable_data_dir(command: list[str], tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = _run(command, DEVSPEND_DATA_DIR=str(blocker / "data"))
    _assert_one_plain_line(result, str(blocker / "data"), "DEVSPEND_DATA_DIR")
