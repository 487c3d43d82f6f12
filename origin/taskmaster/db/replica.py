"""Read replica routing: the one place that decides which requests may read from the replica.

With ``DATABASE_READ_URL`` set, the app opens a second :class:`ConnectionPool` on it and runs
:func:`read_routing_middleware` right after authentication (so key look-ups, which must see a
revocation at once, stay on the primary). For a *safe read* — a GET/HEAD of an ``/api/v1``
resource outside :data:`PRIMARY_ONLY` — it sets :data:`~taskmaster.db.pool.READ_POOL`; every
``pool.connection()`` of the request then hands out a replica connection, falling back to the
primary when the replica cannot give one. Writes never see the route (a write request is never a
GET, and a write transaction ignores it), so read-your-writes within a request holds; across
requests, a replica may lag the primary by its replication delay (docs/operations.md).

When the replica fails mid-request (its connections were cut), the 503 it caused is not sent: the
request runs once more with every read on the primary. Services know nothing of any of this.
"""

from __future__ import annotations

import logging

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from taskmaster.db.pool import READ_POOL, ConnectionPool, ReadRoute

logger = logging.getLogger("taskmaster.db.replica")

SAFE_METHODS = frozenset({"GET", "HEAD"})
ROUTED_PREFIX = "/api/v1/"
# Reads that must see the latest write: key state (revocation, rotation) and the admin console.
PRIMARY_ONLY = ("/api/v1/keys", "/api/v1/admin")


def is_safe_read(method: str, path: str) -> bool:
    return (
        method in SAFE_METHODS
        and path.startswith(ROUTED_PREFIX)
        and not any(path == p or path.startswith(p + "/") for p in PRIMARY_ONLY)
    )


def read_routing_middleware(replica: ConnectionPool) -> ASGIApp:
    """A Litestar middleware factory (``middleware=[…, read_routing_middleware(replica)]``)."""

    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http" or not is_safe_read(scope["method"], scope["path"]):
                await app(scope, receive, send)
                return
            route = ReadRoute(replica)
            held = False

            async def send_unless_replica_failed(message: Message) -> None:
                nonlocal held
                if message["type"] == "http.response.start":
                    held = route.failed and message["status"] == 503
                if not held:
                    await send(message)

            token = READ_POOL.set(route)
            try:
                await app(scope, receive, send_unless_replica_failed)
            finally:
                READ_POOL.reset(token)
            if held:
                logger.warning(
                    "replica %s failed; %s served from the primary", replica.name, scope["path"]
                )
                await app(scope, receive, send)

        return middleware

    return factory  # type: ignore[return-value]
