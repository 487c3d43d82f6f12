"""A small, fast pool of autocommit connections handed out from a deque.

Why not ``psycopg_pool``: on the hot path its checkout (health checks, reset, context management)
costs more than the single-row query itself (docs/benchmarks.md, "Reference figures"). Here a checkout is a
``pop`` from a deque, and a release hands the connection straight to the first waiting request.
Connections are autocommit (a single-statement read needs no BEGIN/COMMIT) and prepare every
statement on first use (``prepare_threshold=0``): the SQL is a fixed, named set.

Failure model: when a connection turns out broken, every idle connection is dropped with it (a broken
connection almost always means the server went away), new connections are opened on demand with a
short connect timeout, and callers get :class:`PoolUnavailable` (→ 503) instead of hanging. When the
server comes back the pool refills by itself.

Read replica: a :class:`Checkout` given a :class:`ReadRoute` (a request's session does that for
the safe reads its route allows, ``db/session.py``) hands out a connection of the route's pool and
falls back to its own when the replica cannot give one. A pool whose connect failed is believed
down for :data:`DOWN_RETRY_S` (routing skips it without waiting). A :class:`Checkout` given a
:class:`~taskmaster.db.context.WriteContext` is one audited transaction.

Every connection's cursors are :class:`~taskmaster.db.observe.ObservedCursor` (slow-query log,
errors by class for ``/metrics``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

import msgspec
import psycopg
from psycopg import AsyncConnection, AsyncCursor
from psycopg.errors import QueryCanceled
from psycopg.pq import TransactionStatus
from psycopg.types.json import set_json_loads

from taskmaster.db.context import EVERY_PROJECT, WriteContext
from taskmaster.db.observe import OBSERVER, ObservedCursor

logger = logging.getLogger("taskmaster.db")
DOWN_RETRY_S = 5.0


class PooledConnection(AsyncConnection[Any]):
    """A pool connection that keeps one cursor for :func:`statement_cursor`: psycopg's
    ``conn.execute`` builds a new cursor (and its adapters map) for every statement, which on the
    hottest reads costs about as much as decoding the row."""

    _statement_cursor: AsyncCursor[Any] | None = None
    pool_name: str = "other"  # for the per-pool statement counts of /metrics
    _tenancy: str | None = None  # the session's app.projects, as last set by a checkout
    prepared_reads: set[bytes]  # names of the db/prepared.py statements prepared here


def statement_cursor(conn: AsyncConnection[Any]) -> AsyncCursor[Any]:
    """A cursor of ``conn`` for one statement whose rows are fetched at once (before the next
    statement on the same connection). Reused on pool connections; a new one otherwise."""
    if not isinstance(conn, PooledConnection):
        return conn.cursor()
    cursor = conn._statement_cursor
    if cursor is None or cursor.closed:
        cursor = conn._statement_cursor = conn.cursor()
    return cursor


async def listener_connection(conninfo: str, connect_timeout_s: float) -> AsyncConnection[Any]:
    """A dedicated autocommit connection for LISTEN (never a pool connection), with TCP
    keepalives: a silently dead peer must be noticed, since until it is the listener trusts what
    it last heard (the verdict cache, the stream hub)."""
    return await AsyncConnection.connect(
        conninfo,
        autocommit=True,
        connect_timeout=connect_timeout_s,
        keepalives=1,
        keepalives_idle=5,
        keepalives_interval=2,
        keepalives_count=2,
    )


class PoolUnavailable(Exception):
    """No connection could be had in time: the database is down or saturated."""


def _expire(waiter: asyncio.Future[Any]) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError())


class Gate:
    """Admission for statements that contend with each other: ``async with gate:`` holds one of
    ``limit`` slots for the block, first come first served (``limit`` 0: no limit). A pool's
    :attr:`~ConnectionPool.claims` (``DATABASE_CLAIM_CONCURRENCY``) admits the claim statements
    (``graph/service.claim_next``).

    Why: every claim starts at the head of the same queue index, so concurrent claims step over
    each other's locked rows, and a claiming backend that is runnable but has no core keeps the
    others waiting behind it: 32 agents on 2 cores claimed 15 % faster, and their slowest claims
    took 40 % less time, with two claim statements per worker at a time than with one per
    connection (docs/task-graph.md, "Fifth pass"); since the claims that wait together
    share one statement (``graph/claim_groups.py``), one per worker does better still ("Seventh
    pass"). Queue systems fetch alike (one fetch per queue and node at a time). Waiting here
    holds no connection, so other requests go on meanwhile. A waiter waits at most the pool's
    acquire timeout, then gets :class:`PoolUnavailable` (503), as one waiting for a connection
    would."""

    __slots__ = ("_held", "_limit", "_riders", "_timeout_s", "_waiters")

    def __init__(self, limit: int, timeout_s: float) -> None:
        if limit < 0:
            raise ValueError("a gate's limit is 0 (none) or more")
        self._limit = limit
        self._timeout_s = timeout_s
        self._held = 0
        self._riders = 0
        self._waiters: deque[asyncio.Future[Any]] = deque()

    @property
    def limit(self) -> int:
        return self._limit

    @property
    def held(self) -> int:
        return self._held

    @property
    def waiting(self) -> int:
        """Claims waiting for a slot: each waiter, and each claim riding on a waiting claim group
        (graph/claim_groups.py, which waits once for all of its claims)."""
        return sum(1 for waiter in self._waiters if not waiter.done()) + self._riders

    def ride(self, claims: int) -> None:
        """``claims`` more (or, negative, fewer) wait here on a waiter's behalf."""
        self._riders += claims

    async def __aenter__(self) -> None:
        if self._limit == 0:
            return
        if self._held < self._limit and not self._waiters:
            self._held += 1
            return
        await self._wait()

    async def __aexit__(self, *exc_info: object) -> None:
        if self._limit != 0:
            self._release()

    async def _wait(self) -> None:
        """Wait for a slot handed over by ``_release`` (the slot is then ours: ``_held`` stays)."""
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[Any] = loop.create_future()
        self._waiters.append(waiter)
        timer = loop.call_later(self._timeout_s, _expire, waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.cancelled():
                self._forget(waiter)
            elif waiter.exception() is None:  # handed a slot just as this request was cancelled
                self._release()
            raise
        except TimeoutError as exc:
            self._forget(waiter)
            raise PoolUnavailable(f"no claim slot free within {self._timeout_s}s") from exc
        finally:
            timer.cancel()

    def _forget(self, waiter: asyncio.Future[Any]) -> None:
        with contextlib.suppress(ValueError):
            self._waiters.remove(waiter)

    def _release(self) -> None:
        """Hand the slot to the first waiter still waiting, else free it."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self._held -= 1


class PoolStats(msgspec.Struct):
    """A pool's occupancy (``/health/detailed``, ``/metrics``)."""

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
        claim_concurrency: int = 0,
    ) -> None:
        self.name = name
        self.claims = Gate(claim_concurrency, acquire_timeout_s)
        self._conninfo = conninfo
        self._min_size = min_size
        self._max_size = max_size
        self._connect_timeout_s = connect_timeout_s
        self._acquire_timeout_s = acquire_timeout_s
        self._options = f"-c statement_timeout={int(statement_timeout_ms)}"
        self._idle: deque[AsyncConnection] = deque()
        # Requests waiting for a connection, first come first served. A waiter's future gets a
        # connection handed over by ``_put_back``, or None: a slot freed, open a new connection.
        self._waiters: deque[asyncio.Future[AsyncConnection | None]] = deque()
        self._size = 0
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
            self._idle.append(conn)

    async def close(self) -> None:
        self._closed = True
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_exception(PoolUnavailable("pool is closed"))
        while self._idle:
            conn = self._idle.pop()
            self._size -= 1
            await conn.close()

    async def _connect(self) -> AsyncConnection:
        try:
            conn = await PooledConnection.connect(
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
        conn.pool_name = self.name
        conn.prepared_reads = set()
        # json/jsonb columns are decoded by msgspec (C) rather than the stdlib's json module.
        set_json_loads(msgspec.json.decode, conn)
        return conn

    def mark_down(self) -> None:
        """Believe the database unreachable for ``DOWN_RETRY_S`` (read routing skips it)."""
        self._down_until = time.monotonic() + DOWN_RETRY_S

    def available(self) -> bool:
        return not self._closed and time.monotonic() >= self._down_until

    async def _acquire(self) -> AsyncConnection:
        if self._closed:
            raise PoolUnavailable("pool is closed")
        deadline = 0.0
        while True:
            if self._idle:
                conn: AsyncConnection | None = self._idle.pop()  # the most recently used: warm
            elif self._size < self._max_size:
                self._size += 1
                try:
                    return await self._connect()
                except BaseException:
                    self._slot_freed()
                    raise
            else:
                loop = asyncio.get_running_loop()
                deadline = deadline or loop.time() + self._acquire_timeout_s
                conn = await self._wait(loop, deadline)
                if conn is None:
                    continue  # a slot freed: open a connection in it
            if not conn.closed and not conn.broken:
                return conn
            self._slot_freed()  # found dead among the idle: drop it and try again

    async def _wait(
        self, loop: asyncio.AbstractEventLoop, deadline: float
    ) -> AsyncConnection | None:
        """Wait (at most until ``deadline``, loop time) for a released connection or a free slot.
        A future and a timer, not ``asyncio.wait_for``: under load most requests wait here, and
        ``wait_for`` costs a task per call."""
        waiter: asyncio.Future[AsyncConnection | None] = loop.create_future()
        self._waiters.append(waiter)
        timer = loop.call_at(deadline, _expire, waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.cancelled():
                self._forget(waiter)
            elif waiter.exception() is None:  # handed over just as this request was cancelled
                handed = waiter.result()
                if handed is not None:
                    self._put_back(handed)
                else:
                    self._hand_over(None)  # pass the freed slot on
            raise
        except TimeoutError as exc:
            self._forget(waiter)
            raise PoolUnavailable(f"no free connection within {self._acquire_timeout_s}s") from exc
        finally:
            timer.cancel()

    def _forget(self, waiter: asyncio.Future[AsyncConnection | None]) -> None:
        with contextlib.suppress(ValueError):
            self._waiters.remove(waiter)

    def _hand_over(self, handed: AsyncConnection | None) -> bool:
        """Give a connection (or, None, a free slot) to the first waiter still waiting."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(handed)
                return True
        return False

    def _put_back(self, conn: AsyncConnection) -> None:
        """A healthy connection goes to the first waiter still waiting, else back to the idle."""
        if not self._hand_over(conn):
            self._idle.append(conn)

    def _slot_freed(self) -> None:
        """A connection is gone for good: let the first waiter open a new one in its place."""
        self._size -= 1
        self._hand_over(None)

    async def _release(self, conn: AsyncConnection) -> None:
        if conn.broken or conn.closed or self._closed:
            self._slot_freed()
            await self._discard_idle()
            with contextlib.suppress(Exception):
                await conn.close()
            return
        if conn.info.transaction_status != TransactionStatus.IDLE:
            try:
                await conn.rollback()
            except psycopg.Error:
                self._slot_freed()
                with contextlib.suppress(Exception):
                    await conn.close()
                return
        self._put_back(conn)

    async def _discard_idle(self) -> None:
        """Drop every idle connection: after one broke, the rest are most likely dead too."""
        while self._idle:
            conn = self._idle.pop()
            self._slot_freed()
            with contextlib.suppress(Exception):
                await conn.close()

    def connection(self) -> Checkout:
        """An autocommit connection (``async with pool.connection() as conn``), for work outside
        a request; a request's services use its :class:`~taskmaster.db.session.Session`."""
        return Checkout(self)

    def stats(self) -> PoolStats:
        idle = len(self._idle)
        return PoolStats(
            name=self.name,
            size=self._size,
            idle=idle,
            in_use=self._size - idle,
            waiting=sum(1 for waiter in self._waiters if not waiter.done()),
            max_size=self._max_size,
        )


@dataclass(slots=True)
class ReadRoute:
    """Where the safe reads of one request go; ``failed`` once the replica let one down."""

    pool: ConnectionPool
    failed: bool = False
    standby: bool = False  # a read was served by a hot standby (its in_hot_standby parameter)


async def _set_tenancy(conn: AsyncConnection, tenancy: str) -> None:
    """Session-level (outside any transaction, so no rollback undoes it) and remembered on the
    connection: a checkout pays a round trip only when the caller's project set differs from the
    connection's previous user's (one set per key, typically: none at all on a hot path)."""
    conn._tenancy = None  # type: ignore[attr-defined]  # unknown until the statement succeeded
    await conn.execute("SELECT set_config('app.projects', %s, false)", (tenancy,))
    conn._tenancy = tenancy  # type: ignore[attr-defined]


class Checkout:
    """The context manager of :meth:`ConnectionPool.connection`: a class rather than an
    ``@asynccontextmanager`` generator because it runs once or more on every request."""

    __slots__ = ("_conn", "_context", "_owner", "_pool", "_route", "_tenancy")

    def __init__(
        self,
        pool: ConnectionPool,
        *,
        route: ReadRoute | None = None,
        context: WriteContext | None = None,
        tenancy: str = EVERY_PROJECT,
    ) -> None:
        self._pool = pool
        self._route = route
        self._context = context
        # app.projects for this checkout: the request's (its Session's), else every project
        # (the origin's own work outside requests).
        self._tenancy = tenancy

    async def __aenter__(self) -> AsyncConnection:
        pool = self._owner = self._pool
        context = self._context
        route = self._route
        conn = None
        if route is not None and route.pool is not pool and route.pool.available():
            try:
                conn = await route.pool._acquire()
                self._owner = route.pool
                # Reported by the server itself at connect (PostgreSQL 14+): no round trip.
                route.standby = conn.info.parameter_status("in_hot_standby") == "on"
            except PoolUnavailable as exc:
                route.failed = True
                logger.warning(
                    "pool %s unavailable (%s); reading from %s", route.pool.name, exc, pool.name
                )
        if conn is None:
            conn = await pool._acquire()
        self._conn = conn
        tenancy = self._tenancy
        try:
            if getattr(conn, "_tenancy", None) != tenancy:
                await _set_tenancy(conn, tenancy)
            if context is not None:
                await conn.execute(context.begin(), prepare=False)
        except BaseException as exc:
            await self._finish(exc)
            raise
        return conn

    async def __aexit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        if exc is None and self._context is not None:
            try:
                if self._conn.info.transaction_status == TransactionStatus.INTRANS:
                    await self._conn.execute("COMMIT")
            except BaseException as failure:
                await self._finish(failure)
                raise
        await self._finish(exc)

    async def _finish(self, exc: BaseException | None) -> None:
        """Give the connection back; when a replica connection failed, tell ``db/replica.py``."""
        owner = self._owner
        if (
            isinstance(exc, psycopg.OperationalError)
            and not isinstance(exc, QueryCanceled)
            and self._route is not None
            and owner is not self._pool
        ):
            self._route.failed = True  # the replica went away mid-request: the request is retried
            owner.mark_down()
        await owner._release(self._conn)
