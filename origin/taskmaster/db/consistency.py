"""Read-your-writes and lag limits for a read replica: which database may serve a safe read.

The decision is the pure function :func:`read_source`; its inputs are

- the caller's **last write position**: after every write request the primary's WAL insert
  position is stored per caller (API key id) in ``replica_write_marks`` *on the primary*
  (:class:`WriteMarks`). Why there and not in process memory or a token: a caller's write and its
  next read may land on different workers (or origin hosts), and a token would only help clients
  that echo it. The cost is one primary-key upsert per write request and one primary-key look-up
  per replica-routed read, both tiny next to the read they protect;
- the **replica's state** as :class:`ReplicaWatch` last polled it (every
  ``REPLICA_POLL_INTERVAL_MS``): standby or not, replayed position, replay lag in ms;
- a ``Consistency: strong`` request header, which always picks the primary.

A read goes to the replica only when the replica is a standby that answered the last poll
recently, lags at most ``REPLICA_MAX_LAG_MS``, and has replayed the caller's last write; in every
other case the primary serves it. Stale knowledge only ever sends reads to the primary.

``db/replica.py`` calls :meth:`Consistency.may_use_replica` and :meth:`Consistency.wrote` and
nothing else; the routing mechanism (today a ContextVar) is not this module's business.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import psycopg
from prometheus_client.metrics_core import Metric

from taskmaster.db.pool import ConnectionPool, PoolUnavailable
from taskmaster.db.sql import load_queries

logger = logging.getLogger("taskmaster.db.replica")
QUERIES = load_queries(Path(__file__).with_name("consistency.sql"))
CONSISTENCY_HEADER = b"consistency"
Source = Literal["primary", "replica"]


def parse_lsn(text: str | None) -> int | None:
    """``'16/B374D848'`` → an integer that orders like the WAL position; None stays None."""
    if not text:
        return None
    high, _, low = text.partition("/")
    return (int(high, 16) << 32) | int(low, 16)


@dataclass(slots=True)
class ReplicaStatus:
    """What the last poll of the replica found."""

    up: bool = False  # answered, and is a standby
    replay_lsn: int = 0
    lag_ms: float = 0.0
    paused: bool = False
    checked_at: float = float("-inf")  # time.monotonic() of the last successful poll
    error: str | None = "not polled yet"


def read_source(
    *,
    strong: bool,
    status: ReplicaStatus,
    last_write_lsn: int | None,
    max_lag_ms: float,
    now: float,
    stale_after_s: float,
) -> Source:
    """Where one safe read goes (see the module docstring for why each rule exists)."""
    if strong or not status.up or now - status.checked_at > stale_after_s:
        return "primary"
    if status.lag_ms > max_lag_ms:
        return "primary"
    if last_write_lsn is not None and last_write_lsn > status.replay_lsn:
        return "primary"
    return "replica"


def wants_strong(headers: list[tuple[bytes, bytes]]) -> bool:
    return any(n == CONSISTENCY_HEADER and v.strip().lower() == b"strong" for n, v in headers)


class ReplicaWatch:
    """Polls the replica for its replay position and lag; one per worker process."""

    def __init__(self, replica: ConnectionPool, interval_s: float) -> None:
        self._replica = replica
        self.interval_s = interval_s
        self.status = ReplicaStatus()
        self._task: asyncio.Task[None] | None = None

    async def poll(self) -> ReplicaStatus:
        try:
            async with self._replica.connection() as conn:
                cur = await conn.execute(QUERIES["replica_status"])
                row = await cur.fetchone()
        except (psycopg.Error, PoolUnavailable) as exc:
            self._replica.mark_down()
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            self.status = ReplicaStatus(error=first)
            return self.status
        in_recovery, replay, lag_ms, paused = row if row else (False, None, 0.0, False)
        if not in_recovery or replay is None:
            # Not a physical standby (or one that hides its replay position): its state cannot
            # be compared with the primary's, so neither lag nor read-your-writes can be proven.
            self.status = ReplicaStatus(error="not a standby with a replay position")
            return self.status
        self.status = ReplicaStatus(
            up=True,
            replay_lsn=parse_lsn(replay) or 0,
            lag_ms=float(lag_ms),
            paused=bool(paused),
            checked_at=time.monotonic(),
            error=None,
        )
        return self.status

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        while True:
            was_up = self.status.up
            status = await self.poll()
            if was_up != status.up:
                logger.warning(
                    "replica %s: %s", "up" if status.up else "unusable", status.error or "ok"
                )
            await asyncio.sleep(self.interval_s)

    def families(self) -> list[Metric]:
        """``taskmaster_replica_*`` for the scrape."""
        status = self.status
        found = []
        for name, help_text, value in (
            (
                "taskmaster_replica_up",
                "1 while the read replica is a standby that answers.",
                status.up,
            ),
            (
                "taskmaster_replica_lag_seconds",
                "Replay lag of the read replica, seconds.",
                status.lag_ms / 1000,
            ),
            (
                "taskmaster_replica_replay_paused",
                "1 while replay is paused on the replica.",
                status.paused,
            ),
        ):
            family = Metric(name, help_text, "gauge")
            family.add_sample(name, {}, float(value))
            found.append(family)
        return found


class WriteMarks:
    """Per-caller last write positions, in the primary (``replica_write_marks``)."""

    def __init__(self, primary: ConnectionPool) -> None:
        self._primary = primary

    async def mark(self, key_id: str) -> None:
        # One autocommit statement on a plain pool connection, not an audited transaction.
        async with self._primary.connection() as conn:
            await conn.execute(QUERIES["mark_write"], {"key_id": key_id})

    async def last(self, key_id: str) -> int | None:
        async with self._primary.connection() as conn:
            cur = await conn.execute(QUERIES["last_write"], {"key_id": key_id})
            row = await cur.fetchone()
        return parse_lsn(row[0]) if row else None


class Consistency:
    """The replica policy of one worker: the watch, the marks and the limits."""

    def __init__(self, watch: ReplicaWatch, marks: WriteMarks, max_lag_ms: float) -> None:
        self.watch = watch
        self.marks = marks
        self.max_lag_ms = max_lag_ms

    async def may_use_replica(self, key_id: str, headers: list[tuple[bytes, bytes]]) -> bool:
        status = self.watch.status
        strong = wants_strong(headers)
        quick = read_source(
            strong=strong, status=status, last_write_lsn=None, max_lag_ms=self.max_lag_ms,
            now=time.monotonic(), stale_after_s=self._stale_after_s(),
        )  # fmt: skip
        if quick == "primary":
            return False  # no need to look the caller's mark up
        try:
            last = await self.marks.last(key_id)
        except (psycopg.Error, PoolUnavailable):
            return True  # the primary is down: no write can be newer than what the replica has
        source = read_source(
            strong=strong, status=status, last_write_lsn=last, max_lag_ms=self.max_lag_ms,
            now=time.monotonic(), stale_after_s=self._stale_after_s(),
        )  # fmt: skip
        return source == "replica"

    async def wrote(self, key_id: str) -> None:
        try:
            await self.marks.mark(key_id)
        except (psycopg.Error, PoolUnavailable) as exc:
            # The write itself failed or the primary went away: nothing newer to wait for.
            logger.warning("could not record the write position of %s: %s", key_id or "-", exc)

    def _stale_after_s(self) -> float:
        return max(1.0, 5 * self.watch.interval_s)
