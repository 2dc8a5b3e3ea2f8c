"""Who is really asking, and for which host: trusted proxies, Host/Origin checks, body limits.

Three pure ASGI middlewares the app factory installs around every route:

- :class:`ClientAddressMiddleware` decides the client's address and scheme from the
  socket peer alone, unless that peer is one of ``DEVSPEND_TRUSTED_PROXIES``; only
  then are ``X-Forwarded-For`` (rightmost untrusted hop), ``X-Real-IP`` and
  ``X-Forwarded-Proto`` believed. Everything downstream (login throttling, secure
  cookies, HSTS, the trusted sign-in header) reads the result from the scope.
- :class:`HostOriginMiddleware` answers only to Host names devspend is served as
  (localhost, IP literals, ``DEVSPEND_HOST``, ``DEVSPEND_ALLOWED_HOSTS``), which defeats
  DNS rebinding, and refuses state-changing requests whose ``Origin`` is foreign.
- :class:`BodyLimitMiddleware` caps upload bodies (``DEVSPEND_MAX_UPLOAD_MB``) whether
  or not the client announced a ``Content-Length``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse

from devspend.errors import ConfigError
from devspend.settings import Settings
from devspend.web.security import (
    ASGIApp,
    Message,
    Receive,
    Scope,
    SecurityHeadersMiddleware,
    Send,
)

PEER_KEY = "devspend.peer"
"""Scope key holding the socket peer's address (before any proxy header was believed)."""

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WILDCARD_BINDS = frozenset({"", "0.0.0.0", "::", "[::]"})  # noqa: S104 - names, not a bind
LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain"})


def _ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None


class TrustedProxies:
    """The configured proxy addresses/networks; empty means "believe no proxy header"."""

    def __init__(self, entries: Iterable[str]) -> None:
        self.networks = [ipaddress.ip_network(e, strict=False) for e in entries]

    def __bool__(self) -> bool:
        return bool(self.networks)

    def trusts(self, address: str | None) -> bool:
        ip = _ip(address) if address else None
        return ip is not None and any(ip in net for net in self.networks)

    def client_of(self, peer: str, headers: list[tuple[bytes, bytes]]) -> str:
        """The real client behind ``peer``: the peer itself unless it is a trusted proxy.

        ``X-Forwarded-For`` is read from the right, skipping trusted hops, so a client
        cannot pick its own address by sending the header itself.
        """
        if not self.trusts(peer):
            return peer
        forwarded = [v.decode("latin-1") for k, v in headers if k == b"x-forwarded-for"]
        hops = [h.strip() for h in ",".join(forwarded).split(",") if h.strip()]
        for hop in reversed(hops):
            if _ip(hop) is None:
                return peer  # a garbled chain: trust none of it
            if not self.trusts(hop):
                return hop
        if hops:
            return hops[0]
        real = [v.decode("latin-1").strip() for k, v in headers if k == b"x-real-ip"]
        if real and _ip(real[-1]) is not None:
            return real[-1]
        return peer


def peer_address(request: Request) -> str | None:
    """The socket peer of this request (the proxy, when there is one)."""
    peer = request.scope.get(PEER_KEY)
    if isinstance(peer, str):
        return peer
    return request.client.host if request.client else None


def client_address(request: Request) -> str:
    """The client's address as :class:`ClientAddressMiddleware` decided it."""
    return request.client.host if request.client else "unknown"


class ClientAddressMiddleware:
    """Rewrites the scope's client and scheme from proxy headers of trusted peers only."""

    def __init__(self, app: ASGIApp, *, trusted_proxies: Iterable[str]) -> None:
        self.app = app
        self.proxies = TrustedProxies(trusted_proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            client = scope.get("client")
            peer = str(client[0]) if client else ""
            scope[PEER_KEY] = peer
            if peer and self.proxies.trusts(peer):
                headers = list(scope.get("headers", []))
                real = self.proxies.client_of(peer, headers)
                if real != peer:
                    scope["client"] = (real, 0)
                proto = [v.decode("latin-1").strip().lower() for k, v in headers
                         if k == b"x-forwarded-proto"]  # fmt: skip
                if proto and proto[-1] in ("http", "https"):
                    scope["scheme"] = proto[-1]
        await self.app(scope, receive, send)


def _hostname(netloc: str) -> str:
    """``Host``/origin netloc → lower-case host name without port or IPv6 brackets."""
    netloc = netloc.strip().lower()
    if netloc.startswith("["):
        return netloc[1 : netloc.find("]")] if "]" in netloc else netloc
    return netloc.rsplit(":", 1)[0] if netloc.count(":") == 1 else netloc


class AllowedHosts:
    """Host names devspend answers to.

    Always: ``localhost``, any IP literal (a rebinding attack needs a host *name*) and
    the address it is served on; plus the configured names, where ``.example.com`` or
    ``*.example.com`` also matches subdomains and ``*`` matches anything.
    """

    def __init__(self, configured: Iterable[str], *, served_host: str) -> None:
        self.names: set[str] = set()
        self.suffixes: list[str] = []
        self.any = False
        for entry in configured:
            entry = entry.strip().lower()
            if entry == "*":
                self.any = True
            elif entry.startswith(("*.", ".")):
                self.suffixes.append("." + entry.lstrip("*."))
            elif entry:
                self.names.add(_hostname(entry))
        served = _hostname(served_host)
        self.fixed = LOCAL_NAMES | ({served} if served not in WILDCARD_BINDS else set())

    def configured(self, hostname: str) -> bool:
        """Named by ``DEVSPEND_ALLOWED_HOSTS`` (which also vouches for that Origin)."""
        return (
            self.any
            or hostname in self.names
            or any(hostname.endswith(s) or hostname == s[1:] for s in self.suffixes)
        )

    def allows(self, hostname: str) -> bool:
        return hostname in self.fixed or _ip(hostname) is not None or self.configured(hostname)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


class HostOriginMiddleware:
    """Refuses unknown ``Host`` names, and foreign ``Origin`` on state-changing requests.

    A request's ``Origin`` passes when it is the same origin as its ``Host`` or its host
    is explicitly allowed (a TLS proxy in front may present another name and scheme).
    Requests without ``Origin`` (scripts, older browsers) still need their CSRF token.
    """

    def __init__(self, app: ASGIApp, *, allowed: AllowedHosts) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            problem = self._problem(scope)
            if problem is not None:
                status, message = problem
                await PlainTextResponse(message, status_code=status)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _problem(self, scope: Scope) -> tuple[int, str] | None:
        host = _header(scope, b"host")
        if host is not None and not self.allowed.allows(_hostname(host)):
            return 400, (
                f"devspend is not served as {_hostname(host)!r}. If that is its address, "
                "add it to DEVSPEND_ALLOWED_HOSTS."
            )
        if scope.get("method", "GET") in SAFE_METHODS:
            return None
        origin = _header(scope, b"origin")
        if origin is None:
            return None
        netloc = urlsplit(origin.strip()).netloc.lower()
        if netloc and host is not None and netloc == host.strip().lower():
            return None
        if netloc and self.allowed.configured(_hostname(netloc)):
            return None
        return 403, "This request came from another site and was refused."


class BodyLimitMiddleware:
    """Caps the request body of ``paths`` at ``max_bytes`` (413 beyond it).

    An announced ``Content-Length`` is refused before anything is read; otherwise the
    bytes are counted as they arrive and the request fails once past the cap, so a
    chunked upload cannot fill the disk either.
    """

    def __init__(self, app: ASGIApp, *, paths: Iterable[str], max_bytes: int) -> None:
        self.app = app
        self.paths = tuple(paths)
        self.max_bytes = max_bytes

    def _message(self) -> str:
        megabytes = self.max_bytes // (1024 * 1024)
        return (
            f"The upload is larger than the {megabytes} MB limit (DEVSPEND_MAX_UPLOAD_MB); "
            "compress it (.csv.gz or Parquet) or split it."
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(self.paths):
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared and declared.strip().isdigit() and int(declared) > self.max_bytes:
            response = PlainTextResponse(self._message(), status_code=413)
            await response(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise HTTPException(status_code=413, detail=self._message())
            return message

        await self.app(scope, counted, send)


UPLOAD_PATHS = ("/settings/cloud-costs/",)


def check_proxy_settings(settings: Settings) -> None:
    """Refuse a trusted sign-in header that any client could send (no proxy configured)."""
    if settings.trusted_auth_header and not settings.trusted_proxies:
        raise ConfigError(
            "DEVSPEND_TRUSTED_AUTH_HEADER needs DEVSPEND_TRUSTED_PROXIES: the addresses of "
            "the sign-in proxies allowed to send it (otherwise anyone could set it)."
        )


def install_guards(app: Starlette, settings: Settings) -> None:
    """Install the guards and the security headers around every route, outermost last.

    Order (outside in): client address → security headers (so refusals get them too,
    and HSTS sees the proxy's scheme) → Host/Origin → upload size → the routes.
    """
    app.state.trusted_proxies = TrustedProxies(settings.trusted_proxies)
    app.add_middleware(
        BodyLimitMiddleware, paths=UPLOAD_PATHS, max_bytes=settings.max_upload_mb * 1024 * 1024
    )
    app.add_middleware(
        HostOriginMiddleware,
        allowed=AllowedHosts(settings.allowed_hosts, served_host=settings.host),
    )
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(ClientAddressMiddleware, trusted_proxies=settings.trusted_proxies)
