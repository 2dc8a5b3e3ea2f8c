"""Parquet FOCUS files in bounded chunks: the declared sizes are checked against the same
limits as gzip (:class:`~devspend.focus.reader.ReadLimits`), repeated text stays
dictionary-encoded in memory, and rows and chunks are bounded like CSV's.

Imported only when a file is Parquet, so the CLI does not load pyarrow for CSV.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from devspend.errors import FocusImportError
from devspend.focus.reader import (
    PARQUET_BATCH_ROWS,
    FocusSource,
    ReadLimits,
    SourceRow,
    _checked_columns,
    _inflate_problem,
    _nulls_to_none,
)


def open_parquet(path: Path, chunk_rows: int, limits: ReadLimits) -> FocusSource:
    try:
        schema = pq.read_schema(path)
        texts = [f.name for f in schema if pa.types.is_string(f.type)
                 or pa.types.is_large_string(f.type)]  # fmt: skip
        # text stays dictionary-encoded in memory: a value repeated on every row is held once
        parquet = pq.ParquetFile(path, read_dictionary=texts)
        names = list(parquet.schema_arrow.names)
        metadata = parquet.metadata
        inflated = sum(
            metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups)
        )
    except (pa.ArrowException, OSError) as exc:
        raise FocusImportError(f"not a readable Parquet file ({exc})", path=str(path)) from exc
    problem = _inflate_problem(inflated, path.stat().st_size, limits)
    if problem:
        raise FocusImportError(f"the Parquet file {problem}", path=str(path))
    columns = _checked_columns(names, path)
    return FocusSource(path, columns, _parquet_chunks(parquet, path, chunk_rows, limits))


def _parquet_chunks(
    parquet: pq.ParquetFile, path: Path, chunk_rows: int, limits: ReadLimits
) -> Iterator[list[SourceRow]]:
    """Rows in chunks bounded like CSV's: by rows, by characters, each row by its length.

    The text a file *holds* counts against the decompression limits too (with ten
    times the ratio: Parquet is legitimately more compact than gzip CSV), so a file
    repeating one huge dictionary value on a million rows is refused, not expanded.
    """
    row_number = 0
    text_chars = 0
    file_size = path.stat().st_size
    expanded = dataclasses.replace(limits, max_ratio=limits.max_ratio * 10)
    try:
        for batch in parquet.iter_batches(batch_size=min(chunk_rows, PARQUET_BATCH_ROWS)):
            sizes = _row_chars(batch)
            worst = max(sizes, default=0)
            if worst > limits.max_row_chars:
                line = row_number + sizes.index(worst) + 1
                raise FocusImportError(
                    f"row {line:,} is longer than {limits.max_row_chars:,} characters: this is "
                    "not a FOCUS export (or it is corrupted)", path=str(path), line=line,
                )  # fmt: skip
            text_chars += sum(sizes)
            problem = _inflate_problem(text_chars, file_size, expanded)
            if problem:
                raise FocusImportError(f"the Parquet file {problem}", path=str(path))
            by_column = [_nulls_to_none(_values(column)) for column in batch.columns]
            chunk: list[SourceRow] = []
            chunk_chars = 0
            for offset, cells in enumerate(zip(*by_column, strict=True)):
                chunk.append(SourceRow(row_number + offset + 1, cells))
                chunk_chars += sizes[offset]
                if len(chunk) >= chunk_rows or chunk_chars >= limits.chunk_chars:
                    yield chunk
                    chunk, chunk_chars = [], 0
            if chunk:
                yield chunk
            row_number += batch.num_rows
    except (pa.ArrowException, OSError) as exc:
        raise FocusImportError(
            f"Parquet file is truncated or corrupt after row {row_number} ({exc})", path=str(path)
        ) from exc


def _text_lengths(column: pa.Array) -> pa.Array | None:
    kind = column.type
    if pa.types.is_dictionary(kind):
        lengths = _text_lengths(column.dictionary)
        return None if lengths is None else lengths.take(column.indices)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_binary(kind):
        return pc.binary_length(column)
    return None


def _row_chars(batch: pa.RecordBatch) -> list[int]:
    """Each row's text length (bytes of its string cells; other cells count as 0)."""
    total: pa.Array | None = None
    for column in batch.columns:
        lengths = _text_lengths(column)
        if lengths is None:
            continue
        lengths = pc.fill_null(lengths.cast(pa.int64()), 0)
        total = lengths if total is None else pc.add(total, lengths)
    return [0] * batch.num_rows if total is None else total.to_pylist()


def _values(column: pa.Array) -> list[object]:
    """The column as Python values; a dictionary's values are shared, not copied per row."""
    if pa.types.is_dictionary(column.type):
        values = column.dictionary.to_pylist()
        return [None if i is None else values[i] for i in column.indices.to_pylist()]
    values_list: list[object] = column.to_pylist()
    return values_list
