"""Claims pass the pool's claim gate (``DATABASE_CLAIM_CONCURRENCY``): a claim waits while the
worker's slots are taken, leases nothing meanwhile, and is refused (503) when it waits too long."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import psycopg
import pytest
from taskmaster.db.pool import ConnectionPool, PoolUnavailable
from taskmaster.graph import service
from taskmaster.graph.schemas import NextClaimRequest


@pytest.fixture
async def pool(fresh_db: str) -> AsyncIterator[ConnectionPool]:
    pool = ConnectionPool(
        fresh_db, min_size=1, max_size=4, acquire_timeout_s=0.3, claim_concurrency=1
    )
    await pool.open()
    yield pool
    await pool.close()


def _ready_project(url: str, tasks: int) -> uuid.UUID:
    project = uuid.uuid4()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO projects (id, name, slug) VALUES (%s, 'gate', %s)", (project, str(project))
        )
        for n in range(tasks):
            conn.execute(
                "INSERT INTO tasks (project_id, title) VALUES (%s, %s)", (project, f"t{n}")
            )
    return project


def _leased(url: str, project: uuid.UUID) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM tasks WHERE project_id = %s AND lease_owner IS NOT NULL",
            (project,),
        ).fetchone()
    assert row is not None
    return int(row[0])


async def test_a_claim_waits_for_a_free_claim_slot(pool: ConnectionPool, fresh_db: str) -> None:
    project = _ready_project(fresh_db, 2)
    body = NextClaimRequest(agent="waiting", project_id=project)
    async with pool.claims:  # another claim of this worker holds the only slot
        claim = asyncio.create_task(service.claim_next(pool, body))
        await asyncio.sleep(0.1)
        assert not claim.done()
        assert pool.claims.waiting == 1
        assert _leased(fresh_db, project) == 0
        async with pool.connection() as conn:  # reads are not held up meanwhile
            await conn.execute("SELECT 1")
    version, rendered = await claim
    assert version is not None and b'"lease_owner":"waiting"' in rendered
    assert _leased(fresh_db, project) == 1
    assert pool.claims.held == 0


async def test_a_claim_that_waits_past_the_pool_timeout_is_refused_and_leases_nothing(
    pool: ConnectionPool, fresh_db: str
) -> None:
    project = _ready_project(fresh_db, 1)
    async with pool.claims:
        with pytest.raises(PoolUnavailable, match="no claim slot free"):
            await service.claim_next(pool, NextClaimRequest(agent="late", project_id=project))
    assert _leased(fresh_db, project) == 0
    version, _ = await service.claim_next(pool, NextClaimRequest(agent="now", project_id=project))
    assert version is not None and _leased(fresh_db, project) == 1
