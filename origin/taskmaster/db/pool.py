"""A small, fast pool of autocommit connections handed out from an ``asyncio.Queue``.

Why not ``psycopg_pool``: on the hot path its checkout (health checks, reset, context management)
costs more than the single-row query itself (see ``shared/performance.md``). Here a checkout is a
``get_nowait`` on a queue. Connections are autocommit (a single-statement read needs no BEGIN/COMMIT)
and prepare every statement on first use (``prepare_threshold=0``): the SQL is a fixed, named set.

Failure model: when a connection turns out broken, every idle connection is dropped with it (a broken
connection almost always means the server went away), new connections are opened on demand with a
short connect timeout, and callers get :class:`PoolUnavailable` (→ 503) instead of hanging. When the
server comes back the pool refills by itself.

Read replica: while :data:`READ_POOL` names another pool (set by ``db/replica.py`` for the safe
reads of a request, never inside a write), :meth:`ConnectionPool.connection` hands out a connection
of that pool instead, and falls back to its own when the replica cannot give one. A pool whose
connect failed is believed down for :data:`DOWN_RETRY_S` (routing skips it without waiting).

Every connection's cursors are :class:`~taskmaster.db.observe.ObservedCursor` (slow-query log,
errors by class for ``/metrics``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from contextvars import ContextVar
from dataclasses import dataclass

import psycopg
from psycopg import AsyncConnection
from psycopg.errors import QueryCanceled
from psycopg.pq import TransactionStatus

from taskmaster.db.context import WRITE_CONTEXT
from taskmaster.db.observe import OBSERVER, ObservedCursor

logger = logging.getLogger("taskmaster.db")
DOWN_RETRY_S = 5.0


class PoolUnavailable(Exception):
    """No connection could be had in time: the database is down or saturated."""


@dataclass(slots=True)
class PoolStats:
    name: str
    size: int
    idle: int
    in_use: int
    waiting: int
    max_size: int


class ConnectionPool:
    def __init__(
        self,
        conninfo: str,
        *,
        name: str = "primary",
        min_size: int = 2,
        max_size: int = 10,
        connect_timeout_s: int = 2,
        acquire_timeout_s: float = 2.0,
        statement_timeout_ms: int = 5000,
    ) -> None:
        self.name = name
        self._conninfo = conninfo
        self._min_size = min_size
        self._max_size = max_size
        self._connect_timeout_s = connect_timeout_s
        self._acquire_timeout_s = acquire_timeout_s
        self._options = f"-c statement_timeout={int(statement_timeout_ms)}"
        self._idle: asyncio.Queue[AsyncConnection] = asyncio.Queue()
        self._size = 0
        self._waiting = 0
        self._closed = False
        self._down_until = 0.0

    async def open(self) -> None:
        """Open ``min_size`` connections; a database that is down now is not fatal."""
        for _ in range(self._min_size):
            try:
                conn = await self._connect()
            except PoolUnavailable:
                logger.warning("pool %s: database unavailable at start-up", self.name)
                return
            self._size += 1
            self._idle.put_nowait(conn)

    async def close(self) -> None:
        self._closed = True
        while not self._idle.empty():
            conn = self._idle.get_nowait()
            self._size -= 1
            await conn.close()

    async def _connect(self) -> AsyncConnection:
        try:
            conn = await AsyncConnection.connect(
                self._conninfo,
                autocommit=True,
                prepare_threshold=0,
                connect_timeout=self._connect_timeout_s,
                options=self._options,
                cursor_factory=ObservedCursor,
            )
        except psycopg.OperationalError as exc:
            OBSERVER.record_error("ConnectionFailure")
            self.mark_down()
            raise PoolUnavailable(str(exc).strip().splitlines()[0] if str(exc) else "") from exc
        self._down_until = 0.0
        return conn

    def mark_down(self) -> None:
        """Believe the database unreachable for ``DOWN_RETRY_S`` (read routing skips it)."""
        self._down_until = time.monotonic() + DOWN_RETRY_S

    def available(self) -> bool:
        return not self._closed and time.monotonic() >= self._down_until

    async def _acquire(self) -> AsyncConnection:
        if self._closed:
            raise PoolUnavailable("pool is closed")
        deadline = time.monotonic() + self._acquire_timeout_s
        while True:
            try:
                conn = self._idle.get_nowait()
            except asyncio.QueueEmpty:
                if self._size < self._max_size:
                    self._size += 1
                    try:
                        return await self._connect()
                    except BaseException:
                        self._size -= 1
                        raise
                conn = await self._wait_for_idle(deadline)
            if not conn.closed and not conn.broken:
                return conn
            self._size -= 1  # found dead in the queue: drop it and try again

    async def _wait_for_idle(self, deadline: float) -> AsyncConnection:
        self._waiting += 1
        try:
            return await asyncio.wait_for(self._idle.get(), max(0.0, deadline - time.monotonic()))
        except TimeoutError as exc:
            raise PoolUnavailable(f"no free connection within {self._acquire_timeout_s}s") from exc
        finally:
            self._waiting -= 1

    async def _release(self, conn: AsyncConnection) -> None:
        if conn.broken or conn.closed or self._closed:
            self._size -= 1
            await self._discard_idle()
            with contextlib.suppress(Exception):
                await conn.close()
            return
        if conn.info.transaction_status != TransactionStatus.IDLE:
            try:
                await conn.rollback()
            except psycopg.Error:
                self._size -= 1
                await conn.close()
                return
        self._idle.put_nowait(conn)

    async def _discard_idle(self) -> None:
        """Drop every idle connection: after one broke, the rest are most likely dead too."""
        while not self._idle.empty():
            conn = self._idle.get_nowait()
            self._size -= 1
            with contextlib.suppress(Exception):
                await conn.close()

    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[AsyncConnection]:
        """A connection for one unit of work. Inside a write request (``WRITE_CONTEXT`` set) the
        unit is one transaction carrying the acting key and request id for the audit trigger.
        Outside one, a safe read routed by :data:`READ_POOL` uses that pool when it can."""
        context = WRITE_CONTEXT.get()
        pool = self
        conn = None
        route = READ_POOL.get() if context is None else None
        if route is not None and route.pool is not self and route.pool.available():
            try:
                conn = await route.pool._acquire()
                pool = route.pool
            except PoolUnavailable as exc:
                route.failed = True
                logger.warning(
                    "pool %s unavailable (%s); reading from %s", route.pool.name, exc, self.name
                )
        if conn is None:
            conn = await self._acquire()
        try:
            if context is not None:
                await conn.execute(context.begin(), prepare=False)
            yield conn
            if context is not None and conn.info.transaction_status == TransactionStatus.INTRANS:
                await conn.execute("COMMIT")
        except psycopg.OperationalError as exc:
            if route is not None and pool is not self and not isinstance(exc, QueryCanceled):
                route.failed = True  # the replica went away mid-request: ``db/replica.py`` retries
                pool.mark_down()
            raise
        finally:
            await pool._release(conn)

    def stats(self) -> PoolStats:
        idle = self._idle.qsize()
        return PoolStats(
            name=self.name,
            size=self._size,
            idle=idle,
            in_use=self._size - idle,
            waiting=self._waiting,
            max_size=self._max_size,
        )


@dataclass(slots=True)
class ReadRoute:
    """Where the safe reads of one request go; ``failed`` once the replica let one down."""

    pool: ConnectionPool
    failed: bool = False


READ_POOL: ContextVar[ReadRoute | None] = ContextVar("taskmaster_read_pool", default=None)
"""The replica route of the current request (``db/replica.py`` sets it for safe reads)."""
