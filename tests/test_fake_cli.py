"""``devspend fake-cursor``: prints a working base URL and key."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from devspend.cli import build_app


def test_fake_cursor_command_serves_and_prints_url_and_key() -> None:
    result = CliRunner().invoke(
        build_app(),
        ["fake-cursor", "--port", "0", "--members", "4", "--days", "5",
         "--key", "key_test_cli_0001", "--exit-after", "0.3"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert re.search(r"http://127\.0\.0\.1:\d+", result.output)
    assert "key_test_cli_0001" in result.output
