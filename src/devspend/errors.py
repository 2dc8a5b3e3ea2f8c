"""Every error devspend raises on purpose, as one tree.

Faces (CLI, web) catch :class:`DevspendError` and show ``str(error)``: each
message is written for the person running devspend, names what to do next and
never contains an API key.

    DevspendError
    ├── ConfigError                  settings or files that cannot work
    │   └── SecretKeyError           the encryption key is missing or does not match
    ├── CursorError                  anything from talking to Cursor's Admin API
    │   ├── CursorAuthError          401: key wrong, revoked or not an Admin key
    │   ├── CursorPlanError          403: the team is not on an Enterprise plan
    │   ├── CursorRequestError       400: Cursor refused our request (a bug in devspend)
    │   ├── CursorUnavailableError   retries exhausted (429 storm, 5xx, network)
    │   └── CursorProtocolError      a response we cannot make sense of (bad JSON, repeated page)
    ├── StoreError                   the database refused or is out of step
    ├── SyncError                    a sync could not run
    │   └── SyncLockedError          another process is already syncing this integration
    ├── FocusImportError             a FOCUS file (or a row of it) cannot be imported
    ├── ReportFilterError            a report period or filter that cannot work
    └── NotFoundError                an integration, user or token that does not exist
"""

from __future__ import annotations


class DevspendError(Exception):
    """Base of every deliberate devspend error; ``str()`` is the user-facing message."""


class ConfigError(DevspendError):
    pass


class SecretKeyError(ConfigError):
    pass


class CursorError(DevspendError):
    """An error talking to Cursor; ``endpoint`` names the API path involved, if any."""

    def __init__(self, message: str, *, endpoint: str | None = None) -> None:
        super().__init__(message)
        self.endpoint = endpoint


INVALID_KEY_MESSAGE = (
    "Cursor rejected the API key (401 Invalid API key). Check that it is an Admin API key "
    "(it starts with 'key_'), that it was created by a Team Admin under Team Settings → "
    "API Keys, and that it has not been revoked or rotated."
)
NOT_ENTERPRISE_MESSAGE = (
    "Cursor refused access (403 Enterprise access required): the Admin API is only "
    "available to teams on an Enterprise plan."
)


class CursorAuthError(CursorError):
    def __init__(self, message: str = INVALID_KEY_MESSAGE, *, endpoint: str | None = None) -> None:
        super().__init__(message, endpoint=endpoint)


class CursorPlanError(CursorError):
    def __init__(
        self, message: str = NOT_ENTERPRISE_MESSAGE, *, endpoint: str | None = None
    ) -> None:
        super().__init__(message, endpoint=endpoint)


class CursorRequestError(CursorError):
    pass


class CursorUnavailableError(CursorError):
    pass


class CursorProtocolError(CursorError):
    pass


class StoreError(DevspendError):
    pass


class SyncError(DevspendError):
    pass


class SyncLockedError(SyncError):
    pass


class FocusImportError(DevspendError):
    """A FOCUS input problem; ``path`` and ``line`` locate it when known."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        super().__init__(where + message)
        self.path = path
        self.line = line
        self.reason = message


class ReportFilterError(DevspendError):
    """An unknown date range, a start after the end, a period too long."""


class NotFoundError(DevspendError):
    pass
