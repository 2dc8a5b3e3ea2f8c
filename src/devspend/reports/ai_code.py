"""AI code and cost per outcome: what the period's AI spend produced, per person, team, repo.

From Cursor's AI Code Tracking (``store.ai_code_queries``): commits (an amended commit
once), lines added by TAB, by composer/agent and without AI, the AI share of committed
lines — overall and on the primary branch — and accepted AI changes (before any commit).

**Cost per outcome** divides a cost figure of the period by an outcome count:

- *per accepted AI line*: cost ÷ (TAB + composer lines added by accepted changes);
- *per AI-assisted commit*: cost ÷ primary-branch commits with at least one AI line.

The cost figure is chosen (:class:`CostBasis`): **cost** (seats + on-demand, the
headline), **on-demand**, or **usage value** (``docs/money.md``). A ratio is shown only
when its count reaches the minimum (``min_lines``, ``min_commits``); below it the ratio
is None and ``hidden`` says why, so nobody reads a finding into two small numbers.

How spend is attributed — every figure is **measured per person**: a person's cost is
their own events (and seats); a team's is the sum of its people's. **Repos are
inferred**: a person's cost is split across the repos they committed to, in proportion
to their AI lines committed there; cost of people without AI commits stays
unattributed. Cursor's ``/analytics/ai-code/commits/:hash`` (limited alpha) could tie a
conversation's spend to the commits it produced; devspend does not read it yet, so no
figure here is attributed by conversation (``attribution`` names the method).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, computed_field
from sqlalchemy.engine import Connection

from devspend.money import from_micros
from devspend.reports.adoption import (
    NO_TEAM,
    Cents,
    Percent,
    filter_emails,
    percent,
)
from devspend.reports.filters import ReportFilter
from devspend.reports.outcome_ratios import CENT, OutcomeRatios, ratios
from devspend.reports.seats import person_seats
from devspend.reports.tables import Column, Table
from devspend.store.ai_code import ACCESS_DENIED, ai_code_access_states
from devspend.store.ai_code_queries import ai_code_stored, change_totals, commit_totals
from devspend.store.names import model_names
from devspend.store.outcome import members_with_teams, spend_by_person
from devspend.store.person_scope import PeopleFilter
from devspend.store.usage import UsageScope, usage_by

DEFAULT_MIN_LINES = 100
DEFAULT_MIN_COMMITS = 5
PER_PERSON = "person"
BY_AI_LINES = "inferred: person cost split by AI lines committed per repo"


class CostBasis(StrEnum):
    cost = "cost"
    on_demand = "on_demand"
    usage_value = "usage_value"


class AiCodeFigures(BaseModel):
    """Additive AI code figures and a cost of some people (or a repo's share of it)."""

    commits: int = 0
    ai_commits: int = 0
    tab_lines: int = 0
    composer_lines: int = 0
    non_ai_lines: int = 0
    primary_commits: int = 0
    primary_ai_commits: int = 0
    primary_tab_lines: int = 0
    primary_composer_lines: int = 0
    primary_non_ai_lines: int = 0
    tab_changes: int = 0
    composer_changes: int = 0
    accepted_tab_lines: int = 0
    accepted_composer_lines: int = 0
    cost_cents: Cents = Decimal(0)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ai_lines(self) -> int:
        return self.tab_lines + self.composer_lines

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ai_share_percent(self) -> Percent | None:
        """AI lines ÷ (AI + non-AI lines) added in commits."""
        return percent(self.ai_lines, self.ai_lines + self.non_ai_lines)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def primary_ai_share_percent(self) -> Percent | None:
        ai = self.primary_tab_lines + self.primary_composer_lines
        return percent(ai, ai + self.primary_non_ai_lines)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def accepted_ai_lines(self) -> int:
        return self.accepted_tab_lines + self.accepted_composer_lines

    def plus(self, other: AiCodeFigures) -> AiCodeFigures:
        names = AiCodeFigures.model_fields
        return AiCodeFigures(**{n: getattr(self, n) + getattr(other, n) for n in names})


class PersonAiCodeRow(AiCodeFigures, OutcomeRatios):
    email: str
    name: str | None
    team: str | None
    attribution: str = PER_PERSON


class TeamAiCodeRow(AiCodeFigures, OutcomeRatios):
    team: str
    people: int
    attribution: str = PER_PERSON


class RepoAiCodeRow(AiCodeFigures):
    repo: str | None
    """None: commits Cursor could not place in a repo."""
    cost_per_ai_line_cents: Cents | None
    """Attributed cost ÷ AI lines committed (repos have no accepted-change counts)."""
    hidden: list[str]
    attribution: str = BY_AI_LINES

    @computed_field  # type: ignore[prop-decorator]
    @property
    def cost_per_1k_ai_lines_cents(self) -> Cents | None:
        """The same per 1,000 lines, for tables."""
        per_line = self.cost_per_ai_line_cents
        return None if per_line is None else per_line * 1000


class ModelAiCodeRow(BaseModel):
    """Composer (agent) changes accepted from one model, next to that model's spend."""

    model: str
    composer_changes: int
    accepted_composer_lines: int
    spend_cents: Cents
    """The model's usage value (or on-demand, with that basis) in the period."""
    cost_per_1k_accepted_lines_cents: Cents | None
    hidden: list[str]


class AiCodeView(BaseModel):
    start: date
    end: date
    cost_basis: CostBasis
    min_lines: int
    min_commits: int
    people: list[PersonAiCodeRow]
    teams: list[TeamAiCodeRow]
    repos: list[RepoAiCodeRow]
    total: AiCodeFigures
    total_ratios: OutcomeRatios
    unattributed_repo_cents: Cents
    """Cost of people without AI commits: in no repo's share."""
    models: list[ModelAiCodeRow]
    """Per model (composer changes name theirs; TAB changes name none). Seats are not per
    model, so with the cost basis the spend is on-demand."""
    empty_reason: str | None
    """Why there are no AI code figures (no access, not synced yet), None when there are."""

    def tables(self) -> list[Table]:
        ratio_columns = (
            Column("Cost", "cost_cents", "money"),
            Column("Per 1k accepted AI lines", "cost_per_1k_accepted_ai_lines_cents", "money"),
            Column("Per AI commit (primary)", "cost_per_ai_commit_cents", "money"),
        )
        return [
            Table("people", "AI code by person", PersonAiCodeRow, self.people, [
                Column("Email", "email"), Column("Team", "team"), *CODE_COLUMNS, *ratio_columns,
            ]),
            Table("teams", "AI code by team", TeamAiCodeRow, self.teams, [
                Column("Team", "team"), Column("People", "people", "count"), *CODE_COLUMNS,
                *ratio_columns,
            ]),
            Table("models", "Composer lines by model", ModelAiCodeRow, self.models, [
                Column("Model", "model"), Column("Changes", "composer_changes", "count"),
                Column("Accepted lines", "accepted_composer_lines", "count"),
                Column("Spend", "spend_cents", "money"),
                Column("Per 1k accepted lines", "cost_per_1k_accepted_lines_cents", "money"),
            ]),
            Table("repos", "AI code by repo (cost inferred)", RepoAiCodeRow, self.repos, [
                Column("Repo", "repo"), *CODE_COLUMNS[:5], Column("Cost share", "cost_cents",
                                                                  "money"),
                Column("Per 1k AI lines", "cost_per_1k_ai_lines_cents", "money"),
            ]),
        ]  # fmt: skip


CODE_COLUMNS = (
    Column("Commits", "commits", "count"), Column("AI commits", "ai_commits", "count"),
    Column("TAB lines", "tab_lines", "count"), Column("Composer lines", "composer_lines", "count"),
    Column("AI share", "ai_share_percent", "percent"),
    Column("Primary AI share", "primary_ai_share_percent", "percent"),
    Column("Accepted AI lines", "accepted_ai_lines", "count"),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Scope:
    start: date
    end: date
    integration_id: int | None
    emails: Collection[str] | None


def _costs(conn: Connection, scope: _Scope, *, basis: CostBasis) -> dict[str, Decimal]:
    ucents: dict[str, int] = defaultdict(int)
    for email, (value, billed) in spend_by_person(
        conn, start=scope.start, end=scope.end, integration_id=scope.integration_id,
        emails=scope.emails,
    ).items():  # fmt: skip
        ucents[email] += value if basis is CostBasis.usage_value else billed
    costs = {email: from_micros(u) for email, u in ucents.items()}
    if basis is CostBasis.cost:
        for seat in person_seats(conn, start=scope.start, end=scope.end,
                                 integration_id=scope.integration_id,
                                 emails=scope.emails):  # fmt: skip
            if seat.seat_cents:
                key = seat.email.lower()
                costs[key] = costs.get(key, Decimal(0)) + seat.seat_cents
    return costs


def build_ai_code(
    conn: Connection,
    *,
    start: date,
    end: date,
    integration_id: int | None = None,
    emails: Collection[str] | None = None,
    basis: CostBasis = CostBasis.cost,
    min_lines: int = DEFAULT_MIN_LINES,
    min_commits: int = DEFAULT_MIN_COMMITS,
    who: PeopleFilter | None = None,
) -> AiCodeView:
    """The AI code and cost-per-outcome view of a period, for everyone or ``emails``
    (``who`` is the same set as the store's filter, for the per-model spend)."""
    wanted = None if emails is None else {e.lower() for e in emails}
    scope = _Scope(start=start, end=end, integration_id=integration_id, emails=wanted)
    known = members_with_teams(conn, integration_id=integration_id)
    commits = commit_totals(conn, by="email", start=start, end=end,
                            integration_id=integration_id, emails=wanted)  # fmt: skip
    changes = change_totals(conn, by="email", start=start, end=end,
                            integration_id=integration_id, emails=wanted)  # fmt: skip
    costs = _costs(conn, scope, basis=basis)
    figures: dict[str, AiCodeFigures] = {}
    for email in sorted(set(commits) | set(changes) | set(costs)):
        c, ch = commits.get(email), changes.get(email)
        figures[email] = AiCodeFigures(
            **(asdict(c) if c else {}),
            tab_changes=ch.tab_changes if ch else 0,
            composer_changes=ch.composer_changes if ch else 0,
            accepted_tab_lines=ch.tab_lines if ch else 0,
            accepted_composer_lines=ch.composer_lines if ch else 0,
            cost_cents=costs.get(email, Decimal(0)),
        )  # fmt: skip
    limits = {"min_lines": min_lines, "min_commits": min_commits}
    people: list[PersonAiCodeRow] = []
    teams: dict[str, tuple[AiCodeFigures, int]] = {}
    total = AiCodeFigures()
    for email, f in figures.items():
        member = known.get(email)
        team = member.team if member else None
        shown = ratios(f, **limits).model_dump()
        people.append(PersonAiCodeRow(email=email, name=member.name if member else None,
                                      team=team, **shown, **_fields(f)))  # fmt: skip
        sum_, n = teams.get(team or NO_TEAM, (AiCodeFigures(), 0))
        teams[team or NO_TEAM] = (sum_.plus(f), n + 1)
        total = total.plus(f)
    people.sort(key=lambda r: (-r.ai_lines, -r.accepted_ai_lines, r.email))
    team_rows = [TeamAiCodeRow(team=t, people=n, **ratios(f, **limits).model_dump(), **_fields(f))
                 for t, (f, n) in sorted(teams.items(), key=lambda kv: (-kv[1][0].ai_lines,
                                                                        kv[0]))]  # fmt: skip
    repos, unattributed = _repos(conn, figures, scope=scope, min_lines=min_lines)
    by_model = _models(conn, scope, who=who, basis=basis, min_lines=min_lines)
    return AiCodeView(
        start=start, end=end, cost_basis=basis, min_lines=min_lines, min_commits=min_commits,
        people=people, teams=team_rows, repos=repos, total=total,
        total_ratios=ratios(total, **limits), unattributed_repo_cents=unattributed,
        models=by_model,
        empty_reason=None if commits or changes else _empty_reason(conn, integration_id),
    )  # fmt: skip


def _fields(f: AiCodeFigures) -> dict[str, object]:
    return {n: getattr(f, n) for n in AiCodeFigures.model_fields}


def _repos(
    conn: Connection, figures: dict[str, AiCodeFigures], *, scope: _Scope, min_lines: int,
) -> tuple[list[RepoAiCodeRow], Decimal]:  # fmt: skip
    by_person_repo = commit_totals(conn, by=("email", "repo"), start=scope.start, end=scope.end,
                                   integration_id=scope.integration_id,
                                   emails=scope.emails)  # fmt: skip
    repos: dict[str | None, AiCodeFigures] = {}
    for (email, repo), t in sorted(by_person_repo.items(), key=lambda kv: (kv[0][0],
                                                                          kv[0][1] or "")):
        mine = figures[email]
        share = Decimal(0)
        if mine.ai_lines:
            share = (mine.cost_cents * (t.tab_lines + t.composer_lines) / mine.ai_lines)
        f = AiCodeFigures(**asdict(t), cost_cents=share)
        repos[repo] = repos.get(repo, AiCodeFigures()).plus(f)
    rows = []
    for repo, f in sorted(repos.items(), key=lambda kv: (-kv[1].ai_lines, kv[0] or "")):
        f = f.model_copy(update={"cost_cents": f.cost_cents.quantize(CENT)})
        ok = f.ai_lines >= min_lines and f.ai_lines > 0
        rows.append(RepoAiCodeRow(
            repo=repo, **_fields(f),
            cost_per_ai_line_cents=(f.cost_cents / f.ai_lines).quantize(CENT) if ok else None,
            hidden=[] if ok else [f"cost per AI line hidden: {f.ai_lines} AI lines, fewer "
                                  f"than {min_lines}"],
        ))  # fmt: skip
    total_cost = sum((f.cost_cents for f in figures.values()), Decimal(0))
    # the rest is exactly what no repo got, so repos + unattributed = everyone's cost
    return rows, total_cost - sum((r.cost_cents for r in rows), Decimal(0))


def _models(
    conn: Connection, scope: _Scope, *, who: PeopleFilter | None, basis: CostBasis,
    min_lines: int,
) -> list[ModelAiCodeRow]:  # fmt: skip
    if who is None and scope.emails is not None:
        return []  # some people the store's filter cannot name: no per-model spend
    changes = change_totals(conn, by="model", start=scope.start, end=scope.end,
                            integration_id=scope.integration_id, emails=scope.emails)
    usage = usage_by(conn, UsageScope(start=scope.start, end=scope.end,
                                      integration_id=scope.integration_id,
                                      people=who or PeopleFilter()), dim="model")
    names = model_names(conn)
    spend = {names[i]: (u.charged_cents if basis is CostBasis.usage_value else u.on_demand_cents)
             for i, u in usage.items() if i in names}  # fmt: skip
    rows = []
    for model, t in changes.items():
        if model is None or not t.composer_changes:
            continue
        cents = spend.get(model, Decimal(0))
        ok = t.composer_lines >= min_lines and t.composer_lines > 0
        rows.append(ModelAiCodeRow(
            model=model, composer_changes=t.composer_changes,
            accepted_composer_lines=t.composer_lines, spend_cents=cents,
            cost_per_1k_accepted_lines_cents=(cents * 1000 / t.composer_lines).quantize(CENT)
            if ok else None,
            hidden=[] if ok else [f"hidden: {t.composer_lines} accepted lines, fewer than "
                                  f"{min_lines}"],
        ))  # fmt: skip
    rows.sort(key=lambda r: (-r.accepted_composer_lines, r.model))
    return rows


def _empty_reason(conn: Connection, integration_id: int | None) -> str:
    ids = None if integration_id is None else [integration_id]
    states = ai_code_access_states(conn, integration_ids=ids)
    denied = [s for s in states if s.status == ACCESS_DENIED]
    if denied and len(denied) == len(states):
        return denied[0].message or "AI Code Tracking is not available to this key."
    if not ai_code_stored(conn, integration_id=integration_id):
        if not states:
            return "AI Code Tracking has not been synced yet."
        return "Cursor reported no AI code (commits or accepted changes) for this team yet."
    return "No commits or accepted AI changes in this period."


def build_ai_code_report(
    conn: Connection, flt: ReportFilter, *, basis: CostBasis = CostBasis.cost,
    min_lines: int = DEFAULT_MIN_LINES, min_commits: int = DEFAULT_MIN_COMMITS,
) -> AiCodeView:  # fmt: skip
    """:func:`build_ai_code` for a report filter: the web page, its JSON and the CLI."""
    return build_ai_code(conn, start=flt.start, end=flt.end, integration_id=flt.integration_id,
                         emails=filter_emails(conn, flt), basis=basis, min_lines=min_lines,
                         min_commits=min_commits, who=flt.people)  # fmt: skip
