"""``/healthz`` and ``/readyz`` for load balancers and orchestrators: no sign-in, no data.

``/healthz`` answers while the process serves HTTP at all (liveness); ``/readyz`` also
checks that the database answers and its migrations are current (readiness: send
traffic here). Neither says more than ok / not ready and a short category.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from devspend.store.migrate import readiness_problem

router = APIRouter(include_in_schema=False)
NO_STORE = {"cache-control": "no-store"}


@router.get("/healthz")
def healthz() -> JSONResponse:
    """The process is up."""
    return JSONResponse({"status": "ok"}, headers=NO_STORE)


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """The database is reachable and migrated: this replica can serve pages."""
    problem = await run_in_threadpool(readiness_problem, request.app.state.engine)
    if problem is not None:
        return JSONResponse({"status": "not ready", "reason": problem}, status_code=503,
                            headers=NO_STORE)  # fmt: skip
    return JSONResponse({"status": "ready"}, headers=NO_STORE)
