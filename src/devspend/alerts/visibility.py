"""What a viewer limited to some teams may see of budgets, alerts and forecasts.

Admins and unlimited viewers (``teams`` None) see everything. A limited viewer sees the
budgets of their teams and of people in them, alerts whose team is one of theirs, and
team forecasts of their teams — never company-wide amounts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from devspend.alerts.evaluate import BudgetStatus, Evaluation, LimitForecast, ScopeForecast
from devspend.alerts.page_lines import visible
from devspend.store.alerts import AlertRecord


def visible_statuses(
    statuses: Sequence[BudgetStatus], *, teams: frozenset[str] | None,
    allocation: Mapping[str, tuple[str | None, str | None]],
) -> list[BudgetStatus]:  # fmt: skip
    if teams is None:
        return list(statuses)
    out = []
    for s in statuses:
        b = s.budget
        team = b.scope_value if b.scope_kind == "team" else (
            allocation.get((b.scope_value or "").lower(), (None, None))[0]
            if b.scope_kind == "person" else None)  # fmt: skip
        if visible(team, teams):
            out.append(s)
    return out


def visible_alerts(records: Sequence[AlertRecord], *, teams: frozenset[str] | None
                   ) -> list[AlertRecord]:  # fmt: skip
    return [a for a in records if teams is None or visible(a.team, teams)]


def visible_evaluation(
    e: Evaluation, *, teams: frozenset[str] | None,
    allocation: Mapping[str, tuple[str | None, str | None]],
) -> Evaluation:  # fmt: skip
    if teams is None:
        return e
    forecasts: list[ScopeForecast] = [f for f in e.forecasts if f.scope.startswith("team:")
                                      and visible(f.scope.partition(":")[2], teams)]  # fmt: skip
    limits: list[LimitForecast] = [f for f in e.limits
                                   if visible(allocation.get(f.email, (None, None))[0], teams)]
    return Evaluation(as_of=e.as_of,
                      budgets=visible_statuses(e.budgets, teams=teams, allocation=allocation),
                      limits=limits, forecasts=forecasts, alerts=[], quiet_keys=set())  # fmt: skip
