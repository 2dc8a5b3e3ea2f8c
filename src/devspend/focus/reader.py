"""Streaming FOCUS files: CSV, gzip CSV (by magic bytes) and Parquet, in fixed-size chunks.

A multi-GB month must not need multi-GB of memory, so every format yields chunks of
at most ``chunk_rows`` rows; a row is its source line (or Parquet row number) and its
cells in the order of :attr:`FocusSource.columns`, with ``""`` and ``NULL`` already
``None``. Cells stay a list (no per-row dict): the mapper picks them by position.
Anything that means "this is not a readable FOCUS file" raises FocusImportError; a
single unreadable row (wrong number of fields) is a row with an ``error`` instead.
"""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import pyarrow as pa
import pyarrow.parquet as pq

from devspend.errors import FocusImportError
from devspend.focus.columns import KNOWN_COLUMNS, canonical_column

if TYPE_CHECKING:
    from _csv import Reader as CsvReader

GZIP_MAGIC = b"\x1f\x8b"
PARQUET_MAGIC = b"PAR1"
DEFAULT_CHUNK_ROWS = 10_000
SUFFIXES = (".csv", ".csv.gz", ".gz", ".parquet", ".pq")
_NULLS = frozenset({"", "NULL", "null"})
_OTHER_DELIMITERS = {";": "semicolon", "\t": "tab", "|": "pipe"}


class SourceRow(NamedTuple):
    """One data row: where it came from (for error messages) and its cells, or why not.

    A NamedTuple, not a dataclass: millions are made per file and this is the cheap one.
    """

    line: int
    cells: Sequence[object]
    error: str | None = None


@dataclass(frozen=True)
class FocusSource:
    """An opened FOCUS file: its canonical columns and a one-shot iterator of row chunks."""

    path: Path
    columns: tuple[str, ...]
    chunks: Iterator[list[SourceRow]]


def input_files(paths: list[Path]) -> list[Path]:
    """The files to import from files and folders (folders: FOCUS-looking files, sorted)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith(SUFFIXES))
            )
        elif path.is_file():
            found.append(path)
        else:
            raise FocusImportError("no such file or folder", path=str(path))
    return found


def open_focus(path: Path, *, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> FocusSource:
    """Open ``path`` whatever its format (told by its first bytes, not its name)."""
    with path.open("rb") as probe:
        magic = probe.read(4)
    if magic.startswith(PARQUET_MAGIC):
        return _open_parquet(path, chunk_rows)
    return _open_csv(path, chunk_rows, gzipped=magic.startswith(GZIP_MAGIC))


def _open_parquet(path: Path, chunk_rows: int) -> FocusSource:
    try:
        parquet = pq.ParquetFile(path)
        names = list(parquet.schema_arrow.names)
    except (pa.ArrowException, OSError) as exc:
        raise FocusImportError(f"not a readable Parquet file ({exc})", path=str(path)) from exc
    columns = _checked_columns(names, path)
    return FocusSource(path, columns, _parquet_chunks(parquet, path, chunk_rows))


def _parquet_chunks(
    parquet: pq.ParquetFile, path: Path, chunk_rows: int
) -> Iterator[list[SourceRow]]:
    row_number = 0
    try:
        for batch in parquet.iter_batches(batch_size=chunk_rows):
            by_column = [_nulls_to_none(column.to_pylist()) for column in batch.columns]
            first = row_number + 1
            row_number += batch.num_rows
            yield [
                SourceRow(number, cells)
                for number, cells in enumerate(zip(*by_column, strict=True), start=first)
            ]
    except (pa.ArrowException, OSError) as exc:
        raise FocusImportError(
            f"Parquet file is truncated or corrupt after row {row_number} ({exc})", path=str(path)
        ) from exc


def _open_csv(path: Path, chunk_rows: int, *, gzipped: bool) -> FocusSource:
    # Closed by the chunk generator (or below on failure): the file outlives this call.
    binary: gzip.GzipFile | io.BufferedReader = (
        gzip.GzipFile(path, "rb") if gzipped else path.open("rb")
    )
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    reader = csv.reader(text, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        text.close()
        raise FocusImportError("the file is empty", path=str(path)) from None
    except (csv.Error, UnicodeDecodeError, OSError, EOFError, zlib.error) as exc:
        text.close()
        raise _csv_failure(exc, path, 1) from exc
    if len(header) == 1:
        _reject_other_delimiter(header[0], path)
    columns = _checked_columns(header, path)
    return FocusSource(path, columns, _csv_chunks(reader, text, path, len(columns), chunk_rows))


def _csv_chunks(
    reader: CsvReader,
    text: io.TextIOWrapper,
    path: Path,
    width: int,
    chunk_rows: int,
) -> Iterator[list[SourceRow]]:
    last_line = 1
    chunk: list[SourceRow] = []
    try:
        for cells in reader:
            line = last_line + 1
            last_line = reader.line_num
            if not cells:
                continue
            if cells[0].startswith("\ufeff"):
                cells[0] = cells[0].lstrip("\ufeff")
            if len(cells) != width:
                chunk.append(SourceRow(line, (), _width_error(len(cells), width)))
            else:
                chunk.append(SourceRow(line, [None if c in _NULLS else c for c in cells]))
            if len(chunk) >= chunk_rows:
                yield chunk
                chunk = []
        if chunk:
            yield chunk
    except (csv.Error, UnicodeDecodeError, OSError, EOFError, zlib.error) as exc:
        raise _csv_failure(exc, path, last_line + 1) from exc
    finally:
        text.close()


def _width_error(found: int, expected: int) -> str:
    return f"has {found} fields, the header has {expected} (truncated or misquoted row?)"


def _csv_failure(exc: Exception, path: Path, line: int) -> FocusImportError:
    if isinstance(exc, UnicodeDecodeError):
        reason = "the file is not UTF-8 text (binary garbage or a different encoding)"
    elif isinstance(exc, EOFError | zlib.error | gzip.BadGzipFile):
        reason = f"the gzip stream is truncated or corrupt ({exc})"
    elif "field larger than field limit" in str(exc):
        reason = (
            f"a field is longer than {csv.field_size_limit():,} characters: "
            "this is not a FOCUS CSV (or it is corrupted)"
        )
    elif "unexpected end of data" in str(exc):
        reason = "the file ends inside a quoted field: it is truncated"
    else:
        reason = f"unreadable CSV ({exc})"
    return FocusImportError(reason, path=str(path), line=line)


def _reject_other_delimiter(header: str, path: Path) -> None:
    for delimiter, name in _OTHER_DELIMITERS.items():
        if header.count(delimiter) >= 2:
            raise FocusImportError(
                f"the header is separated by {name}s ({delimiter!r}), not commas: FOCUS CSV "
                "files are comma-separated; re-export or convert the file",
                path=str(path),
                line=1,
            )


def _checked_columns(header: list[str], path: Path) -> tuple[str, ...]:
    columns = tuple(canonical_column(name) for name in header)
    duplicates = sorted({c for c in columns if columns.count(c) > 1})
    if duplicates:
        raise FocusImportError(
            f"duplicate columns {', '.join(duplicates)}", path=str(path), line=1
        )
    if not set(columns) & set(KNOWN_COLUMNS):
        raise FocusImportError(
            "no FOCUS columns in the header (expected e.g. BilledCost, ChargePeriodStart): "
            "not a FOCUS export, or a wrong delimiter",
            path=str(path),
            line=1,
        )
    return columns


def _nulls_to_none(values: list[object]) -> list[object]:
    return [
        None if isinstance(value, str) and value.strip() in _NULLS else value for value in values
    ]
