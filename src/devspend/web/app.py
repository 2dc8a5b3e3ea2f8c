"""``create_app(settings)``: the FastAPI application, built fresh for each caller.

Nothing is created at import time: the engine, templates and clock live on
``app.state`` of the instance the factory returns, so tests run many apps side by side.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from devspend.settings import Settings
from devspend.store.engine import open_database
from devspend.web import integration_health, metrics
from devspend.web.clock import WallClock, utc_now
from devspend.web.errors import install_error_handlers
from devspend.web.rendering import STATIC_DIR, build_templates
from devspend.web.request_guards import check_proxy_settings, install_guards
from devspend.web.routes import all_routers
from devspend.web.scheduler import Scheduler
from devspend.web.security import setup_token
from devspend.web.shared_transport import shared
from devspend.web.sync_jobs import SyncJobs
from devspend.web.view_cache import ViewCache
from devspend.web.warmup import ViewWarmer


def create_app(
    settings: Settings,
    *,
    engine: Engine | None = None,
    cursor_transport: httpx.BaseTransport | None = None,
    clock: WallClock = utc_now,
    run_scheduler: bool = False,
) -> FastAPI:
    """Build the web app; ``engine``/``cursor_transport``/``clock`` are injectable for tests.

    Without an engine the configured database is opened (and migrated) here and
    disposed of when the app shuts down. ``run_scheduler`` (``devspend serve``) syncs
    every integration every ``settings.sync_interval_minutes`` while the app runs.
    """
    check_proxy_settings(settings)
    owns_engine = engine is None
    db = engine if engine is not None else open_database(settings.effective_database_url)
    transport = shared(cursor_transport)
    jobs = SyncJobs(db, settings, transport=transport)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        scheduler = None
        if run_scheduler:
            scheduler = Scheduler(db, jobs, interval_seconds=settings.sync_interval_minutes * 60)
            scheduler.start()
        yield
        if scheduler is not None:
            scheduler.stop()
        if owns_engine:
            db.dispose()

    app = FastAPI(
        title="devspend",
        summary="Cursor AI spend per person and per model, as JSON.",
        description=(
            "Every page of the dashboard has a JSON twin under `/api/v1`, filled by the same "
            "query. Authenticate with the browser session cookie or with "
            "`Authorization: Bearer <token>` using an API token an admin created under "
            "Settings → API tokens. Period filters: `range` (7d, 30d, 90d, this_month, "
            "last_month, 365d, custom with `start`/`end`), `integration`. Money is exact: "
            "decimal strings of cents."
        ),
        version="1",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = db
    app.state.cursor_transport = transport
    app.state.clock = clock
    app.state.sync_jobs = jobs
    app.state.view_cache = ViewCache()
    app.state.view_warmer = ViewWarmer(app)
    jobs.on_finished = app.state.view_warmer.request
    app.state.templates = build_templates()
    integration_health.install(app.state.templates)
    # the first admin needs this one-time token (``devspend serve`` prints the link)
    app.state.setup_token = setup_token(
        settings.secret_key.get_secret_value() if settings.secret_key else None
    )
    install_guards(app, settings)
    metrics.install(app, engine=db, jobs=jobs, clock=clock)  # outermost: counts refusals too
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    install_error_handlers(app)
    for router in all_routers():
        app.include_router(router)
    return app
