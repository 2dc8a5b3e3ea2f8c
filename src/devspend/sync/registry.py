"""The lanes of a sync, in the order they start (see :mod:`devspend.sync.lanes`).

One lane per separately rate-limited endpoint. To add an endpoint: its path in
:data:`devspend.cursor.client.ENDPOINTS`, a fetch function that hands write jobs to
``ctx.write``, and one line here.
"""

from __future__ import annotations

from devspend.cursor.ai_code import CHANGES, COMMITS
from devspend.cursor.client import (
    AI_CODE_CHANGES_PATH,
    AI_CODE_COMMITS_PATH,
    DAILY_USAGE_PATH,
    EVENTS_PATH,
    GROUPS_PATH,
    SPEND_PATH,
)
from devspend.sync.ai_code import fetch_ai_code
from devspend.sync.events import fetch_events
from devspend.sync.lanes import Lane
from devspend.sync.team import fetch_billing_groups, fetch_daily_usage, fetch_spend

LANES: tuple[Lane, ...] = (
    Lane("events", EVENTS_PATH, fetch_events, required=True),
    # Right after the events of the same sync: the snapshot reconciles with them.
    Lane("spend", SPEND_PATH, fetch_spend, after="events"),
    Lane("daily_usage", DAILY_USAGE_PATH, fetch_daily_usage),
    Lane("groups", GROUPS_PATH, fetch_billing_groups),
    # Beside the events from the start (each endpoint has its own limit, and the whole
    # first sync is bounded by the slowest lane): their pages cannot delay the events',
    # because the writer takes the required lane's writes first (sync.lanes).
    Lane("ai_code_commits", AI_CODE_COMMITS_PATH, fetch_ai_code(COMMITS)),
    Lane("ai_code_changes", AI_CODE_CHANGES_PATH, fetch_ai_code(CHANGES)),
)
