"""How ``devspend serve`` logs: one line per event, as text or JSON, never a secret.

``DEVSPEND_LOG_FORMAT=json`` writes one JSON object per line (``ts``, ``level``,
``logger``, ``message`` and the event's fields: a sync's integration, trigger, status,
events, windows, rate_limited, seconds; a request error's method, route, status), for
log shippers; ``text`` (the default) writes the same line for people. uvicorn's own
loggers go through the same handler, so its access and error lines match.

Defence in depth: the code never logs a key or a password, and :class:`Redactor`
still masks anything shaped like a Cursor key (``key_`` + 16 or more characters), a
bearer token or a ``password=`` value in every line, should one ever slip through.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import TextIO

from devspend.settings import Settings

_SECRETS = re.compile(
    r"(?P<key>\bkey_[A-Za-z0-9_\-]{16,})"
    r"|(?P<bearer>(?i:bearer)\s+[A-Za-z0-9._~+/\-]{8,}=*)"
    r"|(?P<password>(?i:password)[\"']?\s*[=:]\s*[\"']?)[^\s\"',;&]+"
)
_STANDARD = frozenset(vars(logging.LogRecord("x", 0, "x", 0, "x", None, None))) | {
    "message", "asctime", "taskName", "color_message",
}  # fmt: skip


def redact(text: str) -> str:
    """``text`` with key-, token- and password-shaped values replaced by a marker."""

    def masked(match: re.Match[str]) -> str:
        if match.group("key"):
            return "key_[redacted]"
        if match.group("bearer"):
            return "Bearer [redacted]"
        return f"{match.group('password')}[redacted]"

    return _SECRETS.sub(masked, text)


class Redactor(logging.Filter):
    """Masks secrets in the formatted message of every record it passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message and the extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, value in vars(record).items():
            if name not in _STANDARD and not name.startswith("_"):
                entry[name] = value if isinstance(value, int | float | bool | None) else str(value)
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class _TextFormatter(logging.Formatter):
    def formatException(self, ei: object) -> str:
        return redact(super().formatException(ei))  # type: ignore[arg-type]


def configure_logging(settings: Settings, *, stream: TextIO | None = None) -> logging.Handler:
    """Send every log record (ours and uvicorn's) to ``stream`` in the configured format."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(Redactor())
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(_TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "devspend", False)]:
        root.removeHandler(old)
    handler.devspend = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # "running upgrade" on every start
    return handler
