"""Database facts read by the worker answering a scrape (not per worker): the primary answers,
tasks by status, WAL archiving, and the read replica's state as the replica watch last saw it.

Each statement runs on the primary pool with the pool's statement timeout; a primary that does not
answer makes ``taskmaster_database_up 0`` (the ``TaskmasterDatabaseDown`` alert), never a failed
scrape. Task counts are cached for :data:`TASK_COUNTS_TTL_S`: a full count of a large table on
every scrape of every Prometheus replica would be a load of its own.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import psycopg
from prometheus_client.metrics_core import Metric

from taskmaster.db.pool import ConnectionPool, PoolUnavailable
from taskmaster.db.sql import load_queries

QUERIES = load_queries(Path(__file__).with_name("queries.sql"))
TASK_COUNTS_TTL_S = 10.0
STATUSES = (
    "pending",
    "in_progress",
    "blocked",
    "review",
    "completed",
    "failed",
    "cancelled",
    "deferred",
)


def _gauge(name: str, help_text: str, value: float, **labels: str) -> Metric:
    family = Metric(name, help_text, "gauge")
    family.add_sample(name, labels, value)
    return family


class DatabaseFacts:
    def __init__(self, pool: ConnectionPool, replica_watch: Any = None) -> None:
        self._pool = pool
        self._watch = replica_watch
        self._tasks: dict[str, int] = {}
        self._tasks_at = float("-inf")

    async def read(self) -> list[Metric]:
        families: list[Metric] = []
        try:
            async with self._pool.connection() as conn:
                await self._read_tasks(conn)
                cur = await conn.execute(QUERIES["wal_archiver"])
                archiver = await cur.fetchone()
            up = 1.0
        except (psycopg.Error, PoolUnavailable):
            up, archiver = 0.0, None
        families.append(
            _gauge("taskmaster_database_up", "1 when the primary answered this scrape.", up)
        )
        if self._tasks:
            tasks = Metric("taskmaster_tasks", "Tasks by status (cached up to 10 s).", "gauge")
            for status in STATUSES:
                tasks.add_sample("taskmaster_tasks", {"status": status}, self._tasks.get(status, 0))
            families.append(tasks)
        if archiver is not None:
            families.extend(_archiver_families(archiver))
        if self._watch is not None:
            families.extend(self._watch.families())
        return families

    async def _read_tasks(self, conn: Any) -> None:
        now = time.monotonic()
        if now - self._tasks_at < TASK_COUNTS_TTL_S:
            return
        cur = await conn.execute(QUERIES["task_status_counts"])
        self._tasks = {status: n for status, n in await cur.fetchall()}
        self._tasks_at = now


def _archiver_families(row: tuple[Any, ...]) -> list[Metric]:
    enabled, archived, failed, last_archived, last_failed = row
    families = [
        _gauge(
            "taskmaster_wal_archiving_enabled", "1 when archive_mode is on.", 1 if enabled else 0
        ),
    ]
    for name, help_text, value in (
        ("taskmaster_wal_archived", "WAL segments archived (pg_stat_archiver).", archived),
        ("taskmaster_wal_archive_failures", "Failed WAL archive attempts.", failed),
    ):
        family = Metric(name, help_text, "counter")
        family.add_sample(f"{name}_total", {}, float(value))
        families.append(family)
    for name, help_text, value in (
        (
            "taskmaster_wal_last_archived_timestamp_seconds",
            "Last successful archive, epoch s.",
            last_archived,
        ),
        (
            "taskmaster_wal_last_failed_timestamp_seconds",
            "Last failed archive, epoch s.",
            last_failed,
        ),
    ):
        families.append(_gauge(name, help_text, float(value or 0)))
    return families
