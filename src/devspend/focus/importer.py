"""Import FOCUS files into ``cloud_costs``: one transaction per file, replacing re-deliveries.

Rules (also shown by ``devspend import focus --help``):
- **A file is all or nothing.** Every row is checked; if any row cannot be read, every
  bad row is reported (file, line, reason) and nothing of that file is stored. Files
  before it in the same run stay imported; the run stops at the bad file.
- **Re-deliveries replace.** Rows are grouped by (account, billing period). The first
  time a run writes such a group, earlier runs' rows for it are deleted in the same
  transaction, so importing the same export twice, or a newer delivery of the month,
  never doubles it. Files of one run (e.g. the parts of one AWS delivery) add up.
- Identical files (same SHA-256) given twice in one run are imported once.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from devspend.errors import FocusImportError
from devspend.focus.columns import detect_version
from devspend.focus.mapping import BatchKey, RowMapper
from devspend.focus.reader import DEFAULT_CHUNK_ROWS, ReadLimits, input_files, open_focus
from devspend.settings import Settings
from devspend.store.cloud_writes import insert_costs, open_batch, set_batch_rows

MAX_REPORTED_PROBLEMS = 1000
SHOWN_PROBLEMS = 20
MAX_REASON_CHARS = 300


@dataclass(frozen=True)
class RowProblem:
    """A row that could not be imported, located for the person fixing the file."""

    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


class FocusRowsError(FocusImportError):
    """A file with unreadable rows was rejected whole; ``problems`` lists them."""

    def __init__(self, path: Path, problems: list[RowProblem], total: int) -> None:
        shown = "\n".join(f"  {p}" for p in problems[:SHOWN_PROBLEMS])
        more = f"\n  … and {total - SHOWN_PROBLEMS} more" if total > SHOWN_PROBLEMS else ""
        super().__init__(
            f"{total} row(s) cannot be imported, so nothing from this file was stored:\n"
            f"{shown}{more}",
            path=str(path),
        )
        self.problems = problems
        self.total = total


@dataclass
class FileResult:
    """What one file contributed: rows, the (account, period) groups, rows it replaced."""

    path: Path
    sha256: str
    focus_version: str = "unknown"
    replaced_rows: int = 0
    groups: dict[BatchKey, int] = field(default_factory=dict)  # (account, period) → rows
    duplicate_of: Path | None = None

    @property
    def rows(self) -> int:
        return sum(self.groups.values())


@dataclass
class ImportReport:
    """The outcome of one import run (one ``devspend import focus`` call)."""

    run_id: str
    files: list[FileResult] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)


def import_focus(
    engine: sa.Engine,
    paths: list[Path],
    *,
    settings: Settings,
    account_name: str | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> ImportReport:
    """Import every FOCUS file under ``paths``; raise FocusImportError at the first bad file."""
    files = input_files(paths)
    if not files:
        raise FocusImportError(
            f"no FOCUS files (*.csv, *.csv.gz, *.parquet) in {', '.join(map(str, paths))}"
        )
    report = ImportReport(run_id=uuid.uuid4().hex)
    seen: dict[str, Path] = {}
    for path in files:
        digest = _sha256(path)
        if digest in seen:
            report.files.append(FileResult(path, digest, duplicate_of=seen[digest]))
            continue
        seen[digest] = path
        result = FileResult(path, digest)
        try:
            _import_file(
                engine, result, run_id=report.run_id, owner_tag_key=settings.owner_tag_key,
                account_name=account_name, chunk_rows=chunk_rows, now=clock(),
                limits=ReadLimits.from_settings(settings),
            )  # fmt: skip
        except FocusImportError as exc:
            done = [f for f in report.files if f.duplicate_of is None]
            if done:  # say what did get imported, so nobody re-imports blindly
                exc.args = (
                    f"{exc}\n(imported before it in this run: "
                    f"{', '.join(f.path.name for f in done)}; later files were not read)",
                )
            raise
        report.files.append(result)
    return report


def _import_file(
    engine: sa.Engine,
    result: FileResult,
    *,
    run_id: str,
    owner_tag_key: str,
    account_name: str | None,
    chunk_rows: int,
    now: datetime,
    limits: ReadLimits,
) -> None:
    source = open_focus(result.path, chunk_rows=chunk_rows, limits=limits)
    try:
        mapper = RowMapper(source.columns, owner_tag_key=owner_tag_key, account_name=account_name)
    except ValueError as exc:
        raise FocusImportError(str(exc), path=str(result.path), line=1) from None
    result.focus_version = detect_version(source.columns)
    problems: list[RowProblem] = []
    total_problems = 0
    batch_ids: dict[BatchKey, int] = {}
    rows_per_batch: Counter[int] = Counter()
    with engine.begin() as conn:
        for chunk in source.chunks:
            records: list[dict[str, object]] = []
            for row in chunk:
                try:
                    if row.error is not None:
                        raise ValueError(row.error)
                    key, record = mapper.map(row.cells)
                except ValueError as exc:
                    total_problems += 1
                    if len(problems) < MAX_REPORTED_PROBLEMS:
                        problems.append(RowProblem(str(result.path), row.line,
                                                   _short(str(exc))))  # fmt: skip
                    continue
                if total_problems:
                    continue  # the file will be rolled back: only keep checking rows
                if key not in batch_ids:
                    batch_ids[key] = _open_batch(conn, key, record, result, run_id=run_id, now=now)
                record["batch_id"] = batch_ids[key]
                record["line"] = row.line
                rows_per_batch[batch_ids[key]] += 1
                records.append(record)
            insert_costs(conn, records)
        if total_problems:
            raise FocusRowsError(result.path, problems, total_problems)
        for batch_id, rows in rows_per_batch.items():
            set_batch_rows(conn, batch_id=batch_id, rows=rows)
    result.groups = {key: rows_per_batch[batch_id] for key, batch_id in batch_ids.items()}


def _open_batch(
    conn: sa.Connection,
    key: BatchKey,
    record: dict[str, object],
    result: FileResult,
    *,
    run_id: str,
    now: datetime,
) -> int:
    """Start a batch for ``key``, deleting what earlier runs stored for the same key."""
    account, period_start = key
    batch_id, replaced = open_batch(
        conn, account=account, period_start=period_start, run_id=run_id,
        provider=record["provider"], billing_period_end=record["billing_period_end"],
        file_name=result.path.name, sha256=result.sha256, focus_version=result.focus_version,
        now=now,
    )  # fmt: skip
    result.replaced_rows += replaced
    return batch_id


def _short(reason: str, limit: int = MAX_REASON_CHARS) -> str:
    """A reason cut to ``limit`` characters: 1,000 problems must not keep 1,000 huge cells."""
    return reason if len(reason) <= limit else reason[: limit - 1] + "…"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
