"""``GET /health`` (liveness, no database) and ``GET /health/detailed`` (database round trip,
pool statistics, applied migration version)."""

from __future__ import annotations

import time
from dataclasses import asdict
from pathlib import Path
from typing import Literal

import msgspec
from litestar import get
from litestar.datastructures import State

from taskmaster.api.docs import AUTH, PUBLIC_SECURITY, problems
from taskmaster.db.sql import load_queries

QUERIES = load_queries(Path(__file__).with_name("queries.sql"))


class Liveness(msgspec.Struct):
    status: Literal["ok"]


class PoolState(msgspec.Struct):
    name: str
    size: int
    idle: int
    in_use: int
    waiting: int
    max_size: int


class DatabaseState(msgspec.Struct):
    status: Literal["ok"]
    round_trip_ms: float
    migration_version: str | None


class DetailedHealth(msgspec.Struct):
    status: Literal["ok"]
    database: DatabaseState
    pools: list[PoolState]


@get("/health", summary="Liveness", tags=["health"], cache_control=None, security=PUBLIC_SECURITY)
async def health() -> Liveness:
    return Liveness(status="ok")


@get(
    "/health/detailed",
    summary="Database round trip, pools, migration version (scope metrics:read)",
    tags=["health"],
    responses=problems(*AUTH, 503),
)
async def health_detailed(state: State) -> DetailedHealth:
    started = time.perf_counter()
    async with state.pool.connection() as conn:
        cur = await conn.execute(QUERIES["database_health"])
        row = await cur.fetchone()
    round_trip_ms = round((time.perf_counter() - started) * 1000, 3)
    version = row[0] if row else None
    return DetailedHealth(
        status="ok",
        database=DatabaseState(status="ok", round_trip_ms=round_trip_ms, migration_version=version),
        pools=[PoolState(**asdict(state.pool.stats()))],
    )
