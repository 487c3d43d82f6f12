"""Read replica routing: the one place that decides which requests may read from the replica.

With ``DATABASE_READ_URL`` set, the app opens a second :class:`ConnectionPool` on it and runs
:func:`read_routing_middleware` right after authentication (so key look-ups, which must see a
revocation at once, stay on the primary). A request may read from the replica when
:func:`reads_from_replica` says so — a GET/HEAD of a route whose policy has ``replica=True``
(:mod:`taskmaster.api.policy`) — and ``db/consistency.py`` agrees (the caller's last write
replayed, lag under the limit, no ``Consistency: strong``). The middleware then gives the request
a :class:`ReadRoute`, which its :class:`~taskmaster.db.session.Session` uses for ``db.read()``,
falling back to the primary when the replica cannot give a connection; ``db.transaction()``
always uses the primary, so read-your-writes within a request holds. Every write request is
reported to ``consistency`` before its answer is sent, and every safe read's answer says which
server served it (``X-Read-Source: standby|primary``).

When the replica fails mid-request (its connections were cut), the 503 it caused is not sent: the
request runs once more with every read on the primary.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from litestar.handlers import BaseRouteHandler
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from taskmaster.api.policy import policy_of
from taskmaster.db.consistency import Consistency
from taskmaster.db.pool import ConnectionPool, ReadRoute
from taskmaster.db.session import READ_ROUTE_KEY, SESSION_KEY

logger = logging.getLogger("taskmaster.db.replica")

SAFE_METHODS = frozenset({"GET", "HEAD"})
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
READ_SOURCE_HEADER = b"x-read-source"


def reads_from_replica(method: str, handler: BaseRouteHandler | None) -> bool:
    return method in SAFE_METHODS and policy_of(handler).replica


def _caller(scope: Scope) -> str:
    return getattr(scope.get("auth"), "key_id", None) or ""  # type: ignore[call-overload]


def read_routing_middleware(replica: ConnectionPool, consistency: Consistency) -> ASGIApp:
    """A Litestar middleware factory (``middleware=[…, read_routing_middleware(replica, …)]``)."""

    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
            elif reads_from_replica(scope["method"], scope.get("route_handler")):
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
            scope[READ_ROUTE_KEY] = route  # type: ignore[literal-required]
            await app(scope, receive, source)
            if held:
                logger.warning(
                    "replica %s failed; %s served from the primary", replica.name, scope["path"]
                )
                # The retry reads from the primary: a new session without the route.
                del scope[READ_ROUTE_KEY]  # type: ignore[misc]
                scope.pop(SESSION_KEY, None)  # type: ignore[misc]
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
