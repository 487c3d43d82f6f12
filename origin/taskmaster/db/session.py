"""A request's database session: how a service reads and how it writes, said where it happens.

Every route gets one :class:`Session` (the ``db`` dependency, or :meth:`Session.of` on the
hottest read). A service asks it, by name, for what it needs:

- ``db.read()`` — one autocommit connection for reads. It comes from the read replica only when
  the route's policy allows it (:mod:`taskmaster.api.policy`, ``replica=True``) and the request is
  a safe read; ``db/replica.py`` decides that once per request, when it builds the route.
- ``db.transaction()`` — one connection in one transaction on the primary, opened with the
  transaction-local audit context (the acting key and the request id, read by the
  ``audit_row_change()`` trigger) and committed when the block succeeds.
- ``db.write_one(query, params)`` — one write statement that is its own transaction and sets
  the same audit context itself (its ``write_context`` CTE), in one round trip (the hottest
  writes: claims, ``POST /api/v1/tasks``).

Both carry the request's project tenancy (``app.projects``, decided by the authentication stage
and kept in the scope under :data:`TENANCY_KEY`): a checkout sets it on its connection only when
it differs from what that connection last had (:class:`~taskmaster.db.pool.Checkout`).

Nothing else changes where a connection comes from: a service that does not call
``transaction()`` does not write atomically, and a reader can see that from the service alone.
Code that runs outside a request (maintenance, background loops, the CLI) passes the
:class:`~taskmaster.db.pool.ConnectionPool` itself, which gives plain autocommit connections.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import Request
from litestar.types import Scope

from taskmaster.db.context import NO_PROJECT, WRITE_CONTEXT_NAME, WriteContext
from taskmaster.db.pool import Checkout, ConnectionPool, ReadRoute, statement_cursor

SESSION_KEY = "taskmaster.session"
READ_ROUTE_KEY = "taskmaster.read_route"
TENANCY_KEY = "taskmaster.tenancy"  # the request's app.projects (taskmaster.auth.authenticate)


class Session:
    __slots__ = ("_context", "_pool", "_read_route", "_tenancy")

    def __init__(
        self,
        pool: ConnectionPool,
        context: WriteContext,
        read_route: ReadRoute | None = None,
        tenancy: str = NO_PROJECT,
    ) -> None:
        self._pool = pool
        self._context = context
        self._read_route = read_route
        self._tenancy = tenancy

    @classmethod
    def of(cls, request: Request[Any, Any, Any]) -> Session:
        """The request's session (built once per request, on first use)."""
        return cls.of_scope(request.scope, request.app.state.pool)

    @classmethod
    def of_scope(cls, scope: Scope, pool: ConnectionPool) -> Session:
        found = scope.get(SESSION_KEY)  # type: ignore[call-overload]
        if found is None:
            identity = scope.get("auth")  # type: ignore[call-overload]
            context = WriteContext(
                getattr(identity, "key_id", None) or "",
                scope.get("request_id", ""),  # type: ignore[call-overload]
                getattr(identity, "user_id", None) or "",
            )
            found = cls(
                pool,
                context,
                scope.get(READ_ROUTE_KEY),  # type: ignore[call-overload]
                # Fail closed: nothing project-owned until the authentication stage said so.
                scope.get(TENANCY_KEY, NO_PROJECT),  # type: ignore[call-overload]
            )
            scope[SESSION_KEY] = found  # type: ignore[literal-required]
        return found

    @property
    def pool(self) -> ConnectionPool:
        """The primary pool (for work that must outlive the request, e.g. a LISTEN)."""
        return self._pool

    @property
    def context(self) -> WriteContext:
        return self._context

    @property
    def tenancy(self) -> str:
        """The request's ``app.projects``."""
        return self._tenancy

    def read(self) -> Checkout:
        """An autocommit connection for reads: the replica's when this request's route allows."""
        return Checkout(self._pool, route=self._read_route, tenancy=self._tenancy)

    def transaction(self) -> Checkout:
        """A connection in one audited transaction on the primary, committed on success."""
        return Checkout(self._pool, context=self._context, tenancy=self._tenancy)

    async def write_one(self, query: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """The rows of one write statement run alone on an autocommit connection: its own
        transaction, as atomic as ``transaction()``'s, in one round trip. The statement sets the
        audit context itself (``{{write_context}}``, :data:`~taskmaster.db.context.WRITE_CONTEXT`,
        joined by its row source) from the parameters added here. Against BEGIN, the settings,
        the statement and COMMIT pipelined: the same locks for the same time, three statements
        fewer for the server, and none of psycopg's pipeline machinery (an event-loop wait per
        queued command: a quarter of a claim's origin CPU). A statement that fails raises here
        and its transaction is rolled back by the server."""
        if WRITE_CONTEXT_NAME not in query:  # without it the audit rows would name nobody
            raise ValueError("write_one needs a statement that joins {{write_context}}")
        async with Checkout(self._pool, tenancy=self._tenancy) as conn:
            cur = await statement_cursor(conn).execute(query, {**params, **self._context.params()})  # type: ignore[arg-type]
            return await cur.fetchall()


def provide_session(request: Request[Any, Any, Any]) -> Session:
    """The ``db`` dependency of every route."""
    return Session.of(request)
