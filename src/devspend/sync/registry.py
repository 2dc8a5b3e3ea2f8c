"""The lanes of a sync, in the order they start (see :mod:`devspend.sync.lanes`).

One lane per separately rate-limited endpoint. To add an endpoint: its path in
:data:`devspend.cursor.client.ENDPOINTS`, a fetch function that hands write jobs to
``ctx.write``, and one line here.
"""

from __future__ import annotations

from devspend.cursor.client import DAILY_USAGE_PATH, EVENTS_PATH, GROUPS_PATH, SPEND_PATH
from devspend.sync.events import fetch_events
from devspend.sync.lanes import Lane
from devspend.sync.team import fetch_billing_groups, fetch_daily_usage, fetch_spend

LANES: tuple[Lane, ...] = (
    Lane("events", EVENTS_PATH, fetch_events, required=True),
    # Right after the events of the same sync: the snapshot reconciles with them.
    Lane("spend", SPEND_PATH, fetch_spend, after="events"),
    Lane("daily_usage", DAILY_USAGE_PATH, fetch_daily_usage),
    Lane("groups", GROUPS_PATH, fetch_billing_groups),
)
