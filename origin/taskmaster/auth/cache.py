"""In-process key verdict cache, invalidated through PostgreSQL LISTEN/NOTIFY.

Authentication must not cost a database round trip per request (docs/benchmarks.md, "Reference figures"), so each
worker keeps the looked-up key rows (and "no such key" answers) keyed by key hash. Every change to
``api_keys`` that could alter a verdict NOTIFYs ``api_keys_changed`` with ``"<id> <hash>"`` (see the
migration ``add_api_key_change_notifications``); :class:`KeyChangeListener` holds one dedicated
connection per worker that LISTENs and drops the matching entries, so a revoked key fails on its
next request in every worker.

The cache is only trusted while the listener is connected: a listener that is down could be
missing notifications, so until it has reconnected every lookup goes to the database and nothing
is cached; on reconnect the whole cache is dropped. A lookup that raced with a notification (the
generation moved while it ran) is not cached either. Time-based expiry needs no notification: the
verdict is re-evaluated against the clock on every request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import psycopg
from psycopg import AsyncConnection

from taskmaster.db.pool import listener_connection
from taskmaster.keys.service import KeyRecord

logger = logging.getLogger("taskmaster.auth.cache")

CHANNEL = "api_keys_changed"
_MISSING = object()


class VerdictCache:
    def __init__(self, max_entries: int = 10_000) -> None:
        self._by_hash: dict[str, KeyRecord | None] = {}
        self._max_entries = max_entries
        self.generation = 0
        self.trusted = False
        self._seen: dict[str, int] = {}  # key id -> generation of its latest notification
        self._waiters: list[asyncio.Future[None]] = []
        self.hits = 0  # look-ups answered from the cache (reported by /metrics)
        self.misses = 0

    def get(self, key_hash: str) -> KeyRecord | object | None:
        """The cached record, ``None`` for a cached "unknown key", or ``_MISSING``."""
        found = self._by_hash.get(key_hash, _MISSING) if self.trusted else _MISSING
        if found is _MISSING:
            self.misses += 1
        else:
            self.hits += 1
        return found

    def put(self, key_hash: str, record: KeyRecord | None, generation: int) -> None:
        if not self.trusted or generation != self.generation:
            return
        if len(self._by_hash) >= self._max_entries:
            self._by_hash.clear()
        self._by_hash[key_hash] = record

    def invalidate(self, payload: str) -> None:
        """Handle one notification payload ``"<id> <hash>"`` (anything else drops everything)."""
        self.generation += 1
        parts = payload.split()
        if len(parts) == 2:
            self._by_hash.pop(parts[1], None)
            if len(self._seen) >= self._max_entries:
                self._seen.clear()
            self._seen[parts[0]] = self.generation
        else:
            self._by_hash.clear()
        self._wake()

    def _wake(self) -> None:
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def settled(self, key_id: str, since: int, timeout_s: float = 1.0) -> None:
        """Wait until this worker's listener has seen a change of ``key_id`` notified after
        generation ``since``. Key writes made through the API wait for it before answering: the
        notification reaches every worker's listener at once, so by the time the client has the
        answer, no worker still trusts the old verdict. (Changes made outside the origin — SQL,
        the CLI — reach the workers within the NOTIFY delivery time, typically under 1 ms.)"""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while self.trusted and self._seen.get(key_id, -1) <= since:
            remaining = deadline - loop.time()
            if remaining <= 0:
                logger.warning("no notification for key %s within %ss", key_id, timeout_s)
                self._by_hash.clear()
                return
            waiter: asyncio.Future[None] = loop.create_future()
            self._waiters.append(waiter)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter, remaining)

    def set_trusted(self, trusted: bool) -> None:
        self.generation += 1
        self._by_hash.clear()
        self.trusted = trusted
        self._wake()

    def __len__(self) -> int:
        return len(self._by_hash)


MISSING = _MISSING


class KeyChangeListener:
    """One LISTEN connection per worker, reconnecting with back-off; started in the app lifespan."""

    def __init__(self, conninfo: str, cache: VerdictCache, *, connect_timeout_s: int = 2) -> None:
        self._conninfo = conninfo
        self._cache = cache
        self._connect_timeout_s = connect_timeout_s
        self._task: asyncio.Task[None] | None = None
        self._conn: AsyncConnection | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="key-change-listener")

    async def stop(self) -> None:
        self._cache.set_trusted(False)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.close()

    async def _run(self) -> None:
        delay = 0.2
        while True:
            try:
                self._conn = await listener_connection(self._conninfo, self._connect_timeout_s)
                await self._conn.execute(f"LISTEN {CHANNEL}")
                self._cache.set_trusted(True)
                delay = 0.2
                async for notify in self._conn.notifies():
                    self._cache.invalidate(notify.payload)
                raise psycopg.OperationalError("notification stream ended")
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if self._cache.trusted:
                    logger.warning("key listener lost (%s); authenticating against the DB", exc)
                self._cache.set_trusted(False)
                if self._conn is not None:
                    with contextlib.suppress(Exception):
                        await self._conn.close()
                    self._conn = None
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
