"""``devspend report …``: the same views as the web pages and their JSON twins, in the
terminal.

Each command builds its view from :mod:`devspend.reports` with the same filter the web
uses (``--range`` or ``--from``/``--to``, default the last 30 days; ``--integration``,
``--team``, ``--cost-center``, ``--person``, ``--model``) and prints it as a Rich table
(``table``), the JSON of ``/api/v1/…`` (``json``: money as exact decimal text) or the
CSV download of the page (``csv``; ``--table NAME`` picks another of its tables).
``devspend spend-report`` is ``report spend`` under its older name.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Any

import typer
from pydantic import BaseModel
from rich.console import Console
from sqlalchemy.engine import Connection

from devspend.cli.render import view_tables
from devspend.errors import ConfigError, NotFoundError
from devspend.reports.adoption import build_adoption_report
from devspend.reports.ai_code import DEFAULT_MIN_COMMITS, DEFAULT_MIN_LINES, build_ai_code_report
from devspend.reports.ai_code import CostBasis as AiCostBasis
from devspend.reports.coverage import build_coverage
from devspend.reports.filters import ReportFilter, parse_filter
from devspend.reports.kinds import build_daily, build_kinds
from devspend.reports.models import build_models
from devspend.reports.overview import Split, build_overview
from devspend.reports.people import Direction, SortKey, build_people
from devspend.reports.person import build_person
from devspend.reports.spend import CostBasis, Grain, build_spend
from devspend.reports.tables import TabularView, table_csv
from devspend.reports.teams import build_team, build_teams
from devspend.settings import load_settings
from devspend.store.coverage import coverage_span
from devspend.store.engine import opened_database


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


Range = Annotated[str | None, typer.Option("--range", help="7d, 30d, 90d, this_month, "
                                           "last_month, 365d (default 30d).")]  # fmt: skip
From = Annotated[str | None, typer.Option("--from", help="First UTC day (YYYY-MM-DD).")]
To = Annotated[str | None, typer.Option("--to", help="Last UTC day, inclusive (YYYY-MM-DD).")]
Integration = Annotated[int | None, typer.Option("--integration",
                                                 help="Only this connected Cursor team.")]
Team = Annotated[str | None, typer.Option("--team", help="Only this allocation team.")]
CostCenter = Annotated[str | None, typer.Option("--cost-center", help="Only this cost center.")]
Person = Annotated[str | None, typer.Option("--person", "--user", help="Only this person (email).")]
Model = Annotated[str | None, typer.Option("--model", help="Only this model.")]
Output = Annotated[Format, typer.Option("--format", help="table, csv or json.")]
CostOption = Annotated[CostBasis, typer.Option("--cost", help="Cloud cost basis.")]
TableName = Annotated[str | None, typer.Option("--table", help="csv: which of the view's "
                                               "tables (default: the main one).")]  # fmt: skip


def _parse_day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{option} must be a date like 2026-01-31, not {value!r}") from None


def report_filter(
    *, preset: str | None, from_: str | None, to: str | None, integration: int | None,
    team: str | None, cost_center: str | None, person: str | None, model: str | None,
) -> ReportFilter:  # fmt: skip
    """The web's filter from the CLI's options (today is the UTC day)."""
    return parse_filter(
        preset=preset, start=_parse_day(from_, "--from"), end=_parse_day(to, "--to"),
        today=datetime.now(UTC).date(), integration_id=integration, team=team,
        cost_center=cost_center, person=person, model=model,
    )  # fmt: skip


def emit(view: BaseModel, fmt: Format, *, title: str, table: str | None = None) -> None:
    """Print ``view`` in ``fmt``: the one place the CLI chooses a renderer."""
    if fmt is Format.json:
        typer.echo(view.model_dump_json(indent=2))
        return
    assert isinstance(view, TabularView)
    tables = view.tables()
    if fmt is Format.csv:
        chosen = tables[0] if table is None else next((t for t in tables if t.name == table), None)
        if chosen is None:
            raise NotFoundError(f"No table {table!r}; choose one of "
                                f"{', '.join(t.name for t in tables)}.")  # fmt: skip
        typer.echo(table_csv(chosen), nl=False)
        return
    console = Console()
    for rendered in view_tables(tables, title=title):
        console.print(rendered)


def run_view(
    build: Callable[[Connection, ReportFilter], BaseModel], flt: ReportFilter, fmt: Format,
    *, title: str, table: str | None = None,
) -> None:  # fmt: skip
    settings = load_settings()
    with opened_database(settings.effective_database_url) as engine, engine.connect() as conn:
        view = build(conn, flt)
    emit(view, fmt, title=f"{title}, {flt.label} (UTC days)", table=table)


def register(app: typer.Typer) -> None:
    """Add the ``report`` command group and ``spend-report``."""
    report_app = typer.Typer(help="The dashboard's views, in the terminal.",
                             no_args_is_help=True)  # fmt: skip

    def filtered(name: str, title: str, build: Callable[..., BaseModel], **extra: Any) -> None:
        def command(
            range_: Range = None, from_: From = None, to: To = None,
            integration: Integration = None, team: Team = None, cost_center: CostCenter = None,
            person: Person = None, model: Model = None, output: Output = Format.table,
            table: TableName = None,
        ) -> None:  # fmt: skip
            flt = report_filter(preset=range_, from_=from_, to=to, integration=integration,
                                team=team, cost_center=cost_center, person=person,
                                model=model)  # fmt: skip
            run_view(lambda c, f: build(c, f, **extra), flt, output, title=title, table=table)

        command.__doc__ = f"{title} (the /api/v1/{name} view)."
        report_app.command(name)(command)

    filtered("people", "Usage by person", build_people)
    filtered("models", "Usage by model", build_models)
    filtered("kinds", "Usage by kind", build_kinds)
    filtered("daily", "Usage by day", build_daily)
    filtered("adoption", "Adoption", build_adoption_report)

    @report_app.command("ai-code")
    def ai_code_command(
        range_: Range = None, from_: From = None, to: To = None,
        integration: Integration = None, team: Team = None, cost_center: CostCenter = None,
        person: Person = None, output: Output = Format.table, table: TableName = None,
        cost: Annotated[AiCostBasis, typer.Option("--cost", help="cost (seats + on-demand), "
                                                  "on_demand or usage_value.")] = AiCostBasis.cost,
        min_lines: Annotated[int, typer.Option(min=1, help="Fewest accepted AI lines for a "
                                               "cost per line.")] = DEFAULT_MIN_LINES,
        min_commits: Annotated[int, typer.Option(min=1, help="Fewest AI-assisted commits for "
                                                 "a cost per commit.")] = DEFAULT_MIN_COMMITS,
    ) -> None:  # fmt: skip
        """AI code and cost per outcome (the /api/v1/ai-code view)."""
        flt = report_filter(preset=range_, from_=from_, to=to, integration=integration, team=team,
                            cost_center=cost_center, person=person, model=None)  # fmt: skip
        run_view(lambda c, f: build_ai_code_report(c, f, basis=cost, min_lines=min_lines,
                                                   min_commits=min_commits),
                 flt, output, title="AI code and cost per outcome", table=table)  # fmt: skip

    @report_app.command("coverage")
    def coverage_command(
        range_: Range = None, from_: From = None, to: To = None,
        integration: Integration = None, output: Output = Format.table,
    ) -> None:  # fmt: skip
        """Which days hold complete usage, which may still change, which Cursor no longer
        serves (default: every day devspend has a record of)."""
        if range_ is None and from_ is None and to is None:
            settings = load_settings()
            with opened_database(settings.effective_database_url) as engine, \
                    engine.connect() as conn:  # fmt: skip
                span = coverage_span(conn, integration_id=integration)
            if span is not None:
                from_, to = span[0].isoformat(), span[1].isoformat()
        flt = report_filter(preset=range_, from_=from_, to=to, integration=integration,
                            team=None, cost_center=None, person=None, model=None)  # fmt: skip
        run_view(build_coverage, flt, output, title="Data coverage")

    @report_app.command("users", hidden=True)
    def users_command(
        range_: Range = None, from_: From = None, to: To = None,
        integration: Integration = None, team: Team = None, cost_center: CostCenter = None,
        person: Person = None, model: Model = None, output: Output = Format.table,
        sort: Annotated[SortKey, typer.Option(help="Column to sort by.")] = SortKey.charged_cents,
    ) -> None:  # fmt: skip
        """Usage by person (the older name of report people)."""
        flt = report_filter(preset=range_, from_=from_, to=to, integration=integration, team=team,
                            cost_center=cost_center, person=person, model=model)  # fmt: skip
        run_view(lambda c, f: build_people(c, f, sort=sort, direction=Direction.desc), flt,
                 output, title="Usage by person")  # fmt: skip

    @report_app.command("overview")
    def overview_command(
        range_: Range = None, from_: From = None, to: To = None,
        integration: Integration = None, team: Team = None, cost_center: CostCenter = None,
        person: Person = None, model: Model = None, output: Output = Format.table,
        table: TableName = None,
        split: Annotated[Split, typer.Option(help="Chart split: model, kind or user.")] = (
            Split.model),
    ) -> None:  # fmt: skip
        """The overview: period vs previous, top people and models, kinds."""
        flt = report_filter(preset=range_, from_=from_, to=to, integration=integration, team=team,
                            cost_center=cost_center, person=person, model=model)  # fmt: skip
        run_view(lambda c, f: build_overview(c, f, split=split), flt, output, title="Overview",
                 table=table)  # fmt: skip

    @report_app.command("person")
    def person_command(
        email: Annotated[str, typer.Argument(help="The person's email.")],
        range_: Range = None, from_: From = None, to: To = None,
        integration: Integration = None, output: Output = Format.table, table: TableName = None,
    ) -> None:  # fmt: skip
        """One person: figures, model and kind mix, recent events, cycle spend."""
        flt = report_filter(preset=range_, from_=from_, to=to, integration=integration,
                            team=None, cost_center=None, person=None, model=None)  # fmt: skip
        run_view(lambda c, f: build_person(c, f, email=email), flt, output,
                 title=f"Person {email}", table=table)  # fmt: skip

    @report_app.command("teams")
    def teams_command(
        range_: Range = None, from_: From = None, to: To = None,
        integration: Integration = None, team: Team = None, cost_center: CostCenter = None,
        output: Output = Format.table, table: TableName = None,
        cost: CostOption = CostBasis.billed,
    ) -> None:  # fmt: skip
        """Per team and person: AI on-demand, owned cloud spend, unattributed cloud spend."""
        flt = report_filter(preset=range_, from_=from_, to=to, integration=integration, team=team,
                            cost_center=cost_center, person=None, model=None)  # fmt: skip
        run_view(lambda c, f: build_teams(c, f, cost=cost), flt, output, title="Teams",
                 table=table)  # fmt: skip

    @report_app.command("team")
    def team_command(
        name: Annotated[str, typer.Argument(help="The allocation team.")],
        range_: Range = None, from_: From = None, to: To = None,
        integration: Integration = None, output: Output = Format.table, table: TableName = None,
    ) -> None:  # fmt: skip
        """One team: its people, the models they use, AI and cloud cost, trend."""
        flt = report_filter(preset=range_, from_=from_, to=to, integration=integration,
                            team=None, cost_center=None, person=None, model=None)  # fmt: skip
        run_view(lambda c, f: build_team(c, f, team=name), flt, output, title=f"Team {name}",
                 table=table)  # fmt: skip

    def spend_command(
        range_: Range = None, from_: From = None, to: To = None,
        integration: Integration = None, team: Team = None, cost_center: CostCenter = None,
        person: Person = None, output: Output = Format.table, table: TableName = None,
        by: Annotated[Grain, typer.Option("--by", help="day, week or month.")] = Grain.month,
        cost: CostOption = CostBasis.billed,
        owners: Annotated[bool, typer.Option(help="table: also show the Teams view (people, "
                                             "teams, unattributed).")] = True,
    ) -> None:  # fmt: skip
        """AI (Cursor cost) and cloud spend side by side, with shares.

        The AI side is cost = seats + on-demand (what Cursor bills beyond the plan), like
        the FOCUS export's BilledCost; JSON and CSV are the Spend page's (/api/v1/spend).
        See /glossary or docs/money.md for the money words.
        """
        flt = report_filter(preset=range_, from_=from_, to=to, integration=integration, team=team,
                            cost_center=cost_center, person=person, model=None)  # fmt: skip
        run_view(lambda c, f: build_spend(c, f, grain=by, cost=cost), flt, output,
                 title="AI and cloud spend", table=table)  # fmt: skip
        if owners and output is Format.table:
            run_view(lambda c, f: build_teams(c, f, cost=cost), flt, output, title="Owners")

    report_app.command("spend")(spend_command)
    app.command("spend-report")(spend_command)
    app.add_typer(report_app, name="report")
