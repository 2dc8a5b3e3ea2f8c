"""Reading FOCUS files: formats by magic bytes, BOMs, nulls, chunks, and clear refusals."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from devspend.errors import FocusImportError
from devspend.focus.reader import input_files, open_focus

HEADER = "BilledCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,BillingAccountId,Tags\n"
ROW = '1.50,USD,2025-01-01 00:00:00,2025-01-02 00:00:00,001234567890,"{""owner"": ""a""}"\n'


def _rows(path: Path, chunk_rows: int = 10) -> list[dict[str, object]]:
    source = open_focus(path, chunk_rows=chunk_rows)
    return [
        dict(zip(source.columns, row.cells, strict=True)) for chunk in source.chunks
        for row in chunk
    ]  # fmt: skip


def test_ids_stay_strings_and_null_spellings_become_none(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(HEADER + "NULL,USD,2025-01-01,2025-01-02,001234567890,\n")
    [row] = _rows(path)
    assert row["BillingAccountId"] == "001234567890"
    assert row["BilledCost"] is None
    assert row["Tags"] is None


def test_bom_in_header_and_repeated_bom_on_first_data_row_are_stripped(tmp_path: Path) -> None:
    path = tmp_path / "azure.csv"
    path.write_bytes(("\ufeff" + HEADER + "\ufeff" + ROW).encode())
    source = open_focus(path)
    assert source.columns[0] == "BilledCost"
    [row] = [r.cells for chunk in source.chunks for r in chunk]
    assert row[0] == "1.50"


def test_gzip_is_detected_by_magic_bytes_not_name(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"  # gzip content behind a .csv name
    path.write_bytes(gzip.compress((HEADER + ROW * 3).encode()))
    assert len(_rows(path)) == 3


def test_chunks_are_bounded_and_lines_are_source_lines(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    multiline = '2,USD,2025-01-01,2025-01-02,1,"{""note"": ""two\nlines""}"\n'
    path.write_text(HEADER + ROW * 5 + multiline + ROW)
    source = open_focus(path, chunk_rows=2)
    chunks = list(source.chunks)
    assert [len(c) for c in chunks] == [2, 2, 2, 1]
    lines = [row.line for chunk in chunks for row in chunk]
    assert lines == [2, 3, 4, 5, 6, 7, 9]


def test_parquet_is_read_in_batches_with_types(tmp_path: Path) -> None:
    path = tmp_path / "gcp.parquet"
    table = pa.table(
        {
            "BilledCost": pa.array(["1.5", "2.5", "3.5"]).cast(pa.decimal128(10, 2)),
            "billingcurrency": ["USD"] * 3,
            "ChargePeriodStart": ["2025-01-01T00:00:00Z"] * 3,
            "ChargePeriodEnd": ["2025-01-02T00:00:00Z"] * 3,
            "Tags": pa.array(
                [[("owner", "a")], [], None], type=pa.map_(pa.string(), pa.string())
            ),
        }
    )
    pq.write_table(table, path)
    source = open_focus(path, chunk_rows=2)
    assert "BillingCurrency" in source.columns
    chunks = list(source.chunks)
    assert [len(c) for c in chunks] == [2, 1]
    first = dict(zip(source.columns, chunks[0][0].cells, strict=True))
    assert str(first["BilledCost"]) == "1.50"
    assert first["Tags"] == [("owner", "a")]


def test_folders_are_walked_for_focus_files(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    for name in ("b.csv", "sub/a.csv.gz", "c.parquet", "notes.txt"):
        (tmp_path / name).write_bytes(b"x")
    found = [p.relative_to(tmp_path).as_posix() for p in input_files([tmp_path])]
    assert found == ["b.csv", "c.parquet", "sub/a.csv.gz"]


def test_missing_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FocusImportError, match="no such file"):
        input_files([tmp_path / "nope.csv"])


@pytest.mark.parametrize(("delimiter", "name"), [(";", "semicolon"), ("\t", "tab")])
def test_wrong_delimiter_is_named(tmp_path: Path, delimiter: str, name: str) -> None:
    path = tmp_path / "eu.csv"
    path.write_text((HEADER + ROW).replace(",", delimiter))
    with pytest.raises(FocusImportError, match=name):
        open_focus(path)


def test_a_file_without_focus_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("name,amount\nx,1\n")
    with pytest.raises(FocusImportError, match="no FOCUS columns"):
        open_focus(path)


def test_a_50_mb_single_line_is_refused_without_reading_it_as_data(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    path.write_bytes(b"A" * (50 * 1024 * 1024))
    with pytest.raises(FocusImportError, match="longer than"):
        open_focus(path)


def test_a_50_mb_line_after_the_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    path.write_bytes((HEADER + ROW).encode() + b'"' + b"A" * (50 * 1024 * 1024) + b'"\n')
    with pytest.raises(FocusImportError, match=r"huge.csv:3: .*longer than"):
        _rows(path)


def test_truncated_gzip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cut.csv.gz"
    data = gzip.compress((HEADER + ROW * 2000).encode())
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(FocusImportError, match="gzip stream is truncated"):
        _rows(path)


def test_file_ending_inside_a_quoted_field_is_truncated(tmp_path: Path) -> None:
    path = tmp_path / "cut.csv"
    path.write_text(HEADER + ROW + '1,USD,2025-01-01,2025-01-02,1,"{""own')
    with pytest.raises(FocusImportError, match="truncated"):
        _rows(path)


def test_binary_garbage_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "garbage.csv"
    path.write_bytes(HEADER.encode() + b"\xff\xfe\x00garbage,\x81\x82\n")
    with pytest.raises(FocusImportError, match="not UTF-8"):
        _rows(path)


def test_truncated_parquet_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cut.parquet"
    pq.write_table(pa.table({"BilledCost": ["1"] * 100}), path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 20])
    with pytest.raises(FocusImportError, match="Parquet"):
        _rows(path)
