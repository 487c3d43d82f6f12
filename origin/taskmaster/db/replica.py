"""Read replica routing: the one place that decides which requests may read from the replica.

With ``DATABASE_READ_URL`` set, the app opens a second :class:`ConnectionPool` on it and runs
:func:`read_routing_middleware` right after authentication (so key look-ups, which must see a
revocation at once, stay on the primary). A request reads from the replica when
:func:`reads_from_replica` says so: a GET/HEAD of a route whose policy has ``replica=True``
(:mod:`taskmaster.api.policy`). The middleware then gives the request a :class:`ReadRoute`, which
its :class:`~taskmaster.db.session.Session` uses for ``db.read()``, falling back to the primary
when the replica cannot give a connection; ``db.transaction()`` always uses the primary, so
read-your-writes within a request holds. Across requests, a replica may lag the primary by its
replication delay (docs/operations.md).

When the replica fails mid-request (its connections were cut), the 503 it caused is not sent: the
request runs once more with every read on the primary.
"""

from __future__ import annotations

import logging

from litestar.handlers import BaseRouteHandler
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from taskmaster.api.policy import policy_of
from taskmaster.db.pool import ConnectionPool, ReadRoute
from taskmaster.db.session import READ_ROUTE_KEY, SESSION_KEY

logger = logging.getLogger("taskmaster.db.replica")

SAFE_METHODS = frozenset({"GET", "HEAD"})


def reads_from_replica(method: str, handler: BaseRouteHandler | None) -> bool:
    return method in SAFE_METHODS and policy_of(handler).replica


def read_routing_middleware(replica: ConnectionPool) -> ASGIApp:
    """A Litestar middleware factory (``middleware=[…, read_routing_middleware(replica)]``)."""

    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http" or not reads_from_replica(
                scope["method"], scope.get("route_handler")
            ):
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

            scope[READ_ROUTE_KEY] = route  # type: ignore[literal-required]
            await app(scope, receive, send_unless_replica_failed)
            if held:
                logger.warning(
                    "replica %s failed; %s served from the primary", replica.name, scope["path"]
                )
                # The retry reads from the primary: a new session without the route.
                del scope[READ_ROUTE_KEY]  # type: ignore[misc]
                scope.pop(SESSION_KEY, None)  # type: ignore[misc]
                await app(scope, receive, send)

        return middleware

    return factory  # type: ignore[return-value]
