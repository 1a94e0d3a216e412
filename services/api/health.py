"""Liveness and readiness, unauthenticated, for orchestrators and load balancers."""

from __future__ import annotations

import asyncio

import msgspec
from litestar import Request, Response, get


class Health(msgspec.Struct):
    status: str
    checks: dict[str, str] = {}


@get("/health/live", operation_id="live", tags=["health"], exclude_from_auth=True)
async def live() -> Health:
    return Health(status="ok")


@get("/health/ready", operation_id="ready", tags=["health"], exclude_from_auth=True)
async def ready(request: Request) -> Response[Health]:
    checks: dict[str, str] = {}
    try:
        async with asyncio.timeout(2):
            await request.app.state.read_pool.fetchval("SELECT 1")
        checks["database"] = "ok"
    except Exception as error:  # the reason, not the connection string
        checks["database"] = f"unavailable: {type(error).__name__}"
    nc = request.app.state.nats
    checks["nats"] = "ok" if nc is not None and nc.is_connected else "unavailable"
    ok = all(v == "ok" for v in checks.values())
    status = "ok" if ok else "unavailable"
    # Parked events are an alert, not unreadiness: the service still serves.
    if ok:
        parked = await request.app.state.read_pool.fetchval("SELECT parked_event_count()")
        checks["projections"] = "ok" if not parked else f"{parked} parked event(s): run `credledger parked`"
        status = "ok" if not parked else "degraded"
    return Response(Health(status=status, checks=checks), status_code=200 if ok else 503)
