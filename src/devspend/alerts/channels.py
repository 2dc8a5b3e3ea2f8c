"""Notification channels: Apprise URLs, stored encrypted, sent to one alert at a time.

Apprise (Slack, Microsoft Teams, Discord, email over SMTP, ntfy, generic JSON
webhooks and ~100 more) turns one URL into a notifier. The URL carries the
channel's secrets (webhook tokens, SMTP passwords), so it is encrypted at rest with
the same :class:`~devspend.store.secrets.SecretBox` as API keys, and only
:func:`url_hint` (scheme and host) is ever shown back. A JSON webhook
(``json://``/``jsons://``) also receives the alert's structured fields under
``"alert"``, besides Apprise's ``title`` and ``message``.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import apprise
from apprise.plugins.custom_json import NotifyJSON
from sqlalchemy import Engine

from devspend.errors import ConfigError
from devspend.settings import Settings
from devspend.store import alerts as store
from devspend.store.secrets import secret_box

_HOST_SHOWN = frozenset({"json", "jsons", "xml", "xmls", "form", "forms", "mailto", "mailtos",
                         "ntfy", "ntfys"})  # fmt: skip


def url_hint(url: str) -> str:
    """What a channel list shows: ``json://127.0.0.1:8080/…`` or ``slack://…`` — never the
    path, the query or credentials (webhook tokens live there)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower() or "?"
    host = parts.hostname or ""
    if scheme in _HOST_SHOWN and host:
        port = f":{parts.port}" if parts.port else ""
        return f"{scheme}://{host}{port}/…"
    return f"{scheme}://…"


def check_url(url: str) -> None:
    """Refuse what Apprise cannot turn into a notifier, without echoing the URL."""
    if not url.strip() or apprise.Apprise.instantiate(url.strip()) is None:
        raise ConfigError(
            f"Apprise does not understand this URL ({url_hint(url)}); see "
            "https://github.com/caronc/apprise/wiki for the URL of each service "
            "(json://host/path for a webhook, mailto://… for email)."
        )


def add_channel(
    engine: Engine, settings: Settings, *, url: str, name: str | None, now: datetime
) -> store.ChannelRecord:
    """Validate and store a channel (encrypted); its name defaults to the URL's hint."""
    url = url.strip()
    check_url(url)
    box = secret_box(settings, create=True)
    label = (name or url_hint(url)).strip()[:200]
    with engine.begin() as conn:
        return store.create_channel(conn, name=label, url_encrypted=box.encrypt(url),
                                    hint=url_hint(url), now=now)  # fmt: skip


def send(url: str, *, title: str, body: str, fields: dict[str, Any] | None) -> str | None:
    """Send one notification; None when it was delivered, else why not (no secrets in it)."""
    notifier = apprise.Apprise.instantiate(url)
    if notifier is None:
        return "Apprise no longer understands this channel's URL"
    if fields is not None and isinstance(notifier, NotifyJSON):
        # added to the POSTed JSON next to title/message (Apprise's ":key=value" extras)
        notifier.payload_extras["alert"] = fields
    with apprise.LogCapture(level=logging.WARNING) as captured:  # type: ignore[no-untyped-call]
        try:
            ok = bool(notifier.notify(body=body, title=title))
        except Exception as exc:  # a plugin bug must not stop the other deliveries
            return f"{type(exc).__name__} while sending"
    if ok:
        return None
    lines = [line.strip() for line in captured.getvalue().splitlines() if line.strip()]
    reason = lines[-1] if lines else "the service refused or could not be reached"
    return reason[:500]


def channel_url(engine: Engine, settings: Settings, channel_id: int) -> str:
    """Decrypt one channel's URL for sending (never for display)."""
    with engine.connect() as conn:
        token = store.channel_secret(conn, channel_id)
    return secret_box(settings).decrypt(token)


def test_channel(engine: Engine, settings: Settings, *, channel_id: int) -> str | None:
    """Send a test message; None when it arrived, else the reason."""
    url = channel_url(engine, settings, channel_id)
    return send(url, title="devspend test", fields={"kind": "test"},
                body="devspend can reach this channel; alerts will arrive here.")  # fmt: skip
