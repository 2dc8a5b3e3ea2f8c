"""What the money bought, as cards on other pages: one person's AI code next to their
spend (the Person page) and the adoption and AI-code headline (the Overview), both
read from the :mod:`devspend.reports.ai_code` and :mod:`devspend.reports.adoption` views."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy.engine import Connection

from devspend.reports.adoption import Cents, Percent, build_adoption_report
from devspend.reports.ai_code import (
    AiCodeFigures,
    CostBasis,
    RepoAiCodeRow,
    build_ai_code,
    build_ai_code_report,
)
from devspend.reports.filters import ReportFilter
from devspend.reports.outcome_ratios import OutcomeRatios
from devspend.store.person_scope import PeopleFilter


class PersonAiCode(BaseModel):
    """One person's AI code next to their spend: the Person page's section."""

    figures: AiCodeFigures
    ratios: OutcomeRatios
    repos: list[RepoAiCodeRow]
    cost_basis: CostBasis
    min_lines: int
    min_commits: int
    empty_reason: str | None



def person_ai_code(conn: Connection, flt: ReportFilter, *, email: str) -> PersonAiCode:
    """One person's section of :func:`build_ai_code` (their repos' cost shares are theirs)."""
    view = build_ai_code(conn, start=flt.start, end=flt.end, integration_id=flt.integration_id,
                         emails=[email], who=PeopleFilter(email=email))  # fmt: skip
    return PersonAiCode(figures=view.total, ratios=view.total_ratios, repos=view.repos,
                        cost_basis=view.cost_basis, min_lines=view.min_lines,
                        min_commits=view.min_commits, empty_reason=view.empty_reason)  # fmt: skip


class OutcomeSummary(BaseModel):
    """What the money bought, in one card (the Overview): adoption and AI code headlines."""

    people: int
    active_people: int
    tab_accept_rate_percent: Percent | None
    ai_share_percent: Percent | None
    accepted_ai_lines: int
    primary_ai_commits: int
    cost_cents: Cents
    cost_per_1k_accepted_ai_lines_cents: Cents | None
    cost_per_ai_commit_cents: Cents | None
    hidden: list[str]
    empty_reason: str | None


def outcome_summary(conn: Connection, flt: ReportFilter) -> OutcomeSummary:
    """The Overview's card: the totals of the Adoption and AI code views for the filter."""
    adoption = build_adoption_report(conn, flt).total
    code = build_ai_code_report(conn, flt)
    r = code.total_ratios
    return OutcomeSummary(
        people=adoption.people, active_people=adoption.active_people,
        tab_accept_rate_percent=adoption.tab_accept_rate_percent,
        ai_share_percent=code.total.ai_share_percent,
        accepted_ai_lines=code.total.accepted_ai_lines,
        primary_ai_commits=code.total.primary_ai_commits, cost_cents=code.total.cost_cents,
        cost_per_1k_accepted_ai_lines_cents=r.cost_per_1k_accepted_ai_lines_cents,
        cost_per_ai_commit_cents=r.cost_per_ai_commit_cents, hidden=r.hidden,
        empty_reason=code.empty_reason,
    )  # fmt: skip
