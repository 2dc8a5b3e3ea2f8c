"""Secrets and browser hardening: passwords, session ids, API tokens, CSRF, headers.

Nothing secret is ever stored: session ids and API tokens are random strings
whose SHA-256 digest is what the database holds, and passwords are argon2
hashes. CSRF uses a synchronizer token bound to the server-side session; before
login (login and first-admin forms) it falls back to a double-submit cookie.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

SESSION_COOKIE = "devspend_session"
CSRF_COOKIE = "devspend_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
API_TOKEN_PREFIX = "dsp_"  # noqa: S105 - a label, not a secret
MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"x-content-type-options", b"nosniff"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)
HSTS_HEADER = (b"strict-transport-security", b"max-age=31536000")


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (salted, tunable cost)."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; users without a password never match."""
    if not password_hash:
        # spend comparable time so absent users are not distinguishable by timing
        _hasher.hash(password)
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable, or ``None`` when it is."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Passwords need at least {MIN_PASSWORD_LENGTH} characters."
    return None


def new_secret(nbytes: int = 32) -> str:
    """A URL-safe random string for session ids, CSRF tokens and one-time passwords."""
    return secrets.token_urlsafe(nbytes)


def setup_token(secret_key: str | None) -> str:
    """The token the first-admin link carries (``/setup?token=…``), valid until a user exists.

    Random per process, as Jupyter's is; but with ``DEVSPEND_SECRET_KEY`` set (which
    replicas share) it is derived from that secret, so every replica prints and accepts
    the same link behind a load balancer. Knowing the secret already means running devspend.
    """
    if not secret_key:
        return new_secret()
    mac = hmac.new(secret_key.encode(), b"devspend first-admin setup v1", hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()[:24]).decode()


def digest(secret: str) -> str:
    """The SHA-256 hex digest stored in place of a session id or API token."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_api_token() -> str:
    """A new API token: a recognisable prefix plus 32 random bytes."""
    return API_TOKEN_PREFIX + secrets.token_urlsafe(32)


def tokens_match(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison that treats missing values as a mismatch."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class SecurityHeadersMiddleware:
    """Adds CSP, frame, referrer and sniffing headers to every HTTP response.

    Over HTTPS (directly, or as a trusted proxy reports it) browsers are told to stay
    on HTTPS; everything but static assets is ``Cache-Control: no-store``.

    A pure ASGI middleware (not ``BaseHTTPMiddleware``) so it adds no per-request
    task overhead and works with streaming responses such as CSV downloads.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in SECURITY_HEADERS if h[0] not in present)
                if scope.get("scheme") == "https":
                    headers.append(HSTS_HEADER)
                if not scope.get("path", "").startswith("/static/"):
                    # pages, CSV and JSON carry spend data: never keep them in any cache
                    headers = [(n, v) for n, v in headers if n.lower() != b"cache-control"]
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
