"""The one ASGI layer in front of the Litestar app: what every request gets, matched or not.

Servers run ``create_asgi_app()``, which is this layer around the app, so that even a request no
route matches (404/405) or that authentication refuses gets all of it:

- ``X-Request-Id``: the caller's when well-formed, a new one otherwise; kept as
  ``scope["request_id"]`` (bodies, logs) and :data:`CURRENT_REQUEST_ID` (log lines below the HTTP
  layer), echoed on every response;
- metrics (``taskmaster_http_*``, labelled by the route template Litestar's router left in the
  scope, never the raw path, and ``unmatched`` when no route matched);
- one ``api_access_logs`` row (batched by the Recorder) and one request log line (``LOG_REQUESTS``);
  liveness probes (``/health``) are counted but neither logged nor recorded;
- the seed documents' spellings of paths (``api/aliases.py``), rewritten to the route's own;
- the plain form of ``GET /api/v1/tasks/{id}`` served by its lean path (``api/hot.py``) rather
  than through the app's router, and that of ``POST /api/v1/tasks/next/claim`` by its own
  (``api/hot_claim.py``).

Why one layer rather than one per concern: each ASGI layer wraps ``send`` and adds frames to every
request, and on the hot path (``GET /api/v1/tasks/{id}``) those layers cost more than the query.
"""

from __future__ import annotations

import os
import re
import time
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from taskmaster.api.aliases import PATH_ALIASES
from taskmaster.api.hot import HotTaskRead
from taskmaster.api.hot_claim import HotClaim
from taskmaster.auth.access_log import access_entry
from taskmaster.auth.recorder import Recorder
from taskmaster.db.observe import CURRENT_REQUEST_ID
from taskmaster.observability.logs import RequestLog
from taskmaster.observability.metrics import OriginMetrics

REQUEST_ID_HEADER = b"x-request-id"
_WELL_FORMED_REQUEST_ID = re.compile(rb"^[A-Za-z0-9._:-]{8,128}$")
UNLOGGED_PATHS = frozenset({"/health"})
UNMATCHED = "unmatched"


def front_middleware(
    app: ASGIApp,
    metrics: OriginMetrics,
    recorder: Recorder,
    request_log: RequestLog | None,
    hot: HotTaskRead | None = None,
    claim: HotClaim | None = None,
) -> ASGIApp:
    """``hot``: the lean path of ``GET /api/v1/tasks/{id}`` (``api/hot.py``), ``claim`` that of
    ``POST /api/v1/tasks/next/claim`` (``api/hot_claim.py``), each used for the plain form of its
    request instead of the app."""
    latency, in_flight = metrics.latency, metrics.in_flight
    hot = hot if hot is not None and hot.enabled else None
    claim = claim if claim is not None and claim.enabled else None

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        alias = PATH_ALIASES.get(scope["path"])
        if alias is not None:  # a seed document's spelling of a route (api/aliases.py)
            scope = {**scope, "path": alias, "raw_path": alias.encode()}
        started = time.perf_counter()
        request_id: str | None = None
        user_agent: bytes | None = None
        for name, value in scope["headers"]:
            if name == REQUEST_ID_HEADER:
                if request_id is None and _WELL_FORMED_REQUEST_ID.match(value):
                    request_id = value.decode("ascii")
            elif name == b"user-agent" and user_agent is None:
                user_agent = value
        if request_id is None:
            request_id = os.urandom(16).hex()
        scope["request_id"] = request_id  # type: ignore[typeddict-unknown-key]
        echoed = (REQUEST_ID_HEADER, request_id.encode("ascii"))
        status = 500

        async def send_with_request_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), echoed]  # type: ignore[typeddict-item]
            await send(message)

        in_flight.inc()
        request_token = CURRENT_REQUEST_ID.set(request_id)
        try:
            task_id = hot.match(scope) if hot is not None else None
            if task_id is not None:
                await hot(scope, receive, send_with_request_id, task_id)
            elif claim is not None and claim.match(scope):
                await claim(scope, receive, send_with_request_id)
            else:
                await app(scope, receive, send_with_request_id)
        finally:
            CURRENT_REQUEST_ID.reset(request_token)
            in_flight.dec()
            elapsed = time.perf_counter() - started
            method = scope["method"]
            route = scope.get("path_template") or UNMATCHED  # type: ignore[call-overload]
            latency.observe(elapsed, (method, route, str(status)))  # counts requests too
            path = scope["path"]
            if path not in UNLOGGED_PATHS:
                identity: Any = scope.get("auth")
                key_id = getattr(identity, "key_id", None)
                recorder.record_access(
                    access_entry(scope, identity, status, elapsed, request_id, user_agent)
                )
                if request_log is not None:
                    # The path, never the query string (it may carry values).
                    request_log.write(request_id, key_id, method, route, path, status, elapsed)

    return middleware
