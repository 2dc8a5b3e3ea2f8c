"""One sync per integration at a time: a second attempt fails fast with SyncLockedError."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from devspend.errors import SyncLockedError
from devspend.store.locks import sync_lock


def test_second_lock_is_refused_until_released(engine: sa.Engine) -> None:
    with sync_lock(engine, 1):
        with pytest.raises(SyncLockedError, match="already running"), sync_lock(engine, 1):
            pass
        with sync_lock(engine, 2):  # other integrations are independent
            pass
    with sync_lock(engine, 1):  # released
        pass
