"""Dependency writes never close a cycle: direct, long, through `blocks`, and under concurrency."""

from __future__ import annotations

import itertools
import threading
import uuid

import httpx
import psycopg
import pytest

from tests.helpers import assert_problem, count_rows
from tests.integration.graph.support import TASKS, depend, must_depend, new_project, new_task


def test_direct_cycle_is_409_naming_the_path(client: httpx.Client, db: psycopg.Connection) -> None:
    project = new_project(client)
    a, b = new_task(client, project), new_task(client, project)
    must_depend(client, a, b)
    response = depend(client, b, a)
    body = assert_problem(response, 409, "dependency-cycle")
    assert f"{b} -> {a} -> {b}" in body["detail"]
    assert count_rows(db, "task_dependencies", "task_id = %s", b) == 0


def test_long_chain_cycle_names_every_task_in_order(client: httpx.Client) -> None:
    project = new_project(client)
    chain = [new_task(client, project) for _ in range(12)]
    for dependent, prerequisite in itertools.pairwise(chain):
        must_depend(client, dependent, prerequisite)  # chain[0] needs chain[1] needs … chain[11]
    body = assert_problem(depend(client, chain[-1], chain[0]), 409, "dependency-cycle")
    assert " -> ".join([chain[-1], *chain]) in body["detail"]


def test_blocks_edges_count_in_the_reverse_direction(client: httpx.Client) -> None:
    project = new_project(client)
    a, b, c = (new_task(client, project) for _ in range(3))
    must_depend(client, a, b)  # a depends on b
    must_depend(client, a, c, "blocks")  # a blocks c: c depends on a
    # c depends on a depends on b: "b depends on c" closes it, and so does "c blocks b".
    assert_problem(depend(client, b, c), 409, "dependency-cycle")
    body = assert_problem(depend(client, c, b, "blocks"), 409, "dependency-cycle")
    assert f"{b} -> {c} -> {a} -> {b}" in body["detail"]
    # "b blocks c" agrees with the order already there.
    assert depend(client, b, c, "blocks").status_code == 201


def test_related_edges_never_form_cycles_and_diamonds_are_fine(client: httpx.Client) -> None:
    project = new_project(client)
    a, b, c, d = (new_task(client, project) for _ in range(4))
    must_depend(client, a, b, "related")
    assert depend(client, b, a, "related").status_code == 201
    for dependent, prerequisite in [(a, b), (a, c), (b, d), (c, d)]:
        must_depend(client, dependent, prerequisite)
    assert_problem(depend(client, d, a), 409, "dependency-cycle")


def test_self_edge_stays_422_and_unknown_task_404(client: httpx.Client) -> None:
    project = new_project(client)
    a = new_task(client, project)
    assert_problem(depend(client, a, a), 422, "self-dependency")
    missing = "00000000-0000-4000-8000-000000000000"
    assert_problem(depend(client, missing, a), 404, "not-found")


def _race(client: httpx.Client, *halves: tuple[str, str]) -> list[int]:
    """Post each (task, prerequisite) edge from its own thread and connection, all released at
    the same moment; the status codes, sorted."""
    barrier = threading.Barrier(len(halves))
    codes: list[int] = []

    def add(task_id: str, on: str) -> None:
        with httpx.Client(base_url=str(client.base_url), headers=client.headers) as http:
            barrier.wait()
            codes.append(depend(http, task_id, on).status_code)

    threads = [threading.Thread(target=add, args=half) for half in halves]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(codes)


@pytest.mark.parametrize("attempt", range(5))
def test_two_halves_of_a_cycle_at_once_never_both_succeed(
    client: httpx.Client, attempt: int
) -> None:
    """Two connections each add half of a cycle at the same moment: exactly one wins."""
    project = new_project(client)
    a, b, c = (new_task(client, project) for _ in range(3))
    must_depend(client, b, c)  # b → c; the halves: a → b and c → a
    assert _race(client, (a, b), (c, a)) == [201, 409]


def test_concurrent_halves_at_the_sql_level(client: httpx.Client, origin_db: str) -> None:
    """The same race with the transactions held open by hand: the second writer waits on the
    graph lock, then sees the first one's edge and refuses."""
    import asyncio

    from taskmaster.graph import service
    from taskmaster.tasks.schemas import TaskDependencyWrite

    project = new_project(client)
    a, b = new_task(client, project), new_task(client, project)

    async def scenario() -> list[str]:
        from taskmaster.db.pool import ConnectionPool

        pool = ConnectionPool(origin_db, min_size=2, max_size=4)
        await pool.open()
        outcomes: list[str] = []
        first_inside = asyncio.Event()
        release_first = asyncio.Event()

        async def first() -> None:
            async with pool.connection() as conn, conn.transaction():
                await conn.execute(service.QUERIES["lock_dependency_graph"])
                await conn.execute(
                    "INSERT INTO task_dependencies (task_id, depends_on_task_id) VALUES (%s, %s)",
                    (a, b),
                )
                first_inside.set()
                await release_first.wait()
            outcomes.append("first committed")

        async def second() -> None:
            await first_inside.wait()
            body = TaskDependencyWrite(depends_on_task_id=uuid.UUID(a))
            task = asyncio.create_task(service.add_dependency(pool, uuid.UUID(b), body))
            await asyncio.sleep(0.2)  # let it reach the lock; the outcome does not depend on it
            release_first.set()
            try:
                await task
                outcomes.append("second inserted")
            except Exception as exc:
                outcomes.append(f"second refused: {getattr(exc, 'code', exc)}")

        try:
            await asyncio.gather(first(), second())
        finally:
            await pool.close()
        return outcomes

    outcomes = asyncio.run(scenario())
    assert "second refused: dependency-cycle" in outcomes, outcomes


def test_dependencies_list_still_works_after_refusals(client: httpx.Client) -> None:
    project = new_project(client)
    a, b = new_task(client, project), new_task(client, project)
    edge = must_depend(client, a, b)
    assert_problem(depend(client, b, a), 409)
    listed = client.get(f"{TASKS}/{a}/dependencies").json()["data"]
    assert [item["id"] for item in listed] == [edge]


def test_the_same_order_spelled_the_other_way_is_a_duplicate(client: httpx.Client) -> None:
    project = new_project(client)
    a, b = new_task(client, project), new_task(client, project)
    must_depend(client, a, b)  # a depends on b …
    body = assert_problem(
        depend(client, b, a, "blocks"), 409, "duplicate-dependency"
    )  # … b blocks a
    assert str(a) in body["detail"]
