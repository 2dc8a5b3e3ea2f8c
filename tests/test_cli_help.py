"""Every command's --help is written for users: no developer notes leak into it."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from devspend.cli import build_app

DEVELOPER_WORDS = ("Module level", "registers this", "instead of a copy", "``")


@pytest.mark.parametrize("command", [["spend-report"], ["report", "spend"], ["reconcile"],
                                     ["integrations", "set"]])  # fmt: skip
def test_help_has_no_developer_comment(command: list[str]) -> None:
    result = CliRunner().invoke(build_app(), [*command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for words in DEVELOPER_WORDS:
        assert words not in result.output, (command, words)
