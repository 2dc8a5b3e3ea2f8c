"""Streaming FOCUS files: CSV, gzip CSV (by magic bytes) and Parquet, in fixed-size chunks.

A multi-GB month must not need multi-GB of memory, so every format yields chunks of
at most ``chunk_rows`` rows; a row is its source line (or Parquet row number) and its
cells in the order of :attr:`FocusSource.columns`, with ``""`` and ``NULL`` already
``None``. Cells stay a list (no per-row dict): the mapper picks them by position.
Anything that means "this is not a readable FOCUS file" raises FocusImportError; a
single unreadable row (wrong number of fields) is a row with an ``error`` instead.

Memory is bounded by construction, whatever the file holds (:class:`ReadLimits`): CSV
is read a bounded line at a time (a row longer than ``max_row_chars`` is refused before
it is buffered, so a 2 GiB line never is), a chunk holds at most ``chunk_chars`` of text,
a gzip stream is refused as soon as it inflates past ``max_uncompressed_bytes`` or more
than ``max_ratio`` times the compressed bytes read so far (a gzip bomb), and a run of
``max_blank_run`` blank lines, more than that many blank lines in all when they outnumber
the rows, or a file of nothing but blank lines is refused instead of being read to its
end and reported as an import of 0 rows.
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

from devspend.errors import FocusImportError
from devspend.focus.columns import KNOWN_COLUMNS, canonical_column
from devspend.settings import Settings

if TYPE_CHECKING:
    from _csv import Reader as CsvReader

    from _typeshed import WriteableBuffer

GZIP_MAGIC = b"\x1f\x8b"
PARQUET_MAGIC = b"PAR1"
DEFAULT_CHUNK_ROWS = 10_000
SUFFIXES = (".csv", ".csv.gz", ".gz", ".parquet", ".pq")
CHUNK_CHARS = 8 << 20
MAX_ROW_CHARS = 1 << 20
MAX_BLANK_RUN = 10_000
PARQUET_BATCH_ROWS = 2048
RATIO_GRACE_BYTES = 256 << 10
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
class ReadLimits:
    """How much one file may make the reader hold or inflate (see the module docstring).

    ``max_ratio`` only applies after ``ratio_grace_bytes`` inflated bytes, so a tiny,
    very compressible file is never refused for its ratio.
    """

    max_uncompressed_bytes: int = 16 << 30
    max_ratio: int = 100
    max_row_chars: int = MAX_ROW_CHARS
    max_blank_run: int = MAX_BLANK_RUN
    chunk_chars: int = CHUNK_CHARS
    ratio_grace_bytes: int = RATIO_GRACE_BYTES

    @classmethod
    def from_settings(cls, settings: Settings) -> ReadLimits:
        """The limits an operator configured (``DEVSPEND_FOCUS_MAX_*``)."""
        return cls(
            max_uncompressed_bytes=settings.focus_max_uncompressed_mb << 20,
            max_ratio=settings.focus_max_compression_ratio,
        )


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


def open_focus(
    path: Path, *, chunk_rows: int = DEFAULT_CHUNK_ROWS, limits: ReadLimits | None = None
) -> FocusSource:
    """Open ``path`` whatever its format (told by its first bytes, not its name)."""
    limits = limits or ReadLimits()
    with path.open("rb") as probe:
        magic = probe.read(4)
    if magic.startswith(PARQUET_MAGIC):
        from devspend.focus.parquet_reader import open_parquet  # pyarrow only when needed

        return open_parquet(path, chunk_rows, limits)
    return _open_csv(path, chunk_rows, limits, gzipped=magic.startswith(GZIP_MAGIC))


def _inflate_problem(inflated: int, compressed: int, limits: ReadLimits) -> str | None:
    """Why ``inflated`` bytes from ``compressed`` are refused as a possible bomb, if they are."""
    if inflated > limits.max_uncompressed_bytes:
        return (
            f"decompresses to more than {limits.max_uncompressed_bytes >> 20:,} MB "
            "(DEVSPEND_FOCUS_MAX_UNCOMPRESSED_MB): refused as a possible decompression bomb; "
            "split the export into smaller files or raise the limit"
        )
    if inflated > limits.ratio_grace_bytes and inflated > limits.max_ratio * max(compressed, 1):
        return (
            f"expands more than {limits.max_ratio}× when decompressed "
            "(DEVSPEND_FOCUS_MAX_COMPRESSION_RATIO): refused as a possible decompression bomb; "
            "a real FOCUS export does not compress that well"
        )
    return None


class _InflateGuard(io.RawIOBase):
    """A gzip stream that refuses to inflate past the size and ratio limits.

    Checked on every read, so a bomb is stopped after at most one read buffer beyond
    the limit, long before its content reaches the CSV parser.
    """

    def __init__(self, path: Path, limits: ReadLimits) -> None:
        super().__init__()
        self._path = path
        self._limits = limits
        self._file = path.open("rb")
        self._gzip = gzip.GzipFile(fileobj=self._file, mode="rb")
        self.inflated = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        count = self._gzip.readinto(buffer)
        self.inflated += count
        problem = _inflate_problem(self.inflated, self._file.tell(), self._limits)
        if problem:
            raise FocusImportError(f"the gzip file {problem}", path=str(self._path))
        return count

    def close(self) -> None:
        if not self.closed:
            self._gzip.close()
            self._file.close()
        super().close()


class _LineFeed:
    """Physical lines for ``csv.reader``, never more than ``max_row_chars`` per record.

    ``readline(n)`` stops after ``n`` characters, so an endless line costs at most the
    limit before it is refused; the budget spans the lines of one record (a quoted
    field may hold newlines) and is reset by the reader after each record.
    """

    def __init__(self, text: io.TextIOWrapper, path: Path, max_row_chars: int) -> None:
        self._text = text
        self._path = path
        self._max = max_row_chars
        self.used = 0
        self.lines = 0

    def __iter__(self) -> _LineFeed:
        return self

    def __next__(self) -> str:
        asked = self._max - self.used + 1
        line = self._text.readline(asked)
        if not line:
            raise StopIteration
        self.lines += 1
        self.used += len(line)
        if len(line) >= asked:
            raise FocusImportError(
                f"a row is longer than {self._max:,} characters: this is not a FOCUS CSV "
                "(or it is corrupted)",
                path=str(self._path),
                line=self.lines,
            )
        return line

    def record_done(self) -> int:
        """Start the next record's budget; return the characters the last one used."""
        used, self.used = self.used, 0
        return used


def _open_csv(path: Path, chunk_rows: int, limits: ReadLimits, *, gzipped: bool) -> FocusSource:
    # Closed by the chunk generator (or below on failure): the file outlives this call.
    binary: io.BufferedReader = (
        io.BufferedReader(_InflateGuard(path, limits), 1 << 16) if gzipped else path.open("rb")
    )
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    feed = _LineFeed(text, path, limits.max_row_chars)
    reader = csv.reader(feed, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        text.close()
        raise FocusImportError("the file is empty", path=str(path)) from None
    except (csv.Error, UnicodeDecodeError, OSError, EOFError, zlib.error) as exc:
        text.close()
        raise _csv_failure(exc, path, 1) from exc
    except FocusImportError:
        text.close()
        raise
    feed.record_done()
    if len(header) == 1:
        _reject_other_delimiter(header[0], path)
    columns = _checked_columns(header, path)
    chunks = _csv_chunks(reader, feed, text, path, len(columns), chunk_rows, limits)
    return FocusSource(path, columns, chunks)


def _csv_chunks(
    reader: CsvReader,
    feed: _LineFeed,
    text: io.TextIOWrapper,
    path: Path,
    width: int,
    chunk_rows: int,
    limits: ReadLimits,
) -> Iterator[list[SourceRow]]:
    last_line = 1
    chunk: list[SourceRow] = []
    chunk_chars = 0
    blank_run = blanks = rows = 0
    try:
        for cells in reader:
            line = last_line + 1
            last_line = reader.line_num
            chunk_chars += feed.record_done()
            if not cells:
                blanks += 1
                blank_run += 1
                if blank_run >= limits.max_blank_run:
                    raise FocusImportError(
                        f"{blank_run:,} blank lines in a row: this is not a FOCUS CSV "
                        "(or it is corrupted)",
                        path=str(path),
                        line=line,
                    )
                if blanks > limits.max_blank_run and blanks > rows:
                    raise FocusImportError(
                        f"{blanks:,} blank lines and only {rows:,} rows: this is not a FOCUS "
                        "CSV (or it is corrupted)",
                        path=str(path),
                        line=line,
                    )
                continue
            blank_run = 0
            rows += 1
            if cells[0].startswith("\ufeff"):
                cells[0] = cells[0].lstrip("\ufeff")
            if len(cells) != width:
                chunk.append(SourceRow(line, (), _width_error(len(cells), width)))
            else:
                chunk.append(SourceRow(line, [None if c in _NULLS else c for c in cells]))
            if len(chunk) >= chunk_rows or chunk_chars >= limits.chunk_chars:
                yield chunk
                chunk = []
                chunk_chars = 0
        if chunk:
            yield chunk
        if blanks and not rows:
            raise FocusImportError(
                f"the file has only blank lines ({blanks:,}) after its header: no cost rows",
                path=str(path),
            )
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
