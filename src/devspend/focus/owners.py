"""Re-deriving cloud owners after the owner tag key changes.

The owner is extracted once at import (fast reports, indexable), so changing
``DEVSPEND_OWNER_TAG_KEY`` from ``owner`` to, say, ``team`` needs one pass over the
distinct tag sets already stored, not a re-import of every file.
"""

from __future__ import annotations

import json

import sqlalchemy as sa

from devspend.focus.mapping import owner_value
from devspend.store.cloud_writes import distinct_tag_sets, set_owner


def reassign_owners(engine: sa.Engine, *, owner_tag_key: str) -> int:
    """Set every cloud row's owner from its stored tags under ``owner_tag_key``; rows changed."""
    changed = 0
    with engine.begin() as conn:
        for tags in distinct_tag_sets(conn):
            owner = owner_value(json.loads(tags), owner_tag_key)
            changed += set_owner(conn, tags=tags, owner=owner)
    return changed
