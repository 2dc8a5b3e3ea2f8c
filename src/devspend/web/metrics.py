"""``GET /metrics`` in Prometheus format (prometheus-client), off unless switched on.

``DEVSPEND_METRICS``: ``off`` (default: 404), ``token`` (any devspend API token as
``Authorization: Bearer …``) or ``open`` (no sign-in: only on a private scrape network).

What it says (labels: ``integration`` id and ``name``, never a person — cardinality):

- ``devspend_integration_status{status}`` 1 for the integration's current status;
  ``devspend_integration_last_sync_age_seconds`` since its last successful sync;
- ``devspend_syncs_total{outcome}``, ``devspend_sync_events_total``,
  ``devspend_sync_windows_total``, ``devspend_sync_errors_total`` and
  ``devspend_sync_rate_limited_total`` (429s from Cursor): counted by *this* replica
  since it started (sum over replicas in Prometheus);
- month to date, in dollars: ``devspend_month_cost_dollars`` (seats + on-demand),
  ``devspend_month_on_demand_dollars`` and ``devspend_month_usage_value_dollars``
  (the words of docs/money.md), read through a 60-second cache;
- ``devspend_http_requests_total{method,route,status}`` and the histogram
  ``devspend_http_request_duration_seconds{method,route}``, ``route`` being the route's
  template (``/api/v1/people/{email}``), so paths never multiply series.

The request middleware also writes one log line per request that ends in a 5xx.
Each app has its own registry: nothing is global, so tests run apps side by side.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector
from sqlalchemy import Engine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from devspend.reports.seats import seat_summary
from devspend.store import accounts
from devspend.store.metrics_reads import month_figures
from devspend.sync.service import list_integrations
from devspend.web.clock import WallClock
from devspend.web.errors import PageNotFound
from devspend.web.security import digest
from devspend.web.sync_jobs import SyncJobs

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
MONEY_CACHE_SECONDS = 60.0
_STATUSES = ("connecting", "backfilling", "ok", "key_invalid", "not_enterprise",
             "rate_limited", "error", "disconnected")  # fmt: skip
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@dataclass(frozen=True, slots=True)
class _Money:
    cost: Decimal
    on_demand: Decimal
    usage_value: Decimal


class _StoreCollector(Collector):
    """Integration status, sync counters and month money, gathered at scrape time."""

    def __init__(self, engine: Engine, jobs: SyncJobs, clock: WallClock) -> None:
        self._engine = engine
        self._jobs = jobs
        self._clock = clock
        self._money: tuple[float, dict[int, _Money]] | None = None
        self._lock = threading.Lock()

    def collect(self) -> Iterator[Metric]:
        now = self._clock()
        with self._engine.connect() as conn:
            integrations = list_integrations(conn)
        labels = ["integration", "name"]
        status = GaugeMetricFamily("devspend_integration_status",
                                   "1 for the integration's current status",
                                   labels=[*labels, "status"])  # fmt: skip
        age = GaugeMetricFamily("devspend_integration_last_sync_age_seconds",
                                "seconds since the last successful sync (NaN: never)",
                                labels=labels)  # fmt: skip
        for i in integrations:
            ident = [str(i.id), i.name]
            for name in _STATUSES:
                status.add_metric([*ident, name], 1.0 if i.status == name else 0.0)
            seconds = (now - i.last_sync_at).total_seconds() if i.last_sync_at else math.nan
            age.add_metric(ident, seconds)
        yield status
        yield age
        yield from self._sync_counters({i.id: i.name for i in integrations})
        yield from self._money_gauges(integrations, now)

    def _sync_counters(self, names: dict[int, str]) -> Iterator[Metric]:
        counters = self._jobs.counters
        labels = ["integration", "name"]
        syncs = CounterMetricFamily("devspend_syncs", "syncs this replica ran, by outcome",
                                    labels=[*labels, "outcome"])  # fmt: skip
        for (integration_id, outcome), count in sorted(counters.syncs.items()):
            syncs.add_metric([str(integration_id), names.get(integration_id, ""), outcome],
                             count)  # fmt: skip
        yield syncs
        for name, help_text, values in (
            ("devspend_sync_events", "usage events stored by this replica's syncs",
             counters.events),
            ("devspend_sync_windows", "event windows fetched by this replica's syncs",
             counters.windows),
            ("devspend_sync_errors", "syncs of this replica that did not end ok",
             counters.errors),
            ("devspend_sync_rate_limited", "429 responses Cursor sent this replica's syncs",
             counters.rate_limited),
        ):  # fmt: skip
            family = CounterMetricFamily(name, help_text, labels=labels)
            for integration_id in names:
                family.add_metric([str(integration_id), names[integration_id]],
                                  values.get(integration_id, 0))  # fmt: skip
            yield family

    def _money_gauges(self, integrations: list[Any], now: datetime) -> Iterator[Metric]:
        money = self._cached_money(now)
        labels = ["integration", "name"]
        families = {
            "cost": GaugeMetricFamily("devspend_month_cost_dollars",
                                      "this UTC month so far: seats + on-demand", labels=labels),
            "on_demand": GaugeMetricFamily(
                "devspend_month_on_demand_dollars",
                "this UTC month so far: chargedCents of chargeable events", labels=labels),
            "usage_value": GaugeMetricFamily(
                "devspend_month_usage_value_dollars",
                "this UTC month so far: chargedCents of all events", labels=labels),
        }  # fmt: skip
        for i in integrations:
            figures = money.get(i.id, _Money(Decimal(0), Decimal(0), Decimal(0)))
            for key, family in families.items():
                family.add_metric([str(i.id), i.name], float(getattr(figures, key)))
        yield from families.values()

    def _cached_money(self, now: datetime) -> dict[int, _Money]:
        with self._lock:
            if self._money is not None and time.monotonic() - self._money[0] < MONEY_CACHE_SECONDS:
                return self._money[1]
            today = now.date()
            with self._engine.connect() as conn:
                figures = month_figures(conn, day=today)
                money: dict[int, _Money] = {}
                for integration in list_integrations(conn):
                    f = figures.get(integration.id)
                    on_demand = Decimal(f.on_demand_ucents if f else 0).scaleb(-6)  # cents
                    value = Decimal(f.usage_value_ucents if f else 0).scaleb(-6)
                    seats = seat_summary(conn, start=today.replace(day=1), end=today,
                                         integration_id=integration.id)  # fmt: skip
                    money[integration.id] = _Money(
                        cost=seats.cost_cents(on_demand) / 100, on_demand=on_demand / 100,
                        usage_value=value / 100,
                    )  # fmt: skip
            self._money = (time.monotonic(), money)
            return money


class Observability:
    """One app's registry: the HTTP request metrics plus the store collector."""

    def __init__(self, engine: Engine, jobs: SyncJobs, clock: WallClock) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.requests = Counter("devspend_http_requests", "HTTP requests served",
                                ["method", "route", "status"], registry=self.registry)  # fmt: skip
        self.latency = Histogram("devspend_http_request_duration_seconds",
                                 "time to the end of the response", ["method", "route"],
                                 registry=self.registry, buckets=_BUCKETS)  # fmt: skip
        self.registry.register(_StoreCollector(engine, jobs, clock))


def _route_of(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path
    return "/static" if str(scope.get("path", "")).startswith("/static/") else "unmatched"


class RequestMetricsMiddleware:
    """Counts and times every HTTP request by route template; logs 5xx in one line."""

    def __init__(self, app: ASGIApp, *, observability: Observability) -> None:
        self.app = app
        self.obs = observability

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, record)
        finally:
            seconds = time.perf_counter() - started
            method, route = str(scope.get("method", "")), _route_of(scope)
            self.obs.requests.labels(method, route, str(status)).inc()
            self.obs.latency.labels(method, route).observe(seconds)
            if status >= 500:
                log.error(
                    "request error method=%s route=%s status=%s seconds=%.3f", method, route,
                    status, seconds,
                    extra={"method": method, "route": route, "status": status,
                           "seconds": round(seconds, 3)},
                )  # fmt: skip


def install(app: FastAPI, *, engine: Engine, jobs: SyncJobs, clock: WallClock) -> None:
    """Add the request middleware (outermost) and the ``/metrics`` route's registry."""
    observability = Observability(engine, jobs, clock)
    app.state.observability = observability
    app.add_middleware(RequestMetricsMiddleware, observability=observability)
    app.include_router(router)


def _token_ok(request: Request) -> bool:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return False
    with request.app.state.engine.begin() as conn:
        user = accounts.user_for_token(conn, token_hash=digest(value.strip()),
                                       now=request.app.state.clock())  # fmt: skip
    return user is not None


@router.get("/metrics")
def metrics(request: Request) -> Response:
    """The Prometheus text exposition (see the module docstring for what is in it)."""
    mode = request.app.state.settings.metrics
    if mode == "off":
        raise PageNotFound("There is no such page.")
    if mode == "token" and not _token_ok(request):
        return Response("a devspend API token is needed (Authorization: Bearer …)\n",
                        status_code=401, media_type="text/plain",
                        headers={"www-authenticate": "Bearer"})  # fmt: skip
    observability: Observability = request.app.state.observability
    return Response(generate_latest(observability.registry), media_type=CONTENT_TYPE_LATEST,
                    headers={"cache-control": "no-store"})  # fmt: skip
