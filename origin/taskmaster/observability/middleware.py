"""The observe middleware: per-request metrics and the one structured log line per request.

It wraps the Litestar app (inside the request-id middleware, so the id is known), so it sees every
request, refusals and unmatched paths included. The route label is Litestar's path template
(``/api/v1/tasks/{task_id}``), read from the scope after the router set it, never the raw path
(which would make one series per id); requests no route matched are ``unmatched``.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from taskmaster.db.observe import CURRENT_REQUEST_ID
from taskmaster.observability.metrics import OriginMetrics

request_logger = logging.getLogger("taskmaster.request")
UNLOGGED_PATHS = frozenset({"/health"})  # liveness probes: counted, not logged
UNMATCHED = "unmatched"


def observe_middleware(app: ASGIApp, metrics: OriginMetrics, *, log_requests: bool) -> ASGIApp:
    requests, latency, in_flight = metrics.requests, metrics.latency, metrics.in_flight

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        in_flight.inc()

        async def send_and_watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        token = CURRENT_REQUEST_ID.set(scope.get("request_id", ""))  # type: ignore[arg-type]
        try:
            await app(scope, receive, send_and_watch)
        finally:
            CURRENT_REQUEST_ID.reset(token)
            in_flight.dec()
            elapsed = time.perf_counter() - started
            method = scope["method"]
            route = scope.get("path_template") or UNMATCHED  # type: ignore[call-overload]
            labels = (method, route, str(status))
            requests.inc(labels)
            latency.observe(elapsed, labels)
            if log_requests and scope["path"] not in UNLOGGED_PATHS:
                identity: Any = scope.get("auth")
                request_logger.info(
                    "request",
                    extra={
                        "request_id": scope.get("request_id"),
                        "key_id": getattr(identity, "key_id", None),
                        "method": method,
                        "route": route,
                        "path": scope["path"],  # never the query string (it may carry values)
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 3),
                    },
                )

    return middleware
