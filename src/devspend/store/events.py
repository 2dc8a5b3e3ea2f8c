"""Idempotent event writes: a fetched time range *replaces* what is stored for that range.

Cursor's usage events have no id (see ``docs/events-without-ids.md``). Each event
is stored with ``fingerprint`` (hash of its canonical raw JSON) and ``occurrence``
(its rank among identical events of the same fetched range), and a range the API
returned completely is written by deleting the stored events of exactly that range
and inserting what was fetched, in one transaction that also recomputes the
summaries and records the caller's checkpoint. Replaying a range therefore changes
nothing, genuinely identical events all count, and revised events replace their
old form.

Rows go in through each engine's bulk path: ``executemany`` of plain tuples on
SQLite and ``COPY`` on PostgreSQL (see ``shared/reference/storage-measurements.md``).
On SQLite a range is buffered in memory up to ``spill_rows`` rows; a bigger one opens
its transaction early and streams batches into it, so memory stays flat. On
PostgreSQL every page goes straight into one open ``COPY``, so the server inserts a
page while the next one is parsed (≈ +15 % ingest rate on two cores).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import ExitStack, suppress
from dataclasses import dataclass
from datetime import date, timedelta
from types import TracebackType
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from devspend.store.dimensions import Dimensions
from devspend.store.summaries import recompute_summaries
from devspend.store.tables import usage_events

MS_PER_DAY = 86_400_000
_EPOCH = date(1970, 1, 1)


def day_of(ts_ms: int) -> date:
    """The UTC day of an epoch-millisecond timestamp."""
    return _EPOCH + timedelta(days=ts_ms // MS_PER_DAY)


class StoredEvent(NamedTuple):
    """One event as the store needs it: names instead of ids, money as integer millionths."""

    ts_ms: int
    email: str
    model: str
    kind: str
    max_mode: bool
    is_headless: bool
    is_token_based: bool
    is_chargeable: bool | None
    requests_costs_micros: int
    input_tokens: int
    output_tokens: int
    cache_write_tokens: int
    cache_read_tokens: int
    total_ucents: int
    charged_ucents: int
    token_fee_ucents: int
    fingerprint: str
    raw: str
    origin: int = 0  # store.origins: interactive, headless, cloud agent, service account …


INSERT_COLUMNS = (
    "integration_id", "ts_ms", "day", "person_id", "model_id", "kind_id", "max_mode",
    "is_headless", "is_token_based", "is_chargeable", "requests_costs_micros", "input_tokens",
    "output_tokens", "cache_write_tokens", "cache_read_tokens", "total_ucents",
    "charged_ucents", "token_fee_ucents", "fingerprint", "occurrence", "raw", "origin",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class WindowStats:
    """What one committed range write did."""

    start_ms: int
    end_ms: int
    events: int
    deleted: int
    kept_stored: bool


def _insert_sqlite(conn: Connection, rows: list[tuple[Any, ...]]) -> None:
    columns = ", ".join(INSERT_COLUMNS)
    marks = ", ".join("?" for _ in INSERT_COLUMNS)
    sql = f"INSERT INTO usage_events ({columns}) VALUES ({marks})"  # noqa: S608 (constants)
    conn.exec_driver_sql(sql, rows)


_BOOL = {True: "t", False: "f", None: "\\N"}


def _copy_line(row: tuple[Any, ...]) -> str:
    """One row in COPY's text format. Only ``raw`` is free text; it is JSON, which escapes
    tabs and newlines itself, so doubling backslashes is all the escaping it needs."""
    (iid, ts, day, person, model, kind, max_mode, headless, token_based, chargeable,
     req, inp, out, cw, cr, total, charged, fee, fingerprint, occurrence, raw,
     origin) = row  # fmt: skip
    return (
        f"{iid}\t{ts}\t{day}\t{person}\t{model}\t{kind}\t{_BOOL[max_mode]}\t"
        f"{_BOOL[headless]}\t{_BOOL[token_based]}\t{_BOOL[chargeable]}\t{req}\t{inp}\t"
        f"{out}\t{cw}\t{cr}\t{total}\t{charged}\t{fee}\t{fingerprint}\t{occurrence}\t"
        f"{raw.replace(chr(92), chr(92) * 2)}\t{origin}\n"
    )


class _CopyStream:
    """One ``COPY usage_events … FROM STDIN`` kept open across pages (PostgreSQL).

    The server inserts what it has received while devspend parses the next page, so on
    two cores the insert costs almost no wall-clock time. Nothing else may run on the
    connection meanwhile: :meth:`close` before any other statement. Formatting the text
    ourselves is ~2x faster than psycopg adapting 22 values per row.
    """

    def __init__(self, conn: Connection) -> None:
        driver = conn.connection.driver_connection
        assert driver is not None
        sql = f"COPY usage_events ({', '.join(INSERT_COLUMNS)}) FROM STDIN"
        self._stack = ExitStack()
        cursor = self._stack.enter_context(driver.cursor())
        self._copy = self._stack.enter_context(cursor.copy(sql))

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        self._copy.write("".join(_copy_line(row) for row in rows))

    def close(self) -> None:
        """Finish the COPY (errors in the rows surface here)."""
        self._stack.close()

    def cancel(self) -> None:
        """End the COPY as failed, on the way to a rollback; the rollback reports nothing."""
        with suppress(Exception):  # the connection may already be broken: rollback follows
            self._stack.__exit__(RuntimeError, RuntimeError("window aborted"), None)


class WindowWriter:
    """Replaces the stored events of ``start_ms``..``end_ms`` (inclusive) with what is added.

    Use as a context manager; call :meth:`commit` once every page of the range has been
    added. Leaving the block without committing rolls everything back, so a crash or
    an error mid-range leaves the previous state of the range intact.

    ``keep_if_empty``: when the API answers an old range with nothing, that means it
    forgot the range, not that the events vanished; the stored events are kept.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        integration_id: int,
        start_ms: int,
        end_ms: int,
        dimensions: Dimensions,
        keep_if_empty: bool = False,
        spill_rows: int = 20_000,
    ) -> None:
        if end_ms < start_ms:
            raise ValueError(f"empty range {start_ms}..{end_ms}")
        self._engine = engine
        self.integration_id = integration_id
        self.start_ms = start_ms
        self.end_ms = end_ms
        self._dims = dimensions
        self._keep_if_empty = keep_if_empty
        self._spill_rows = spill_rows
        self._buffer: list[StoredEvent] = []
        self._seen: dict[tuple[int, str], int] = {}
        self._conn: Connection | None = None
        self._stream_pages = engine.dialect.name == "postgresql"
        self._copy: _CopyStream | None = None
        self._transaction: sa.RootTransaction | None = None
        self._events = 0
        self._deleted = 0
        self._days: dict[int, Any] = {}

    def __enter__(self) -> WindowWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.abort()

    def add(self, events: Iterable[StoredEvent]) -> None:
        """Take a page of events of this range (any order); may write a batch to the database."""
        page = list(events)
        stamps = [event.ts_ms for event in page]
        if stamps and (min(stamps) < self.start_ms or max(stamps) > self.end_ms):
            outside = next(t for t in stamps if not self.start_ms <= t <= self.end_ms)
            raise ValueError(
                f"event at {outside} is outside the range {self.start_ms}..{self.end_ms}"
            )
        self._buffer.extend(page)
        if len(self._buffer) >= self._spill_rows or (self._stream_pages and self._buffer):
            self._flush(self._open())

    def commit(
        self, checkpoint: Callable[[Connection, WindowStats], None] | None = None
    ) -> WindowStats:
        """Write the rest, recompute the summaries of the touched days, run ``checkpoint``
        in the same transaction, and commit."""
        kept = self._conn is None and not self._buffer and self._keep_if_empty
        conn = self._open(delete=not kept)
        self._flush(conn)
        self._end_copy()
        recompute_summaries(
            conn,
            integration_id=self.integration_id,
            first=day_of(self.start_ms),
            last=day_of(self.end_ms),
        )
        stats = WindowStats(
            start_ms=self.start_ms,
            end_ms=self.end_ms,
            events=self._events,
            deleted=self._deleted,
            kept_stored=kept,
        )
        if checkpoint is not None:
            checkpoint(conn, stats)
        assert self._transaction is not None
        self._transaction.commit()
        self._close()
        return stats

    def abort(self) -> None:
        """Roll back anything written (no-op after :meth:`commit`)."""
        if self._copy is not None:
            self._copy.cancel()
            self._copy = None
        if self._transaction is not None:
            self._transaction.rollback()
            self._dims.forget()
        self._close()

    def _end_copy(self) -> None:
        if self._copy is not None:
            copy, self._copy = self._copy, None
            copy.close()

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
        self._conn = None
        self._transaction = None
        self._buffer = []

    def _open(self, *, delete: bool = True) -> Connection:
        if self._conn is not None:
            return self._conn
        self._conn = self._engine.connect()
        self._transaction = self._conn.begin()
        if delete:
            e = usage_events
            result = self._conn.execute(
                e.delete().where(
                    e.c.integration_id == self.integration_id,
                    e.c.ts_ms >= self.start_ms,
                    e.c.ts_ms <= self.end_ms,
                )
            )
            self._deleted = result.rowcount or 0
        return self._conn

    def _day(self, index: int, *, as_text: bool) -> Any:
        day = _EPOCH + timedelta(days=index)
        value = day.isoformat() if as_text else day
        self._days[index] = value
        return value

    def _flush(self, conn: Connection) -> None:
        batch, self._buffer = self._buffer, []
        if not batch:
            return
        emails = {e.email for e in batch}
        model_names = {e.model for e in batch}
        kind_names = {e.kind for e in batch}
        if not self._dims.knows(emails=emails, models=model_names, kinds=kind_names):
            self._end_copy()  # resolving new names runs SQL on this connection
        person = self._dims.person_ids(conn, emails)
        model = self._dims.model_ids(conn, model_names)
        kind = self._dims.kind_ids(conn, kind_names)
        as_text = conn.dialect.name == "sqlite"
        # Runs once per event: locals only, and the day is cached per day number.
        seen = self._seen
        days = self._days
        integration_id = self.integration_id
        rows: list[tuple[Any, ...]] = []
        append = rows.append
        for (ts, email, model_name, kind_name, max_mode, headless, token_based, chargeable,
             req, inp, out, cw, cr, total, charged, fee, fingerprint, raw,
             origin) in batch:  # fmt: skip
            key = (ts, fingerprint)
            occurrence = seen.get(key, 0)
            seen[key] = occurrence + 1
            index = ts // MS_PER_DAY
            day = days.get(index)
            if day is None:
                day = self._day(index, as_text=as_text)
            append((
                integration_id, ts, day, person[email], model[model_name], kind[kind_name],
                max_mode, headless, token_based, chargeable, req, inp, out, cw, cr, total,
                charged, fee, fingerprint, occurrence, raw, origin,
            ))  # fmt: skip
        if self._stream_pages:
            if self._copy is None:
                self._copy = _CopyStream(conn)
            self._copy.write(rows)
        else:
            _insert_sqlite(conn, rows)
        self._events += len(rows)
