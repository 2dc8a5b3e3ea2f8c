"""The weekly digest: cost this week vs last, top people and models, movers, budgets at
risk, integrations with problems — sent once a week to the digest channels.

Off unless ``DEVSPEND_DIGEST_CHANNELS`` names channels; due from
``DEVSPEND_DIGEST_DAY`` (``mon``…``sun``) at ``DEVSPEND_DIGEST_HOUR`` (UTC). It travels
as an alert (kind ``digest``, one per week: ``digest:<week start>``), so it is claimed,
sent once across replicas and retried like any other alert. "This week" is the seven
whole days before the digest's day; cost is on-demand plus the seats of those days.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy.engine import Connection

from devspend.alerts.evaluate import Evaluation
from devspend.alerts.inputs import dollars, fields
from devspend.money import from_micros
from devspend.reports.seats import cost_cents, seat_summary
from devspend.settings import Settings
from devspend.store import alert_reads as reads
from devspend.store import alerts as store
from devspend.store.integrations import list_integrations

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TOP = 5


def digest_due(settings: Settings, *, now: datetime) -> bool:
    """Whether a digest belongs to this moment: configured, its weekday, past its hour."""
    return (bool(settings.digest_channels) and DAYS[now.weekday()] == settings.digest_day
            and now.hour >= settings.digest_hour)  # fmt: skip


def digest_channel_ids(conn: Connection, settings: Settings) -> list[int]:
    wanted = {n.strip() for n in (settings.digest_channels or "").split(",") if n.strip()}
    return [c.id for c in store.list_channels(conn) if c.name in wanted]


def _week(conn: Connection, *, start: date) -> tuple[dict[str, int], dict[str, int], int]:
    """(on-demand per person, usage value per model, Σ on-demand) over 7 days from ``start``."""
    end = start + timedelta(days=6)
    people: dict[str, int] = defaultdict(int)
    for r in reads.person_days(conn, start=start, end=end):
        people[r.email] += r.chargeable_ucents
    by_model: dict[str, int] = defaultdict(int)
    for m in reads.model_days(conn, start=start, end=end):
        by_model[m.model] += m.charged_ucents
    return people, by_model, sum(people.values())


def build_digest(
    conn: Connection, settings: Settings, *, now: datetime, evaluation: Evaluation
) -> store.NewAlert:
    """The digest of the week before ``now``'s day."""
    this_start = now.date() - timedelta(days=7)
    last_start = this_start - timedelta(days=7)
    people, by_model, total = _week(conn, start=this_start)
    before, _models, total_before = _week(conn, start=last_start)
    seats_now = seat_summary(conn, start=this_start, end=now.date() - timedelta(days=1))
    seats_before = seat_summary(conn, start=last_start, end=this_start - timedelta(days=1))
    cost = cost_cents(seat_cents=seats_now.seat_cents, on_demand_cents=from_micros(total))
    cost_before = cost_cents(seat_cents=seats_before.seat_cents,
                             on_demand_cents=from_micros(total_before))  # fmt: skip
    change = "" if not cost_before else f" ({(cost - cost_before) * 100 / cost_before:+.0f} %)"
    lines = [f"Cost {this_start} – {now.date() - timedelta(days=1)}: {dollars(cost)} "
             f"vs {dollars(cost_before)} the week before{change}."]  # fmt: skip
    if seats_now.label:
        lines.append(f"({seats_now.label}: cost is on-demand alone.)")
    top = sorted(people.items(), key=lambda kv: -kv[1])[:_TOP]
    if top:
        lines.append("Top people (on-demand): " + ", ".join(f"{e} {dollars(v)}" for e, v in top))
    models = sorted(by_model.items(), key=lambda kv: -kv[1])[:_TOP]
    if models:
        lines.append("Top models (usage value): " +
                     ", ".join(f"{m} {dollars(v)}" for m, v in models))  # fmt: skip
    movers = sorted(((e, people.get(e, 0) - before.get(e, 0)) for e in set(people) | set(before)),
                    key=lambda kv: -abs(kv[1]))[:_TOP]  # fmt: skip
    movers = [(e, d) for e, d in movers if d]
    if movers:
        lines.append("Movers: " + ", ".join(
            f"{e} {'+' if d > 0 else '-'}{dollars(abs(d))}" for e, d in movers))  # fmt: skip
    risky = [s for s in evaluation.budgets if s.at_risk]
    lines.append("Budgets at risk: " + (", ".join(
        f"“{s.budget.name}” {dollars(s.spent_cents)} of {dollars(s.amount_cents)}, forecast "
        f"{dollars(s.forecast_cents)}" for s in risky) if risky else "none."))  # fmt: skip
    stale_after = timedelta(minutes=3 * settings.sync_interval_minutes)
    problems = []
    for i in list_integrations(conn):
        if i.status != "ok":
            problems.append(f"{i.name}: {i.status}" + (f" ({i.status_message})"
                                                       if i.status_message else ""))  # fmt: skip
        elif i.last_sync_at is None or now - i.last_sync_at > stale_after:
            problems.append(f"{i.name}: last synced {i.last_sync_at or 'never'}")
    lines.append("Integrations with problems: " + ("; ".join(problems) if problems else "none."))
    text = "\n".join(lines)
    link = f"{settings.effective_public_url}/alerts"
    period = f"{this_start}..{now.date() - timedelta(days=1)}"
    return store.NewAlert(
        dedupe_key=f"digest:{this_start}", rule="digest", kind="digest", scope="all",
        figure="cost", amount_ucents=None, threshold_ucents=None, period=period, person=None,
        team=None, driver=None, message=text, link=link,
        payload=fields(rule="digest", kind="digest", scope="all", figure="cost",
                       amount_cents=cost, previous_cents=cost_before, period=period,
                       top_people=[{"email": e, "on_demand_cents": str(from_micros(v))}
                                   for e, v in top],
                       budgets_at_risk=[s.budget.name for s in risky], problems=problems,
                       link=link, text=text),
    )  # fmt: skip
