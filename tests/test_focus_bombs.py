"""Hostile FOCUS files: gzip bombs, endless lines and blank-line floods are refused early.

Small caps keep these fast; ``bench/bench_focus_bomb.py`` measures peak RSS and CPU on
the full-size cases (a 2 GiB line, 1 MB of gzipped blank lines) with the defaults.
"""

from __future__ import annotations

import gzip
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from devspend.cli import build_app
from devspend.errors import FocusImportError
from devspend.focus.importer import import_focus
from devspend.focus.reader import ReadLimits, open_focus
from devspend.settings import Settings
from web_support import ADMIN_EMAIL, build_env, page_csrf, signed_in

HEADER = "BillingPeriodStart,ChargePeriodStart,ChargePeriodEnd,BilledCost,BillingCurrency,\
ProviderName,ServiceName\n"
GOOD_ROW = "2025-02-01,2025-02-01,2025-02-02,1.50,USD,AWS,EC2\n"


def _gzip_file(path: Path, *parts: bytes) -> Path:
    with gzip.open(path, "wb", compresslevel=9) as handle:
        for part in parts:
            handle.write(part)
    return path


def _random_rows(count: int) -> bytes:
    """Rows of varied costs: compresses like a real export (far below 100×)."""
    rng = random.Random(3)
    return "".join(
        f"2025-02-01,2025-02-01,2025-02-02,{rng.random():.10f},USD,AWS,EC2-{rng.getrandbits(40)}\n"
        for _ in range(count)
    ).encode()


def _rows(path: Path, limits: ReadLimits) -> int:
    source = open_focus(path, limits=limits)
    return sum(len(chunk) for chunk in source.chunks)


def test_one_endless_gzipped_line_is_refused_as_a_bomb(
    engine: sa.Engine, settings: Settings, tmp_path: Path
) -> None:
    bomb = _gzip_file(tmp_path / "bomb.csv.gz", HEADER.encode(), b"9" * (8 << 20))
    with pytest.raises(FocusImportError, match="decompression bomb") as caught:
        import_focus(engine, [bomb], settings=settings)
    assert "DEVSPEND_FOCUS_MAX_COMPRESSION_RATIO" in str(caught.value)


def test_with_the_ratio_cap_off_an_endless_line_still_stops_at_the_row_limit(
    tmp_path: Path,
) -> None:
    bomb = _gzip_file(tmp_path / "bomb.csv.gz", HEADER.encode(), b"9" * (8 << 20))
    limits = ReadLimits(max_ratio=10**9, max_row_chars=64 << 10)
    with pytest.raises(FocusImportError, match=r"bomb.csv.gz:2: a row is longer than 65,536"):
        _rows(bomb, limits)


def test_a_quoted_field_spanning_many_lines_counts_against_one_row(tmp_path: Path) -> None:
    path = tmp_path / "quoted.csv"
    path.write_text(HEADER + '2025-02-01,2025-02-01,2025-02-02,1,USD,AWS,"' + "x\n" * 50_000)
    with pytest.raises(FocusImportError, match="a row is longer than 65,536"):
        _rows(path, ReadLimits(max_row_chars=64 << 10))


def test_the_uncompressed_size_cap_refuses_a_large_ordinary_gzip(
    engine: sa.Engine, settings: Settings, tmp_path: Path
) -> None:
    path = _gzip_file(tmp_path / "big.csv.gz", HEADER.encode(), _random_rows(20_000))
    capped = settings.model_copy(update={"focus_max_uncompressed_mb": 1})
    with pytest.raises(FocusImportError, match=r"more than 1 MB.*UNCOMPRESSED_MB"):
        import_focus(engine, [path], settings=capped)
    report = import_focus(engine, [path], settings=settings)  # the default admits it
    assert report.rows == 20_000


def test_the_ratio_cap_is_a_setting(engine: sa.Engine, settings: Settings, tmp_path: Path) -> None:
    path = _gzip_file(tmp_path / "rows.csv.gz", HEADER.encode(), GOOD_ROW.encode() * 60_000)
    strict = settings.model_copy(update={"focus_max_compression_ratio": 5})
    with pytest.raises(FocusImportError, match="expands more than 5×"):
        import_focus(engine, [path], settings=strict)


def test_a_blank_line_flood_is_refused_not_imported_as_zero_rows(
    engine: sa.Engine, settings: Settings, tmp_path: Path
) -> None:
    flood = _gzip_file(tmp_path / "blank.csv.gz", HEADER.encode(), b"\n" * 200_000)
    lenient = settings.model_copy(update={"focus_max_compression_ratio": 10**6})
    with pytest.raises(FocusImportError, match="10,000 blank lines in a row"):
        import_focus(engine, [flood], settings=lenient)


def test_a_file_of_only_a_few_blank_lines_is_refused(
    engine: sa.Engine, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "blank.csv"
    path.write_text(HEADER + "\n\r\n\n")
    with pytest.raises(FocusImportError, match=r"only blank lines \(3\)"):
        import_focus(engine, [path], settings=settings)
    path.write_text(HEADER + "\n" + GOOD_ROW + "\n\n" + GOOD_ROW)  # stray blank lines are fine
    assert import_focus(engine, [path], settings=settings).rows == 2


def test_chunks_are_bounded_by_characters_too(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text(HEADER + GOOD_ROW.replace("EC2", "E" * 1000) * 100)
    source = open_focus(path, chunk_rows=10_000, limits=ReadLimits(chunk_chars=10_000))
    sizes = [len(chunk) for chunk in source.chunks]
    assert sum(sizes) == 100
    assert max(sizes) <= 10


def test_a_parquet_file_that_inflates_too_far_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.parquet"
    table = pa.table({"BilledCost": ["1"] * 2000, "ServiceName": ["x" * 5000] * 2000})
    pq.write_table(table, path, use_dictionary=False, compression="zstd")
    with pytest.raises(FocusImportError, match="Parquet file expands more than 100×"):
        open_focus(path)


def test_the_cli_refuses_a_bomb_with_one_clear_message(
    monkeypatch: pytest.MonkeyPatch, engine: sa.Engine, settings: Settings, tmp_path: Path
) -> None:
    monkeypatch.setenv("DEVSPEND_DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("DEVSPEND_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("DEVSPEND_SECRET_KEY", "x" * 32)
    bomb = _gzip_file(tmp_path / "bomb.csv.gz", HEADER.encode(), b"9" * (8 << 20))
    result = CliRunner().invoke(build_app(), ["import", "focus", str(bomb)])
    assert result.exit_code != 0
    assert isinstance(result.exception, FocusImportError)
    assert "decompression bomb" in str(result.exception)
    assert "Imported" not in result.output


def test_a_web_upload_of_a_bomb_is_refused_with_the_reason(
    settings: Settings, engine: sa.Engine, tmp_path: Path
) -> None:
    bomb = _gzip_file(tmp_path / "bomb.csv.gz", HEADER.encode(), b"9" * (8 << 20))
    env = build_env(settings, engine)
    with signed_in(env, ADMIN_EMAIL, "admin") as client:
        token = page_csrf(client, "/settings/cloud-costs")
        response = client.post(
            "/settings/cloud-costs/import", data={"csrf_token": token, "account_name": ""},
            files=[("files", ("bomb.csv.gz", bomb.read_bytes(), "application/gzip"))],
        )  # fmt: skip
    assert response.status_code == 400
    assert "decompression bomb" in response.text
    assert "bomb.csv.gz" in response.text


def _dictionary_parquet(path: Path, *, rows: int, value_chars: int) -> Path:
    """A Parquet file repeating one long dictionary value on every row (tiny on disk)."""
    service = pa.DictionaryArray.from_arrays(pa.array([0] * rows, pa.int32()),
                                             pa.array(["x" * value_chars]))  # fmt: skip
    table = pa.table({"BilledCost": pa.array(["1"] * rows).dictionary_encode(),
                      "ServiceName": service})  # fmt: skip
    pq.write_table(table, path)
    return path


def test_a_parquet_dictionary_bomb_is_refused(tmp_path: Path) -> None:
    path = _dictionary_parquet(tmp_path / "dict.parquet", rows=20_000, value_chars=20_000)
    assert path.stat().st_size < 200_000  # 400 MB of text behind it
    with pytest.raises(FocusImportError, match="Parquet file expands more than 1000×"):
        _rows(path, ReadLimits())


def test_parquet_rows_and_chunks_are_bounded_like_csv(tmp_path: Path) -> None:
    path = _dictionary_parquet(tmp_path / "long.parquet", rows=5, value_chars=100_000)
    with pytest.raises(FocusImportError, match="row 1 is longer than 65,536 characters"):
        _rows(path, ReadLimits(max_row_chars=64 << 10))
    path = _dictionary_parquet(tmp_path / "wide.parquet", rows=100, value_chars=1000)
    source = open_focus(path, limits=ReadLimits(chunk_chars=10_000))
    sizes = [len(chunk) for chunk in source.chunks]
    assert sum(sizes) == 100
    assert max(sizes) <= 10


def test_blank_lines_between_rows_still_count(tmp_path: Path) -> None:
    path = tmp_path / "sparse.csv"
    path.write_text(HEADER + ("\n" * 5_000 + GOOD_ROW) * 3)
    with pytest.raises(FocusImportError, match="10,001 blank lines and only 2 rows"):
        _rows(path, ReadLimits())
