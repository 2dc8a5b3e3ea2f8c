"""The one CSV writer for every CSV devspend emits (reports, ``/people.csv``, FOCUS export).

Why one writer: member names, emails, model names and team names come from outside
(Cursor, allocations files, cloud bills). A spreadsheet opening a CSV runs any cell that
starts with ``=``, ``+``, ``-`` or ``@`` as a formula (``=HYPERLINK(…)``, ``+cmd|' /C
calc'!A0``, ``-2+3+cmd|…``), and a leading TAB or CR hides such a prefix from a naive
check. Every text cell that starts with one of those characters is written with a
leading apostrophe (``'=HYPERLINK(…)``), which spreadsheets show as text and never run.

Numbers stay numbers: typed numbers (``int``, ``Decimal``) are written as plain decimals
and are never altered, and a text cell that *is* a plain decimal number (``-12.5``,
``-3``, ``1e-3`` is not) is left as it is, so negative amounts in reports and FOCUS
exports (credits, refunds) stay numeric and FOCUS stays valid FOCUS.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TextIO

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
LINE_TERMINATOR = "\n"


def neutralise(text: str) -> str:
    """``text`` as a cell no spreadsheet runs as a formula (plain numbers left as they are)."""
    if text.startswith(FORMULA_PREFIXES) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def cell_text(value: object) -> str:
    """One value as CSV text: empty for None, exact decimals, ISO dates, neutralised text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return neutralise(str(value))


def _quoted(text: str) -> str:
    # Hand-rolled because the csv module does not quote a lone CR when the line
    # terminator is "\n" (it writes a broken row); RFC 4180 quoting otherwise.
    if any(ch in text for ch in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_line(row: Sequence[object]) -> str:
    """One CSV record (with its line terminator), every cell through :func:`cell_text`."""
    cells = [_quoted(cell_text(v)) for v in row]
    if cells == [""]:
        return '""' + LINE_TERMINATOR  # a lone empty cell, not a blank line
    return ",".join(cells) + LINE_TERMINATOR


class CsvWriter:
    """Writes a header and rows to a text stream, every cell through :func:`cell_text`."""

    def __init__(self, out: TextIO, header: Sequence[str]) -> None:
        self._out = out
        out.write(csv_line(header))
        self.rows = 0

    def write(self, row: Sequence[object]) -> None:
        """Write one row (same order as the header)."""
        self._out.write(csv_line(row))
        self.rows += 1


def write_csv(out: TextIO, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Stream ``header`` and ``rows`` to ``out``; return the number of data rows."""
    writer = CsvWriter(out, header)
    for row in rows:
        writer.write(row)
    return writer.rows


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """The whole CSV as one string (small outputs: CLI reports, one page of people)."""
    buffer = io.StringIO()
    write_csv(buffer, header, rows)
    return buffer.getvalue()


def csv_chunks(
    header: Sequence[str], rows: Iterable[Sequence[object]], *, rows_per_chunk: int = 1000
) -> Iterator[str]:
    """The CSV as text chunks, for a streaming HTTP response of a large export."""
    buffer = io.StringIO()
    writer = CsvWriter(buffer, header)
    for row in rows:
        writer.write(row)
        if writer.rows % rows_per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
