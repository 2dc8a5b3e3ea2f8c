"""``run_check``: evaluate every rule, record what is new, deliver it, retry what failed.

Once per rule, scope and period/day: each candidate's ``dedupe_key`` is inserted with
``ON CONFLICT DO NOTHING``, so of two replicas checking at once exactly one records
(and so owes the sends of) an alert. Each delivery is claimed by a conditional
UPDATE before it is sent, so a delivery is sent by one process only; a failure is
kept as ``failed`` with its reason, shown on the Alerts page and retried by the next
check (up to ``store.alerts.MAX_ATTEMPTS``). Muted rules are recorded, not sent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine

from devspend.alerts.channels import channel_url, send
from devspend.alerts.digest import build_digest, digest_channel_ids, digest_due
from devspend.alerts.evaluate import Evaluation, data_moment, evaluate
from devspend.errors import DevspendError
from devspend.settings import Settings
from devspend.store import alerts as store

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Found:
    """A candidate alert and what this check did with it."""

    alert: store.NewAlert
    new: bool
    muted: bool


@dataclass(frozen=True, slots=True)
class Delivery:
    alert_id: int
    channel: str
    status: str
    error: str | None


@dataclass(frozen=True, slots=True)
class CheckReport:
    evaluation: Evaluation
    found: list[Found]
    deliveries: list[Delivery]

    @property
    def new(self) -> list[Found]:
        return [f for f in self.found if f.new]


def run_check(
    engine: Engine, settings: Settings, *, now: datetime | None = None, deliver: bool = True
) -> CheckReport:
    """One check: evaluate at the data's moment, record new alerts, send due deliveries."""
    now = now or datetime.now(UTC)
    with engine.connect() as conn:
        evaluation = evaluate(conn, settings, as_of=data_moment(conn, now=now))
    with engine.begin() as conn:
        muted = store.muted_rules(conn)
        channels = [c.id for c in store.list_channels(conn)]
        # one read for what is known already; the unique key still decides races
        known = store.known_keys(conn, [a.dedupe_key for a in evaluation.alerts])
        fresh = [(a, a.rule in muted, [] if a.dedupe_key in evaluation.quiet_keys else channels)
                 for a in evaluation.alerts if a.dedupe_key not in known]  # fmt: skip
        if digest_due(settings, now=now):
            digest = build_digest(conn, settings, now=now, evaluation=evaluation)
            if not store.known_keys(conn, [digest.dedupe_key]):
                fresh.append((digest, "digest" in muted, digest_channel_ids(conn, settings)))
                evaluation.alerts.append(digest)
        inserted = store.record_alerts(conn, fresh, now=now)
    found = [Found(alert=a, new=a.dedupe_key in inserted, muted=a.rule in muted)
             for a in evaluation.alerts]  # fmt: skip
    deliveries = deliver_due(engine, settings, now=now) if deliver else []
    return CheckReport(evaluation=evaluation, found=found, deliveries=deliveries)


def deliver_due(engine: Engine, settings: Settings, *, now: datetime) -> list[Delivery]:
    """Send every pending or failed delivery this process manages to claim."""
    with engine.connect() as conn:
        due = store.due_deliveries(conn, now=now)
        names = {c.id: c.name for c in store.list_channels(conn)}
    out: list[Delivery] = []
    records: dict[int, store.AlertRecord] = {}
    for item in due:
        with engine.begin() as conn:
            claim = store.claim_delivery(conn, item, now=now)
            if claim is None:
                continue  # another replica is sending it
            if item.alert_id not in records:
                records[item.alert_id] = store.get_alert(conn, item.alert_id)
        alert = records[item.alert_id]
        try:
            url = channel_url(engine, settings, item.channel_id)
            error = send(url, title=_title(alert), body=_body(alert), fields=alert.payload)
        except DevspendError as exc:
            error = str(exc)
        with engine.begin() as conn:
            status = store.finish_delivery(conn, item, claim=claim, error=error, now=now)
        if error is not None:
            log.warning("alert %s to channel %s: %s", item.alert_id,
                        names.get(item.channel_id), error)  # fmt: skip
        out.append(Delivery(alert_id=item.alert_id, channel=names.get(item.channel_id, "?"),
                            status=status, error=error))  # fmt: skip
    return out


def _title(alert: store.AlertRecord) -> str:
    labels = {
        "budget_threshold": "budget threshold", "budget_forecast": "budget forecast",
        "limit_forecast": "Cursor limit", "anomaly": "spend anomaly",
        "new_pattern": "new usage pattern",
    }  # fmt: skip
    return f"devspend: {labels.get(alert.kind, alert.kind)} — {alert.scope}"


def _body(alert: store.AlertRecord) -> str:
    return alert.message + (f"\n{alert.link}" if alert.link else "")


def check_quietly(engine: Engine, settings: Settings) -> None:
    """The hook after a sync: run a check, log (never raise) what went wrong, so a broken
    channel can never fail a sync."""
    try:
        report = run_check(engine, settings)
    except Exception:
        log.exception("alerts check after sync failed")
        return
    if report.new:
        log.info("alerts check: %d new alert(s)", len(report.new))
