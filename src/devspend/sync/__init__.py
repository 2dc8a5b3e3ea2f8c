"""Where fetched Cursor records meet the database: planning, windows, checkpoints, locks.

Faces call :mod:`devspend.sync.service` (connect, sync, replace a key, disconnect);
``docs/events-without-ids.md`` explains how events without ids are stored exactly.
"""
