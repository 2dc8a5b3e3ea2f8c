"""``devspend reconcile``: devspend's figures for the current billing cycle against Cursor's.

Exit status 0 when nothing is a ``mismatch`` and 1 otherwise, so it can run in cron.
The comparison is :func:`devspend.reports.reconcile.reconcile`; this only renders it.
"""

from __future__ import annotations

import json
from decimal import Decimal
from enum import StrEnum

import typer
from rich.console import Console
from rich.table import Table

from devspend.money import format_dollars
from devspend.reports.reconcile import MATCH, MISMATCH, Reconciliation, reconcile_all
from devspend.settings import load_settings
from devspend.store.engine import opened_database


class Format(StrEnum):
    table = "table"
    json = "json"


def _money(cents: Decimal | None) -> str:
    return "—" if cents is None else format_dollars(cents)


def _delta(cents: Decimal | None) -> str:
    if cents is None:
        return "—"
    return f"{'+' if cents > 0 else ''}{format(cents.normalize(), 'f')} ¢" if cents else "0"


def _status(status: str, reason: str | None) -> str:
    colour = {MATCH: "green", MISMATCH: "red"}.get(status, "yellow")
    return f"[{colour}]{status}[/]" + (f": {reason}" if reason else "")


def _render(console: Console, r: Reconciliation) -> None:
    console.print(f"[bold]{r.name}[/] (integration {r.integration_id}) — cycle from "
                  f"{r.cycle_start or '—'}; events synced through {r.events_through or '—'}, "
                  f"Cursor's spend taken at {r.spend_taken_at or '—'}")  # fmt: skip
    if r.note:
        console.print(f"  [yellow]•[/] {r.note}")
    members = Table(title="Per member (on-demand vs spendCents, usage value vs "
                    "overallSpendCents)", title_justify="left")  # fmt: skip
    for header in ("Email", "On-demand (events)", "spendCents", "Δ on-demand",
                   "Usage value (events)", "overallSpendCents", "Status"):  # fmt: skip
        members.add_column(header)
    for m in r.members:
        members.add_row(m.email, _money(m.events_on_demand_cents), _money(m.cursor_spend_cents),
                        _delta(m.delta_cents), _money(m.events_usage_value_cents),
                        _money(m.cursor_overall_cents), _status(m.status, m.reason))  # fmt: skip
    console.print(members)
    if r.groups:
        groups = Table(title="Per billing group (Σ members' on-demand vs the group's spendCents)",
                       title_justify="left")  # fmt: skip
        for header in ("Group", "Members", "On-demand (events)", "spendCents", "Δ", "Status"):
            groups.add_column(header)
        for g in r.groups:
            groups.add_row(g.name, str(g.members), _money(g.events_on_demand_cents),
                           _money(g.cursor_spend_cents), _delta(g.delta_cents),
                           _status(g.status, g.reason))  # fmt: skip
        console.print(groups)
    odd = [d for d in r.days if d.status != MATCH]
    console.print(f"Per day (usage-based / included event counts vs usageBasedReqs / "
                  f"subscriptionIncludedReqs): {len(r.days) - len(odd)} of {len(r.days)} "
                  "days match")  # fmt: skip
    for d in odd:
        console.print(f"  {d.day}: usage-based {d.events_usage_based} vs "
                      f"{d.cursor_usage_based_reqs}, included {d.events_included} vs "
                      f"{d.cursor_included_reqs} — {_status(d.status, d.reason)}")  # fmt: skip
    c = r.counts
    console.print(f"{c['match']} match, {c['explained']} explained, {c[MISMATCH]} mismatch")


def reconcile_command(
    integration: int = typer.Option(None, "--integration", help="Only this integration."),
    output: Format = typer.Option(Format.table, "--format", help="table or json."),
) -> None:
    """Prove devspend's figures for the current billing cycle against Cursor's own
    (/teams/spend, /teams/groups, daily usage); exit 1 when anything is a mismatch."""
    settings = load_settings()
    with opened_database(settings.effective_database_url) as engine, engine.connect() as conn:
        results = reconcile_all(conn, integration_id=integration)
    ok = all(r.ok for r in results)
    if output is Format.json:
        print(json.dumps({"ok": ok, "integrations": [r.as_json() for r in results]}, indent=2,
                         ensure_ascii=False))  # fmt: skip
    else:
        console = Console(highlight=False)
        if not results:
            console.print("No integrations; connect one with `devspend connect cursor`.")
        for r in results:
            _render(console, r)
    raise typer.Exit(code=0 if ok else 1)


def register(app: typer.Typer) -> None:
    """Add ``reconcile``."""
    app.command("reconcile")(reconcile_command)
