"""The history an integration holds, next to how far Cursor's API reaches (one wording for
Settings → Integrations and ``devspend integrations list``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Connection

from devspend.store.history import held_history


@dataclass(frozen=True, slots=True)
class HistoryView:
    """Days held (and their range) apart from the API's depth.

    ``api_first`` is the oldest day the API served when probed; ``not_held_days`` counts
    the days between it and the first held day (the API's partial first day included)
    that no sync fetched: a longer ``--days`` (or ``DEVSPEND_BACKFILL_DAYS``) fetches them.
    """

    held_days: int
    held_first: date | None
    held_last: date | None
    api_first: date | None
    not_held_days: int

    @property
    def held_text(self) -> str:
        if not self.held_days or self.held_first is None or self.held_last is None:
            return "no history held yet"
        plural = "" if self.held_days == 1 else "s"
        return f"{self.held_days} day{plural} held ({self.held_first} .. {self.held_last})"

    @property
    def api_text(self) -> str:
        if self.api_first is None:
            return "API history not probed yet"
        text = f"the API reaches back to {self.api_first}"
        if self.not_held_days:
            plural = "" if self.not_held_days == 1 else "s"
            text += (f"; {self.not_held_days} earlier day{plural} the API still serves "
                     f"{'is' if self.not_held_days == 1 else 'are'} not held "
                     "(sync with a larger --days to fetch them)")  # fmt: skip
        return text


def integration_history(
    conn: Connection, *, integration_id: int, api_first: date | None
) -> HistoryView:
    """What is held for one integration, compared with ``api_first`` (its ``history_start``)."""
    held = held_history(conn, integration_id=integration_id)
    missing = 0
    if api_first is not None and held.first is not None and api_first < held.first:
        missing = (held.first - api_first).days
    return HistoryView(held_days=held.days, held_first=held.first, held_last=held.last,
                       api_first=api_first, not_held_days=missing)  # fmt: skip
