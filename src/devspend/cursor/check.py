"""What an API key can read, in plain words: the engine behind ``devspend cursor check``.

Each read endpoint is probed with the smallest request it accepts. The result says
which endpoints are readable, what is wrong (bad key, plan, a missing permission)
and how far back usage events go. A key is usable by devspend when it can read
usage events; the other endpoints enrich reports but are optional.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from devspend.cursor.ai_code import CHANGES, COMMITS, probe_ai_code
from devspend.cursor.client import DAILY_USAGE_PATH, SPEND_PATH, CursorClient
from devspend.cursor.endpoints import fetch_events_page, get_billing_groups, list_members
from devspend.cursor.history import find_history_start
from devspend.cursor.windows import DAY_MS
from devspend.errors import (
    CursorAuthError,
    CursorError,
    CursorPlanError,
    CursorUnavailableError,
)

KNOWN_KEY_PREFIXES = ("key_", "crsr_")
EVENTS = "usage events"
AI_CODE_LABELS = {COMMITS: "ai code commits", CHANGES: "ai code changes"}
NO_AI_CODE = (
    "AI Code Tracking (commits, changes) is not readable: it needs an Enterprise team "
    "with access to Cursor's AI Code Tracking API. Everything else works without it; "
    "the AI code sections stay empty."
)


@dataclass(slots=True)
class KeyCheck:
    """The verdict on a key: per-endpoint readability, problems, history depth."""

    readable: dict[str, bool] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    history_start: date | None = None

    @property
    def can_read_events(self) -> bool:
        """What makes a key usable by devspend; the other endpoints only enrich reports."""
        return self.readable.get(EVENTS, False)


def key_prefix_warning(api_key: str) -> str | None:
    """A warning for a key with an unfamiliar prefix (never refused: formats change)."""
    if api_key.startswith(KNOWN_KEY_PREFIXES):
        return None
    known = " or ".join(f"'{p}'" for p in KNOWN_KEY_PREFIXES)
    return (
        f"The key does not start with {known} like Cursor Admin API keys do; "
        "trying it anyway. If it fails, check you copied an Admin API key."
    )


def _probes(client: CursorClient, now_ms: int) -> list[tuple[str, Callable[[], Any]]]:
    """The smallest readable request per endpoint: one record of the last day, or all members."""
    last_day = (now_ms - DAY_MS + 1, now_ms)
    daily = {"startDate": last_day[0], "endDate": last_day[1], "page": 1, "pageSize": 1}
    return [
        ("members", lambda: list_members(client)),
        (EVENTS, lambda: fetch_events_page(client, window=last_day, page=1, page_size=1)),
        ("daily usage", lambda: client.post(DAILY_USAGE_PATH, body=daily)),
        ("spend", lambda: client.post(SPEND_PATH, body={"page": 1, "pageSize": 1})),
        ("billing groups", lambda: get_billing_groups(client)),
    ]


Outcome = tuple[Any, CursorError | None]  # a probe's answer, or the error it raised


def _attempt(probe: Callable[[], Any]) -> Outcome:
    try:
        return probe(), None
    except CursorError as exc:
        return None, exc


def check_key(client: CursorClient, *, now_ms: int, lookback_days: int = 365) -> KeyCheck:
    """Probe every read endpoint with this client's key and say what works and what not.

    Each endpoint has its own rate limit, so every probe (and the history search,
    which only uses usage events) is sent at once, each within its endpoint's own
    budget; the answers are then read in a fixed order, exactly as if they had been
    asked one after another, so the verdict does not depend on which came back first.
    """
    today = datetime.fromtimestamp(now_ms / 1000, tz=UTC).date()
    probes = _probes(client, now_ms)
    ai_probes = [
        (label, lambda endpoint=endpoint: probe_ai_code(client, endpoint, today=today))
        for endpoint, label in AI_CODE_LABELS.items()
    ]
    with ThreadPoolExecutor(max_workers=len(probes) + len(ai_probes) + 1,
                            thread_name_prefix="devspend-check") as pool:  # fmt: skip
        answers = [(label, pool.submit(_attempt, probe)) for label, probe in probes]
        ai_answers = [(label, pool.submit(_attempt, probe)) for label, probe in ai_probes]
        history = pool.submit(_attempt, lambda: find_history_start(
            client, now_ms=now_ms, lookback_days=lookback_days))  # fmt: skip
        result = KeyCheck()
        _read_answers(result, [(label, future.result()) for label, future in answers])
        ai_outcomes = [(label, future.result()) for label, future in ai_answers]
        history_outcome = history.result()
    if result.readable.get("members"):
        _read_ai_code(result, ai_outcomes)
    for label in [*(lb for lb, _ in probes), *AI_CODE_LABELS.values()]:
        result.readable.setdefault(label, False)  # the ones skipped after a fatal problem
    if result.can_read_events:
        start, error = history_outcome
        if error is not None:
            result.problems.append(f"history depth: {error}")
        else:
            result.history_start = start
    return result


def _read_answers(result: KeyCheck, outcomes: list[tuple[str, Outcome]]) -> None:
    for label, (_, error) in outcomes:
        if error is None:
            result.readable[label] = True
        elif isinstance(error, CursorAuthError | CursorUnavailableError):
            result.problems.append(str(error))
            break  # a bad key or an unreachable Cursor fails everywhere: say it once
        elif isinstance(error, CursorPlanError):
            result.readable[label] = False
            message = str(error)
            if label == "billing groups":
                message = (
                    "Billing groups are not readable (Enterprise only); "
                    "team allocation will use other sources."
                )
            if message not in result.problems:
                result.problems.append(message)
        else:
            result.readable[label] = False
            result.problems.append(f"{label}: {error}")


def _read_ai_code(result: KeyCheck, outcomes: list[tuple[str, Outcome]]) -> None:
    """The AI Code Tracking answers; a refusal there is no verdict on the key.

    The same key just read the Admin API, so a 401 here (what some servers send to
    teams without Enterprise access) means "no access", not "bad key".
    """
    for label, (_, error) in outcomes:
        if error is None:
            result.readable[label] = True
        elif isinstance(error, CursorAuthError | CursorPlanError):
            result.readable[label] = False
            if NO_AI_CODE not in result.problems:
                result.problems.append(NO_AI_CODE)
        else:
            result.readable[label] = False
            result.problems.append(f"{label}: {error}")
