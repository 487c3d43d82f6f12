"""Claim groups (graph/claim_groups.py): single claims that wait for the same claim slot and share
a key, a tenancy, a project, an assignee and a lease length are leased by one statement, each task
to its own request, best first in arrival order, each audit row naming its own request."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator

import psycopg
import pytest
from taskmaster.db.context import EVERY_PROJECT, WriteContext
from taskmaster.db.pool import ConnectionPool, PoolUnavailable
from taskmaster.db.session import Session
from taskmaster.errors import ApiError
from taskmaster.graph import service
from taskmaster.graph.claim_groups import MAX_GROUP
from taskmaster.graph.schemas import NextClaimRequest

KEY_ID = str(uuid.uuid4())


@pytest.fixture
async def pool(fresh_db: str) -> AsyncIterator[ConnectionPool]:
    pool = ConnectionPool(
        fresh_db, min_size=1, max_size=4, acquire_timeout_s=0.5, claim_concurrency=1
    )
    await pool.open()
    yield pool
    await pool.close()


def _ready_project(url: str, tasks: int) -> tuple[uuid.UUID, list[str]]:
    """A project of ``tasks`` ready tasks; their ids in the ready order (oldest first)."""
    project = uuid.uuid4()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO projects (id, name, slug) VALUES (%s, 'groups', %s)",
            (project, str(project)),
        )
        ids = [
            str(row[0])
            for row in conn.execute(
                "INSERT INTO tasks (project_id, title, created_at)"
                " SELECT %s, 't' || n, now() - interval '1 hour' + n * interval '1 second'"
                " FROM generate_series(1, %s) AS n RETURNING id",
                (project, tasks),
            ).fetchall()
        ]
    return project, ids


def _session(pool: ConnectionPool, request_id: str) -> Session:
    return Session(pool, WriteContext(KEY_ID, request_id), tenancy=EVERY_PROJECT)


def _claim(
    pool: ConnectionPool,
    project: uuid.UUID,
    n: int,
    ttl_seconds: int = 300,
    count: int | None = None,
) -> asyncio.Task[tuple[int | None, bytes]]:
    body = NextClaimRequest(
        agent=f"agent-{n}", project_id=project, ttl_seconds=ttl_seconds, count=count
    )
    return asyncio.create_task(service.claim_next(_session(pool, f"request-{n}"), body))


async def _waiting(claims: list[asyncio.Task[tuple[int | None, bytes]]]) -> None:
    await asyncio.sleep(0.05)  # every claim has joined its group and its group waits
    assert not any(claim.done() for claim in claims)


def _transactions(url: str, project: uuid.UUID) -> int:
    """How many transactions leased the project's leased tasks (the rows' xmin)."""
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(DISTINCT xmin::text) FROM tasks"
            " WHERE project_id = %s AND lease_owner IS NOT NULL",
            (project,),
        ).fetchone()
    assert row is not None
    return int(row[0])


def _audited_requests(url: str) -> dict[str, tuple[str | None, str | None]]:
    """Each task's update audit row: its request id and acting key."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT row_id, request_id, actor_key_id::text FROM audit_logs"
            " WHERE table_name = 'tasks' AND action = 'UPDATE'"
        ).fetchall()
    return {row_id: (request_id, key_id) for row_id, request_id, key_id in rows}


async def test_waiting_claims_are_leased_by_one_statement_each_to_its_own_request(
    pool: ConnectionPool, fresh_db: str
) -> None:
    project, ids = _ready_project(fresh_db, 5)
    async with pool.claims:  # another claim holds the worker's only slot
        claims = [_claim(pool, project, n) for n in range(3)]
        await _waiting(claims)
        assert pool.claims.waiting == 3  # the gate counts each claim of the waiting group
    leased = [json.loads(rendered) for _, rendered in await asyncio.gather(*claims)]
    assert _transactions(fresh_db, project) == 1  # one statement leased all three
    assert pool.claims.waiting == 0
    assert [task["id"] for task in leased] == ids[:3]  # best first, in arrival order
    assert [task["lease_owner"] for task in leased] == ["agent-0", "agent-1", "agent-2"]
    assert all(task["lease_token"] == 1 and task["status"] == "in_progress" for task in leased)
    assert _audited_requests(fresh_db) == {ids[n]: (f"request-{n}", KEY_ID) for n in range(3)}


async def test_claims_that_differ_in_what_they_share_wait_in_groups_of_their_own(
    pool: ConnectionPool, fresh_db: str
) -> None:
    project, ids = _ready_project(fresh_db, 4)
    async with pool.claims:
        claims = [_claim(pool, project, 0, ttl_seconds=60), _claim(pool, project, 1, 120)]
        await _waiting(claims)
        assert pool.claims.waiting == 2
    leased = [json.loads(rendered) for _, rendered in await asyncio.gather(*claims)]
    assert _transactions(fresh_db, project) == 2
    assert sorted(task["id"] for task in leased) == sorted(ids[:2])
    assert _audited_requests(fresh_db) == {
        task["id"]: (f"request-{n}", KEY_ID) for n, task in enumerate(leased)
    }


async def test_a_group_larger_than_the_queue_answers_the_rest_with_404(
    pool: ConnectionPool, fresh_db: str
) -> None:
    project, ids = _ready_project(fresh_db, 2)
    async with pool.claims:
        claims = [_claim(pool, project, n) for n in range(3)]
        await _waiting(claims)
    first, second, third = await asyncio.gather(*claims, return_exceptions=True)
    assert [json.loads(answer[1])["id"] for answer in (first, second)] == ids  # type: ignore[index]
    assert isinstance(third, ApiError) and third.status == 404
    assert third.code == "no-ready-task"


async def test_claims_past_a_full_group_form_the_next_and_the_gate_counts_both(
    pool: ConnectionPool, fresh_db: str
) -> None:
    project, ids = _ready_project(fresh_db, MAX_GROUP + 2)
    async with pool.claims:
        claims = [_claim(pool, project, n) for n in range(MAX_GROUP + 2)]
        await _waiting(claims)
        assert pool.claims.waiting == MAX_GROUP + 2
    leased = [json.loads(rendered)["id"] for _, rendered in await asyncio.gather(*claims)]
    assert leased == ids  # the first group's in arrival order, then the next group's
    assert _transactions(fresh_db, project) == 2
    assert pool.claims.waiting == 0  # both groups' riders left the count when their turn came


async def test_a_claim_that_went_away_before_its_group_ran_is_left_out(
    pool: ConnectionPool, fresh_db: str
) -> None:
    project, ids = _ready_project(fresh_db, 3)
    async with pool.claims:
        claims = [_claim(pool, project, n) for n in range(2)]
        await _waiting(claims)
        claims[0].cancel()
        await asyncio.sleep(0)
    _, rendered = await claims[1]
    assert json.loads(rendered)["id"] == ids[0]  # the best task, to the claim still waiting
    assert claims[0].cancelled()
    assert _audited_requests(fresh_db) == {ids[0]: ("request-1", KEY_ID)}  # nothing else leased
    assert pool.claims.waiting == 0


async def test_a_group_that_waits_past_the_pool_timeout_is_refused_and_leases_nothing(
    pool: ConnectionPool, fresh_db: str
) -> None:
    project, _ = _ready_project(fresh_db, 3)
    async with pool.claims:
        claims = [_claim(pool, project, n) for n in range(2)]
        answers = await asyncio.gather(*claims, return_exceptions=True)
    assert all(isinstance(answer, PoolUnavailable) for answer in answers), answers
    assert _audited_requests(fresh_db) == {}
    assert pool.claims.waiting == 0


async def test_batches_and_single_claims_that_wait_together_share_one_statement(
    pool: ConnectionPool, fresh_db: str
) -> None:
    project, ids = _ready_project(fresh_db, 8)
    async with pool.claims:
        claims = [
            _claim(pool, project, 0, count=2),
            _claim(pool, project, 1),
            _claim(pool, project, 2, count=3),
        ]
        await _waiting(claims)
        assert pool.claims.waiting == 3
    (_, pair), (version, single), (_, triple) = await asyncio.gather(*claims)
    assert [task["id"] for task in json.loads(pair)] == ids[0:2]  # each claim's best, in turn
    assert json.loads(single)["id"] == ids[2] and version == 2
    assert [task["id"] for task in json.loads(triple)] == ids[3:6]
    assert _transactions(fresh_db, project) == 1
    owners = {0: ids[0:2], 1: ids[2:3], 2: ids[3:6]}
    assert _audited_requests(fresh_db) == {
        task: (f"request-{n}", KEY_ID) for n, tasks in owners.items() for task in tasks
    }


async def test_a_batch_past_the_queue_gets_fewer_and_the_next_claim_404(
    pool: ConnectionPool, fresh_db: str
) -> None:
    project, ids = _ready_project(fresh_db, 3)
    async with pool.claims:
        claims = [
            _claim(pool, project, 0, count=2),
            _claim(pool, project, 1, count=2),
            _claim(pool, project, 2),
        ]
        await _waiting(claims)
    first, second, third = await asyncio.gather(*claims, return_exceptions=True)
    assert [task["id"] for task in json.loads(first[1])] == ids[0:2]  # type: ignore[index]
    assert [task["id"] for task in json.loads(second[1])] == ids[2:3]  # type: ignore[index]
    assert isinstance(third, ApiError) and third.status == 404
