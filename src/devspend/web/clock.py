"""The web app's notion of "now", injectable so tests never sleep or depend on the date."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

WallClock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time as an aware UTC datetime (the default :data:`WallClock`)."""
    return datetime.now(UTC)
