"""SQL for budgets, channels, alerts, deliveries and mutes (see ``store.alert_tables``).

Once-only delivery across replicas rests on two atomic statements, no process lock:
``record_alert`` inserts with ``ON CONFLICT DO NOTHING`` on the alert's unique
``dedupe_key`` (only the replica whose insert lands creates its deliveries), and
``claim_delivery`` is an ``UPDATE … WHERE status IN (pending, failed)`` whose row
count says whether this process now owns the send.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from devspend.errors import ConfigError, NotFoundError
from devspend.store.alert_tables import (
    alert_channels,
    alert_deliveries,
    alert_mutes,
    alerts,
    budgets,
)
from devspend.store.upsert import insert_ignoring_conflicts

CLAIM_EXPIRES = timedelta(minutes=15)
"""A delivery left ``sending`` this long (its process died mid-send) may be claimed again."""
MAX_ATTEMPTS = 10
"""After this many failed attempts a delivery is ``gave_up`` (still shown, no longer retried)."""


def _utc(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


@dataclass(frozen=True, slots=True)
class BudgetRecord:
    id: int
    name: str
    amount_ucents: int
    period: str
    scope_kind: str
    scope_value: str | None
    figure: str
    thresholds: tuple[int, ...]
    forecast_alert: bool
    created_at: datetime


def _budget(m: Any) -> BudgetRecord:
    return BudgetRecord(
        id=int(m["id"]), name=str(m["name"]), amount_ucents=int(m["amount_ucents"]),
        period=str(m["period"]), scope_kind=str(m["scope_kind"]), scope_value=m["scope_value"],
        figure=str(m["figure"]),
        thresholds=tuple(int(t) for t in str(m["thresholds"]).split(",") if t),
        forecast_alert=bool(m["forecast_alert"]), created_at=_utc(m["created_at"]),
    )  # fmt: skip


def create_budget(
    conn: Connection, *, name: str, amount_ucents: int, period: str, scope_kind: str,
    scope_value: str | None, figure: str, thresholds: Sequence[int], forecast_alert: bool,
    now: datetime,
) -> BudgetRecord:  # fmt: skip
    """Store a budget; a name already taken is a :class:`ConfigError` (names are how the
    CLI and pages refer to budgets)."""
    if conn.execute(sa.select(budgets.c.id).where(budgets.c.name == name)).first():
        raise ConfigError(f"A budget named {name!r} already exists; pick another name.")
    new_id = conn.execute(
        budgets.insert().values(
            name=name, amount_ucents=amount_ucents, period=period, scope_kind=scope_kind,
            scope_value=scope_value, figure=figure,
            thresholds=",".join(str(t) for t in sorted(set(thresholds))),
            forecast_alert=forecast_alert, created_at=now,
        )
    ).inserted_primary_key
    assert new_id is not None
    return get_budget(conn, int(new_id[0]))


def get_budget(conn: Connection, budget_id: int) -> BudgetRecord:
    row = conn.execute(sa.select(budgets).where(budgets.c.id == budget_id)).first()
    if row is None:
        raise NotFoundError(f"No budget with id {budget_id}; `devspend budget list` shows them.")
    return _budget(row._mapping)


def find_budget(conn: Connection, ref: str) -> BudgetRecord:
    """A budget by id or by name."""
    query = sa.select(budgets).where(budgets.c.name == ref)
    if ref.isdigit():
        query = sa.select(budgets).where(sa.or_(budgets.c.id == int(ref), budgets.c.name == ref))
    row = conn.execute(query).first()
    if row is None:
        raise NotFoundError(f"No budget {ref!r}; `devspend budget list` shows them.")
    return _budget(row._mapping)


def list_budgets(conn: Connection) -> list[BudgetRecord]:
    return [_budget(r._mapping) for r in conn.execute(sa.select(budgets).order_by(budgets.c.id))]


def set_budget_amount(conn: Connection, budget_id: int, *, amount_ucents: int) -> None:
    conn.execute(budgets.update().where(budgets.c.id == budget_id)
                 .values(amount_ucents=amount_ucents))  # fmt: skip


def delete_budget(conn: Connection, budget_id: int) -> None:
    conn.execute(budgets.delete().where(budgets.c.id == budget_id))


@dataclass(frozen=True, slots=True)
class ChannelRecord:
    """A channel as shown: never its URL, only ``hint`` (scheme and host)."""

    id: int
    name: str
    hint: str
    created_at: datetime


def create_channel(
    conn: Connection, *, name: str, url_encrypted: bytes, hint: str, now: datetime
) -> ChannelRecord:
    if conn.execute(sa.select(alert_channels.c.id).where(alert_channels.c.name == name)).first():
        raise ConfigError(f"A channel named {name!r} already exists; pick another name.")
    new_id = conn.execute(
        alert_channels.insert().values(name=name, url_encrypted=url_encrypted, hint=hint,
                                       created_at=now)
    ).inserted_primary_key
    assert new_id is not None
    return ChannelRecord(id=int(new_id[0]), name=name, hint=hint, created_at=now)


def list_channels(conn: Connection) -> list[ChannelRecord]:
    c = alert_channels.c
    rows = conn.execute(sa.select(c.id, c.name, c.hint, c.created_at).order_by(c.id))
    return [ChannelRecord(id=int(r.id), name=str(r.name), hint=str(r.hint),
                          created_at=_utc(r.created_at)) for r in rows]  # fmt: skip


def find_channel(conn: Connection, ref: str) -> ChannelRecord:
    """A channel by id or name."""
    for channel in list_channels(conn):
        if channel.name == ref or (ref.isdigit() and channel.id == int(ref)):
            return channel
    raise NotFoundError(f"No channel {ref!r}; `devspend notify list` shows them.")


def channel_secret(conn: Connection, channel_id: int) -> bytes:
    """The encrypted URL of one channel (decrypted only by the sender)."""
    value = conn.execute(
        sa.select(alert_channels.c.url_encrypted).where(alert_channels.c.id == channel_id)
    ).scalar_one_or_none()
    if value is None:
        raise NotFoundError(f"No channel with id {channel_id}.")
    return bytes(value)


def delete_channel(conn: Connection, channel_id: int) -> None:
    conn.execute(alert_deliveries.delete().where(alert_deliveries.c.channel_id == channel_id))
    conn.execute(alert_channels.delete().where(alert_channels.c.id == channel_id))


@dataclass(frozen=True, slots=True)
class NewAlert:
    """An alert as a rule raises it; ``payload`` holds the structured fields as JSON data."""

    dedupe_key: str
    rule: str
    kind: str
    scope: str
    figure: str | None
    amount_ucents: int | None
    threshold_ucents: int | None
    period: str
    person: str | None
    team: str | None
    driver: str | None
    message: str
    link: str | None
    payload: dict[str, Any]


def muted_rules(conn: Connection) -> set[str]:
    return {str(r) for r in conn.execute(sa.select(alert_mutes.c.rule)).scalars()}


def set_muted(conn: Connection, *, rule: str, muted: bool, by: str | None, now: datetime) -> None:
    conn.execute(alert_mutes.delete().where(alert_mutes.c.rule == rule))
    if muted:
        conn.execute(alert_mutes.insert().values(rule=rule, muted_by=by, muted_at=now))


def _alert_values(alert: NewAlert, *, muted: bool, now: datetime) -> dict[str, Any]:
    return {
        "dedupe_key": alert.dedupe_key, "rule": alert.rule, "kind": alert.kind,
        "scope": alert.scope, "figure": alert.figure, "amount_ucents": alert.amount_ucents,
        "threshold_ucents": alert.threshold_ucents, "period": alert.period,
        "person": alert.person, "team": alert.team, "driver": alert.driver,
        "message": alert.message, "link": alert.link,
        "payload": json.dumps(alert.payload, sort_keys=True), "muted": muted, "created_at": now,
    }  # fmt: skip


def record_alerts(
    conn: Connection, items: Sequence[tuple[NewAlert, bool, Sequence[int]]], *, now: datetime
) -> dict[str, int]:
    """Insert each ``(alert, muted, channel ids)`` unless its ``dedupe_key`` exists, with
    its deliveries (none when muted), in the caller's transaction; the dedupe keys this
    call inserted, with their ids.

    One multi-row ``INSERT … ON CONFLICT DO NOTHING RETURNING``: of two replicas
    inserting the same key at once, only one gets it back, so only one owes its sends.
    """
    if not items:
        return {}
    statement = insert_ignoring_conflicts(conn, alerts).returning(alerts.c.id,
                                                                 alerts.c.dedupe_key)
    rows = [_alert_values(a, muted=m, now=now) for a, m, _c in items]
    inserted = {str(key): int(i) for i, key in conn.execute(statement, rows)}
    deliveries = [
        {"alert_id": inserted[a.dedupe_key], "channel_id": cid, "status": "pending",
         "attempts": 0}
        for a, muted, channel_ids in items if a.dedupe_key in inserted and not muted
        for cid in channel_ids
    ]  # fmt: skip
    if deliveries:
        conn.execute(alert_deliveries.insert(), deliveries)
    return inserted


def record_alert(
    conn: Connection, alert: NewAlert, *, channel_ids: Sequence[int], muted: bool, now: datetime
) -> int | None:
    """:func:`record_alerts` for one alert: its new id, or None if it was raised before."""
    return record_alerts(conn, [(alert, muted, channel_ids)], now=now).get(alert.dedupe_key)


def known_keys(conn: Connection, keys: Sequence[str]) -> set[str]:
    """Which of these dedupe keys are already raised."""
    found: set[str] = set()
    for i in range(0, len(keys), 500):
        chunk = list(keys[i : i + 500])
        query = sa.select(alerts.c.dedupe_key).where(alerts.c.dedupe_key.in_(chunk))
        found.update(str(k) for k in conn.execute(query).scalars())
    return found


@dataclass(frozen=True, slots=True)
class DueDelivery:
    alert_id: int
    channel_id: int
    attempts: int


def due_deliveries(conn: Connection, *, now: datetime) -> list[DueDelivery]:
    """Deliveries to (re)try: pending, failed, or stuck in ``sending`` past the claim expiry."""
    d = alert_deliveries.c
    rows = conn.execute(
        sa.select(d.alert_id, d.channel_id, d.attempts).where(sa.or_(
            d.status.in_(("pending", "failed")),
            sa.and_(d.status == "sending", d.claimed_at < now - CLAIM_EXPIRES),
        )).order_by(d.alert_id, d.channel_id)
    )  # fmt: skip
    return [DueDelivery(int(r.alert_id), int(r.channel_id), int(r.attempts)) for r in rows]


def claim_delivery(conn: Connection, due: DueDelivery, *, now: datetime) -> str | None:
    """Take one delivery for this process; the claim token, or None if another took it."""
    d = alert_deliveries.c
    token = uuid.uuid4().hex
    result = conn.execute(
        alert_deliveries.update()
        .where(d.alert_id == due.alert_id, d.channel_id == due.channel_id,
               sa.or_(d.status.in_(("pending", "failed")),
                      sa.and_(d.status == "sending", d.claimed_at < now - CLAIM_EXPIRES)))
        .values(status="sending", claim=token, claimed_at=now, attempts=d.attempts + 1)
    )  # fmt: skip
    return token if result.rowcount == 1 else None


def finish_delivery(
    conn: Connection, due: DueDelivery, *, claim: str, error: str | None, now: datetime
) -> str:
    """Record the outcome of a claimed send; the status it now has."""
    d = alert_deliveries.c
    if error is None:
        status = "sent"
    else:
        status = "gave_up" if due.attempts + 1 >= MAX_ATTEMPTS else "failed"
    conn.execute(
        alert_deliveries.update()
        .where(d.alert_id == due.alert_id, d.channel_id == due.channel_id, d.claim == claim)
        .values(status=status, last_error=error, sent_at=now if error is None else None)
    )
    return status


@dataclass(frozen=True, slots=True)
class DeliveryState:
    channel: str
    status: str
    attempts: int
    last_error: str | None
    sent_at: datetime | None


@dataclass(frozen=True, slots=True)
class AlertRecord:
    id: int
    rule: str
    kind: str
    scope: str
    figure: str | None
    amount_ucents: int | None
    threshold_ucents: int | None
    period: str
    person: str | None
    team: str | None
    driver: str | None
    message: str
    link: str | None
    payload: dict[str, Any]
    muted: bool
    created_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    deliveries: tuple[DeliveryState, ...]


def get_alert(conn: Connection, alert_id: int) -> AlertRecord:
    found = list_alerts(conn, alert_ids=[alert_id])
    if not found:
        raise NotFoundError(f"No alert with id {alert_id}.")
    return found[0]


def list_alerts(
    conn: Connection, *, limit: int = 200, alert_ids: Sequence[int] | None = None
) -> list[AlertRecord]:
    """Newest alerts first, each with the state of its deliveries."""
    query = sa.select(alerts).order_by(alerts.c.created_at.desc(), alerts.c.id.desc())
    if alert_ids is not None:
        query = query.where(alerts.c.id.in_(list(alert_ids)))
    rows = conn.execute(query.limit(limit)).all()
    ids = [int(r.id) for r in rows]
    states: dict[int, list[DeliveryState]] = {i: [] for i in ids}
    if ids:
        d = alert_deliveries.c
        for r in conn.execute(
            sa.select(d.alert_id, alert_channels.c.name, d.status, d.attempts, d.last_error,
                      d.sent_at)
            .join(alert_channels, alert_channels.c.id == d.channel_id)
            .where(d.alert_id.in_(ids)).order_by(d.alert_id, d.channel_id)
        ):  # fmt: skip
            states[int(r.alert_id)].append(DeliveryState(
                channel=str(r.name), status=str(r.status), attempts=int(r.attempts),
                last_error=r.last_error, sent_at=_utc(r.sent_at)))  # fmt: skip
    out = []
    for r in rows:
        m = r._mapping
        out.append(AlertRecord(
            id=int(m["id"]), rule=str(m["rule"]), kind=str(m["kind"]), scope=str(m["scope"]),
            figure=m["figure"], amount_ucents=m["amount_ucents"],
            threshold_ucents=m["threshold_ucents"], period=str(m["period"]),
            person=m["person"], team=m["team"], driver=m["driver"], message=str(m["message"]),
            link=m["link"], payload=json.loads(m["payload"]), muted=bool(m["muted"]),
            created_at=_utc(m["created_at"]), acknowledged_at=_utc(m["acknowledged_at"]),
            acknowledged_by=m["acknowledged_by"], deliveries=tuple(states[int(m["id"])]),
        ))  # fmt: skip
    return out


def acknowledge(conn: Connection, *, alert_id: int, by: str | None, now: datetime) -> None:
    result = conn.execute(
        alerts.update().where(alerts.c.id == alert_id).values(acknowledged_at=now,
                                                              acknowledged_by=by)
    )
    if result.rowcount != 1:
        raise NotFoundError(f"No alert with id {alert_id}.")
