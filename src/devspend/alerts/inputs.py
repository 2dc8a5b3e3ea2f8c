"""The one read an alerts check makes, indexed for the rules, and shared formatting.

``read_inputs`` reads every person-day of the window once (``store.alert_reads``);
:class:`Inputs` answers per-scope series from a per-person index, so a check over
2,000 people costs one query and a few passes, not one scan per budget.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.engine import Connection

from devspend.money import format_dollars, from_micros
from devspend.store import alert_reads as reads

Series = dict[date, int]


@dataclass
class Inputs:
    """The check's one read, indexed: per-person series by figure, and who is who."""

    rows: list[reads.PersonDay]
    names: dict[str, str | None]
    first_day: dict[str, date]
    allocation: dict[str, tuple[str | None, str | None]]
    known: dict[int, set[date]]

    def __post_init__(self) -> None:
        self.by_person: dict[tuple[str, int], list[reads.PersonDay]] = defaultdict(list)
        for r in self.rows:
            self.by_person[(r.email, r.integration_id)].append(r)

    def series(
        self, figure: str, *, emails: set[str] | None = None, integration_id: int | None = None
    ) -> Series:
        """Σ of a figure per day over the people (and integration) of a scope."""
        out: Series = defaultdict(int)
        usage = figure == "usage_value"
        for (email, iid), days in self.by_person.items():
            if (emails is not None and email not in emails) or (
                integration_id is not None and iid != integration_id
            ):
                continue
            for r in days:
                out[r.day] += r.charged_ucents if usage else r.chargeable_ucents
        return out

    def known_day(self, integration_id: int | None) -> Callable[[date], bool]:
        if integration_id is not None:
            days = self.known.get(integration_id, set())
        else:
            days = set().union(*self.known.values()) if self.known else set()
        return days.__contains__

    def team_of(self, email: str) -> str | None:
        return self.allocation.get(email, (None, None))[0]


def scope_emails(data: Inputs, kind: str, value: str | None) -> set[str] | None:
    """The people a person/team/cost-center scope covers (None: not narrowed by person)."""
    if kind == "person" and value is not None:
        return {value.lower()}
    if kind in ("team", "cost_center") and value is not None:
        slot = 0 if kind == "team" else 1
        name = value.casefold()
        return {e for e, a in data.allocation.items() if (a[slot] or "").casefold() == name}
    return None


def scope_series(data: Inputs, figure: str, kind: str, value: str | None) -> Series:
    if kind == "integration" and value is not None:
        return data.series(figure, integration_id=int(value))
    return data.series(figure, emails=scope_emails(data, kind, value))


def dollars(ucents: int | Decimal) -> str:
    cents = from_micros(ucents) if isinstance(ucents, int) else ucents
    return format_dollars(cents)


def read_inputs(conn: Connection, *, start: date, end: date) -> Inputs:
    rows = reads.person_days(conn, start=start, end=end)
    names: dict[str, str | None] = {}
    first: dict[str, date] = {}
    for r in rows:
        if r.name and not names.get(r.email):
            names[r.email] = r.name
        names.setdefault(r.email, None)
        if r.email not in first or r.day < first[r.email]:
            first[r.email] = r.day
    known: dict[int, set[date]] = defaultdict(set)
    for (iid, day), status in reads.coverage_statuses(conn, start=start, end=end).items():
        if status in ("complete", "partial"):
            known[iid].add(day)
    return Inputs(rows, names, first, reads.allocation_map(conn), dict(known))


def money_text(value: Decimal) -> str:
    """Cents as fixed-point text, at most 6 places, no trailing zeros (``"1234.5"``)."""
    text = format(value.quantize(Decimal("0.000001")), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def fields(**values: object) -> dict[str, object]:
    """The structured payload: money as decimal text, days as ISO text."""
    out: dict[str, object] = {}
    for k, v in values.items():
        out[k] = money_text(v) if isinstance(v, Decimal) else str(v) if isinstance(v, date) else v
    return out


