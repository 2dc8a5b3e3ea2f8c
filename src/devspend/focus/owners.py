"""Re-deriving cloud owners after the owner tag key changes.

The owner is extracted once at import (fast reports, indexable), so changing
``DEVSPEND_OWNER_TAG_KEY`` from ``owner`` to, say, ``team`` needs one pass over the
distinct tag sets already stored, not a re-import of every file.
"""

from __future__ import annotations

import json

import sqlalchemy as sa

from devspend.focus.mapping import owner_value
from devspend.store.cloud_tables import cloud_costs


def reassign_owners(engine: sa.Engine, *, owner_tag_key: str) -> int:
    """Set every cloud row's owner from its stored tags under ``owner_tag_key``; rows changed."""
    c = cloud_costs.c
    changed = 0
    with engine.begin() as conn:
        tag_sets = conn.execute(sa.select(c.tags).where(c.tags.is_not(None)).distinct()).scalars()
        for tags in list(tag_sets):
            owner = owner_value(json.loads(tags), owner_tag_key)
            result = conn.execute(
                cloud_costs.update()
                .where(c.tags == tags, c.owner.is_distinct_from(owner))
                .values(owner=owner)
            )
            changed += max(result.rowcount, 0)
    return changed
