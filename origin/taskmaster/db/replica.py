"""Read replica routing: the one place that decides which requests may read from the replica.

With ``DATABASE_READ_URL`` set, the app opens a second :class:`ConnectionPool` on it and runs
:func:`read_routing_middleware` right after authentication (so key look-ups, which must see a
revocation at once, stay on the primary). For a *safe read* — a GET/HEAD of an ``/api/v1``
resource outside :data:`PRIMARY_ONLY` — it sets :data:`~taskmaster.db.pool.READ_POOL`; every
``pool.connection()`` of the request then hands out a replica connection, falling back to the
primary when the replica cannot give one. Writes never see the route (a write request is never a
GET, and a write transaction ignores it), so read-your-writes within a request holds; across
requests, ``db/consistency.py`` decides (the caller's last write replayed, lag under the limit,
no ``Consistency: strong``), and is told of every write request before its answer is sent.

When the replica fails mid-request (its connections were cut), the 503 it caused is not sent: the
request runs once more with every read on the primary. Services know nothing of any of this.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from taskmaster.db.consistency import Consistency
from taskmaster.db.pool import READ_POOL, ConnectionPool, ReadRoute

logger = logging.getLogger("taskmaster.db.replica")

SAFE_METHODS = frozenset({"GET", "HEAD"})
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ROUTED_PREFIX = "/api/v1/"
# Reads that must see the latest write: key state (revocation, rotation) and the admin console.
PRIMARY_ONLY = ("/api/v1/keys", "/api/v1/admin")


def is_safe_read(method: str, path: str) -> bool:
    return (
        method in SAFE_METHODS
        and path.startswith(ROUTED_PREFIX)
        and not any(path == p or path.startswith(p + "/") for p in PRIMARY_ONLY)
    )


READ_SOURCE_HEADER = b"x-read-source"


def _caller(scope: Scope) -> str:
    return getattr(scope.get("auth"), "key_id", None) or ""  # type: ignore[call-overload]


def read_routing_middleware(replica: ConnectionPool, consistency: Consistency) -> ASGIApp:
    """A Litestar middleware factory (``middleware=[…, read_routing_middleware(replica, …)]``).
    ``consistency`` (db/consistency.py) says whether a safe read may use the replica and is told
    of every write request; each safe read's response says which server answered it
    (``X-Read-Source: standby|primary``)."""

    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
            elif is_safe_read(scope["method"], scope["path"]):
                await _read(app, scope, receive, send)
            elif scope["method"] in WRITE_METHODS:
                await _write(app, scope, receive, send)
            else:
                await app(scope, receive, send)

        async def _write(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
            async def send_after_marking(message: Message) -> None:
                # Before the caller sees the answer (so its next read knows): the request's
                # transactions have committed by the time the response starts.
                if message["type"] == "http.response.start":
                    await consistency.wrote(_caller(scope))
                await send(message)

            await app(scope, receive, send_after_marking)

        async def _read(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
            if not await consistency.may_use_replica(_caller(scope), scope["headers"]):
                await app(scope, receive, _with_source(send, lambda: b"primary"))
                return
            route = ReadRoute(replica)
            held = False

            async def send_unless_replica_failed(message: Message) -> None:
                nonlocal held
                if message["type"] == "http.response.start":
                    held = route.failed and message["status"] == 503
                if not held:
                    await send(message)

            source = _with_source(send_unless_replica_failed, lambda: _source(route))
            token = READ_POOL.set(route)
            try:
                await app(scope, receive, source)
            finally:
                READ_POOL.reset(token)
            if held:
                logger.warning(
                    "replica %s failed; %s served from the primary", replica.name, scope["path"]
                )
                await app(scope, receive, _with_source(send, lambda: b"primary"))

        return middleware

    return factory  # type: ignore[return-value]


def _source(route: ReadRoute) -> bytes:
    return b"standby" if route.standby and not route.failed else b"primary"


def _with_source(send: Send, source: Callable[[], bytes]) -> Send:
    async def send_with_source(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [*message.get("headers", ()), (READ_SOURCE_HEADER, source())]
            message["headers"] = headers  # type: ignore[typeddict-item]
        await send(message)

    return send_with_source
