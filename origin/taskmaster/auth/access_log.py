"""ASGI middleware recording one ``api_access_logs`` entry per request (batched by the Recorder).

It wraps the whole app, so refusals (401/403/404/405) are logged too. It records method, path
with credential-like query values redacted, status, duration, client IP (as the edge asserted it
when the edge's signature verified), user agent, request id and the authenticated key id —
never a header value or a key. Liveness probes (``/health``) are not logged.
"""

from __future__ import annotations

import ipaddress
import time
from datetime import UTC, datetime
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from taskmaster.auth.recorder import AccessEntry, Recorder, redact_query
from taskmaster.db.context import WRITE_CONTEXT

LOGGED_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNLOGGED_PATHS = frozenset({"/health"})


def _ip(value: Any) -> str | None:
    try:
        return str(ipaddress.ip_address(value or ""))
    except ValueError:
        return None


def _user_agent(headers: list[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name == b"user-agent":
            return value.decode("latin-1")[:1000]
    return None


def access_log_middleware(app: ASGIApp, recorder: Recorder) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNLOGGED_PATHS:
            await app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        # The write context is per request: set by the auth stage, dropped here at the end.
        token = WRITE_CONTEXT.set(None)
        try:
            await app(scope, receive, send_and_watch)
        finally:
            WRITE_CONTEXT.reset(token)
            identity = scope.get("auth")
            method = scope["method"]
            query = redact_query(scope.get("query_string", b""))
            path = scope["path"] + ("?" + query if query else "")
            client = scope.get("client") or (None,)
            recorder.record_access(
                AccessEntry(
                    api_key_id=getattr(identity, "key_id", None),
                    request_id=str(scope.get("request_id", ""))[:200] or None,
                    method=method if method in LOGGED_METHODS else "OPTIONS",
                    path=path[:2048],
                    status_code=status if 100 <= status <= 599 else 500,
                    duration_ms=int((time.perf_counter() - started) * 1000),
                    client_ip=_ip(getattr(identity, "client_ip", None) or client[0]),
                    user_agent=_user_agent(scope.get("headers", [])),
                    created_at=datetime.now(UTC),
                )
            )

    return middleware
