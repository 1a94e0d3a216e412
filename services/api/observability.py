"""What an operator sees of each request: its id, its measurements, its log line.

Every request gets an id of ours. It is answered in ``X-Request-ID``, carried by every log line written while the
request runs (services/logs.py), and stored with the events the request records (their ``request_id``, shown in
the compliance history), so a support question ("what happened to my request?") leads from the answer to the
events and back. An ``X-Request-ID`` the caller sent (a plain token) is kept in the request's access line as
``client_request_id``, never stored: a caller's own id could be anything, personal data included, and the events
outlive what crypto-shredding erases.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from services.logs import REQUEST_ID

HEADER = b"x-request-id"
_TOKEN = re.compile(rb"[A-Za-z0-9._:-]{1,128}")  # printable, no spaces: safe in a log line and a header
_CHANGES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
access_log = logging.getLogger("credledger.access")


def current_request_id() -> str | None:
    return REQUEST_ID.get()


def _client_request_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == HEADER and _TOKEN.fullmatch(value):
            return str(value.decode())
    return None


def observe_requests(app: ASGIApp) -> ASGIApp:
    """The outermost middleware: times the request, labels it by route template and status, counts commands."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex
        token = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        status = 500  # what a request that fails before answering counts as

        async def answer(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), (HEADER, request_id.encode())]
            await send(message)

        try:
            await app(scope, receive, answer)
        finally:
            _record(scope, status, time.perf_counter() - started, _client_request_id(scope))
            REQUEST_ID.reset(token)

    return middleware


def _record(scope: Scope, status: int, seconds: float, client_request_id: str | None) -> None:
    method = scope["method"]
    # The route's template (/v1/organizations/{organization_id}), never the path: ids would make a series per
    # record. A path no route matched is one series.
    route = scope.get("path_template") or "unmatched"
    handler: Any = scope.get("route_handler")
    metrics = scope["app"].state.get("metrics") if "app" in scope else None
    if metrics is not None:
        metrics.requests.labels(method, route, str(status)).observe(seconds)
        if method in _CHANGES and route.startswith("/v1/") and handler is not None:
            metrics.command(handler.operation_id or handler.handler_name, status)
    # Only built when written (JSON mode): at a terminal the access log is off, and this runs on every request.
    if access_log.isEnabledFor(logging.INFO):
        access_log.info(
            "%s %s %d %.1fms",
            method,
            route,
            status,
            seconds * 1000,
            extra={
                "method": method,
                "route": route,
                "status": status,
                "duration_ms": round(seconds * 1000, 1),
                "client_request_id": client_request_id,
            },
        )
