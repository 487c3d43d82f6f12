"""``GET /health`` (liveness, no database) and ``GET /health/detailed`` (database round trip,
pool statistics, applied migration version, and the read replica's state when one is configured).

``/health/detailed`` checks each database on its own pool (never through read routing): the
primary must answer (else 503); a replica that does not answer makes the status ``degraded``
(reads are then served by the primary)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Literal

import msgspec
import psycopg
from litestar import get
from litestar.datastructures import State

from taskmaster.api.docs import AUTH, PUBLIC_SECURITY, problems
from taskmaster.api.policy import policy
from taskmaster.auth.scopes import ADMIN, PUBLIC
from taskmaster.db.pool import ConnectionPool, PoolStats, PoolUnavailable
from taskmaster.db.sql import load_queries

QUERIES = load_queries(Path(__file__).with_name("queries.sql"))


class Liveness(msgspec.Struct):
    status: Literal["ok"]


class PoolState(PoolStats):
    available: bool


class DatabaseState(msgspec.Struct):
    status: Literal["ok"]
    round_trip_ms: float
    migration_version: str | None


class ReplicaState(msgspec.Struct):
    status: Literal["ok", "down"]
    round_trip_ms: float | None
    migration_version: str | None
    error: str | None = None
    # From the replica watch (db/consistency.py): its last poll, each worker polling on its own.
    standby: bool | None = None
    lag_ms: float | None = None
    replay_paused: bool | None = None


class DetailedHealth(msgspec.Struct):
    status: Literal["ok", "degraded"]
    database: DatabaseState
    pools: list[PoolState]
    replica: ReplicaState | None = None


def _pool_state(pool: ConnectionPool) -> PoolState:
    return PoolState(**msgspec.structs.asdict(pool.stats()), available=pool.available())


async def _check_replica(replica: ConnectionPool) -> ReplicaState:
    started = time.perf_counter()
    try:
        async with replica.connection() as conn:
            cur = await conn.execute(QUERIES["database_health"])
            row = await cur.fetchone()
    except (psycopg.Error, PoolUnavailable) as exc:
        replica.mark_down()
        first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return ReplicaState(
            status="down", round_trip_ms=None, migration_version=None, error=first_line
        )
    round_trip_ms = round((time.perf_counter() - started) * 1000, 3)
    return ReplicaState(
        status="ok", round_trip_ms=round_trip_ms, migration_version=row[0] if row else None
    )


@get(
    "/health",
    summary="Liveness",
    tags=["health"],
    cache_control=None,
    security=PUBLIC_SECURITY,
    opt=policy(PUBLIC, replica=False),
)
async def health() -> Liveness:
    return Liveness(status="ok")


@get(
    "/health/detailed",
    summary="Database round trip, pools, replica, migration version (scope metrics:read)",
    tags=["health"],
    responses=problems(*AUTH, 503),
    opt=policy("metrics:read", ADMIN, replica=False),
)
async def health_detailed(state: State) -> DetailedHealth:
    started = time.perf_counter()
    async with state.pool.connection() as conn:
        cur = await conn.execute(QUERIES["database_health"])
        row = await cur.fetchone()
    round_trip_ms = round((time.perf_counter() - started) * 1000, 3)
    version = row[0] if row else None
    replica: ConnectionPool | None = state.get("replica")
    replica_state = await _check_replica(replica) if replica is not None else None
    watch = state.get("replica_watch")
    if replica_state is not None and watch is not None:
        polled = watch.status
        replica_state.standby = polled.up
        replica_state.lag_ms = round(polled.lag_ms, 3) if polled.up else None
        replica_state.replay_paused = polled.paused if polled.up else None
        if replica_state.status == "ok" and not polled.up:
            replica_state.error = polled.error
    pools = [state.pool] + ([replica] if replica is not None else [])
    return DetailedHealth(
        status="degraded" if replica_state is not None and replica_state.status == "down" else "ok",
        database=DatabaseState(status="ok", round_trip_ms=round_trip_ms, migration_version=version),
        pools=[_pool_state(pool) for pool in pools],
        replica=replica_state,
    )
