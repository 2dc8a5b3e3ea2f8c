"""Monthly billing cycles starting on a fixed day of the month (UTC)."""

from __future__ import annotations

from datetime import UTC, date, datetime


def cycle_containing(day: date, *, anchor_day: int) -> tuple[date, date]:
    """The cycle ``[start, next start)`` that contains ``day``."""
    start = day.replace(day=anchor_day)
    if day.day < anchor_day:
        start = _add_month(start, -1)
    return start, _add_month(start, 1)


def day_of(ms: int) -> date:
    """The UTC date of an epoch-ms instant."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC).date()


def ms_of(day: date) -> int:
    """Epoch ms of 00:00:00.000 UTC on ``day``."""
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()) * 1000


def iso_ms(ms: int) -> str:
    """An instant as ISO 8601 with milliseconds and ``Z``."""
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def _add_month(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return day.replace(year=index // 12, month=index % 12 + 1)
