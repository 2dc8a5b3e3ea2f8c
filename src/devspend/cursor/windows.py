"""Split a date range into windows Cursor accepts.

Cursor refuses ranges over 30 days, and both bounds are inclusive to the
millisecond. Consecutive windows therefore meet as ``[a, b]``, ``[b + 1, c]``: an
event at exactly ``b`` falls in one window only, and nothing between them is lost.
"""

from __future__ import annotations

DAY_MS = 86_400_000


def split_windows(*, start_ms: int, end_ms: int, max_days: int = 30) -> list[tuple[int, int]]:
    """Inclusive ``(start, end)`` windows of at most ``max_days`` days, oldest first."""
    if end_ms < start_ms:
        raise ValueError(f"range ends ({end_ms}) before it starts ({start_ms})")
    if max_days < 1:
        raise ValueError("windows must be at least one day long")
    span = max_days * DAY_MS
    windows: list[tuple[int, int]] = []
    lo = start_ms
    while lo <= end_ms:
        hi = min(lo + span - 1, end_ms)
        windows.append((lo, hi))
        lo = hi + 1
    return windows
