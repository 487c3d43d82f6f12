"""The claim queue (migration add_task_claim_queue): batch claims, lease tokens (fencing), lapsed
leases, and the trigger-kept columns the ready order is read from."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import httpx
import psycopg

from tests.helpers import assert_problem
from tests.integration.graph.support import (
    TASKS,
    must_depend,
    new_project,
    new_task,
    next_id,
    set_status,
)

NEXT_CLAIM = f"{TASKS}/next/claim"


def claim_next(client: httpx.Client, project: str, agent: str, **body: Any) -> httpx.Response:
    return client.post(NEXT_CLAIM, json={"agent": agent, "project_id": project} | body)


def must_claim_next(client: httpx.Client, project: str, agent: str, **body: Any) -> Any:
    response = claim_next(client, project, agent, **body)
    assert response.status_code == 200, response.text
    return response.json()["data"]


def lapse(db: psycopg.Connection, task_id: str) -> None:
    db.execute(
        "UPDATE tasks SET lease_expires_at = now() - interval '1 second' WHERE id = %s", (task_id,)
    )


def fenced_status(client: httpx.Client, task_id: str, status: str, token: int) -> httpx.Response:
    return client.patch(
        f"{TASKS}/{task_id}/status",
        json={"status": status},
        headers={"X-Lease-Token": str(token)},
    )


def order_columns(db: psycopg.Connection, task_id: str) -> tuple[int, bool]:
    row = db.execute(
        "SELECT open_dependants, parent_active FROM tasks WHERE id = %s", (task_id,)
    ).fetchone()
    assert row is not None
    return row[0], row[1]


def test_a_stale_lease_token_cannot_complete_a_task_another_agent_holds(
    client: httpx.Client, db: psycopg.Connection
) -> None:
    project = new_project(client)
    task = new_task(client, project)
    first = must_claim_next(client, project, "agent-a")
    assert first["id"] == task and first["lease_token"] == 1
    lapse(db, task)  # agent-a stalls; its lease runs out and agent-b takes the task over
    second = must_claim_next(client, project, "agent-b")
    assert second["id"] == task and second["lease_token"] > first["lease_token"]

    stale = fenced_status(client, task, "completed", first["lease_token"])
    body = assert_problem(stale, 409, "stale-lease-token")
    assert "agent-b" in body["detail"]
    beat = {"agent": "agent-a", "lease_token": first["lease_token"]}
    assert_problem(client.post(f"{TASKS}/{task}/heartbeat", json=beat), 409, "lease-not-held")
    release = {"agent": "agent-a", "lease_token": first["lease_token"]}
    assert_problem(client.post(f"{TASKS}/{task}/release", json=release), 409, "lease-not-held")
    row = db.execute("SELECT status, lease_owner FROM tasks WHERE id = %s", (task,)).fetchone()
    assert row == ("in_progress", "agent-b")  # nothing of agent-b's lease was touched

    done = fenced_status(client, task, "completed", second["lease_token"])
    assert done.status_code == 200, done.text
    assert done.json()["data"]["status"] == "completed"


def test_the_same_agent_name_on_a_new_lease_gets_a_new_token(
    client: httpx.Client, db: psycopg.Connection
) -> None:
    """Two workers under one agent name: the one whose lease lapsed is refused by token."""
    project = new_project(client)
    task = new_task(client, project)
    old = must_claim_next(client, project, "worker")
    lapse(db, task)
    new = must_claim_next(client, project, "worker")
    assert new["lease_token"] == old["lease_token"] + 1
    beat = {"agent": "worker", "lease_token": old["lease_token"]}
    assert_problem(client.post(f"{TASKS}/{task}/heartbeat", json=beat), 409, "stale-lease-token")
    release = {"agent": "worker", "lease_token": old["lease_token"]}
    assert_problem(client.post(f"{TASKS}/{task}/release", json=release), 409, "stale-lease-token")
    assert_problem(fenced_status(client, task, "failed", old["lease_token"]), 409)

    beat = {"agent": "worker", "lease_token": new["lease_token"], "ttl_seconds": 600}
    response = client.post(f"{TASKS}/{task}/heartbeat", json=beat)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["lease_token"] == new["lease_token"]  # same lease, same token
    release = {"agent": "worker", "lease_token": new["lease_token"]}
    released = client.post(f"{TASKS}/{task}/release", json=release)
    assert released.status_code == 200, released.text
    # a released task has no lease: its last token completes nothing any more
    assert_problem(fenced_status(client, task, "completed", new["lease_token"]), 409)
    again = must_claim_next(client, project, "other")
    assert again["lease_token"] == new["lease_token"] + 1


def test_answers_without_a_token_keep_working(client: httpx.Client) -> None:
    project = new_project(client)
    task = new_task(client, project)
    leased = client.post(f"{TASKS}/{task}/claim", json={"agent": "a"}).json()["data"]
    assert leased["lease_token"] == 1
    beat = client.post(f"{TASKS}/{task}/heartbeat", json={"agent": "a"})
    assert beat.status_code == 200, beat.text
    assert set_status(client, task, "completed")["lease_owner"] is None  # no lease needed
    assert_problem(fenced_status(client, task, "completed", 0), 400)  # tokens start at 1
    assert_problem(fenced_status(client, task, "completed", 2**63), 400)  # beyond bigint
    beat = {"agent": "a", "lease_token": 2**63}
    assert_problem(client.post(f"{TASKS}/{task}/heartbeat", json=beat), 422, "validation-failed")


def test_batch_claims_lease_up_to_count_best_first(client: httpx.Client) -> None:
    project = new_project(client)
    tasks = [new_task(client, project, priority=p) for p in (1, 9, 5, 7, 3, 8)]
    batch = must_claim_next(client, project, "a", count=4)
    assert isinstance(batch, list)
    assert [t["priority"] for t in batch] == [9, 8, 7, 5]
    assert all(t["status"] == "in_progress" and t["lease_owner"] == "a" for t in batch)
    assert all(t["lease_token"] == 1 for t in batch)
    rest = must_claim_next(client, project, "b", count=100)
    assert sorted(t["id"] for t in rest + batch) == sorted(tasks)
    assert_problem(claim_next(client, project, "c", count=5), 404, "no-ready-task")
    for count in (0, 101):
        assert_problem(claim_next(client, project, "c", count=count), 422, "validation-failed")


def test_concurrent_batch_claimers_never_share_a_task(
    client: httpx.Client, db: psycopg.Connection
) -> None:
    project = new_project(client)
    tasks = {new_task(client, project, priority=i % 3) for i in range(60)}
    barrier = threading.Barrier(20)
    got: list[str] = []
    lock = threading.Lock()

    def agent(n: int) -> None:
        with httpx.Client(
            base_url=str(client.base_url), headers=client.headers, timeout=30
        ) as http:
            barrier.wait()
            response = claim_next(http, project, f"agent-{n}", count=5)
        if response.status_code == 200:
            with lock:
                got.extend(t["id"] for t in response.json()["data"])

    threads = [threading.Thread(target=agent, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    counts = Counter(got)
    assert all(n == 1 for n in counts.values()), counts
    assert set(counts) == tasks  # 20 x 5 asks for 60 tasks: every one leased, once
    tokens = db.execute(
        "SELECT DISTINCT lease_token FROM tasks WHERE project_id = %s", (project,)
    ).fetchall()
    assert tokens == [(1,)]


def test_lapsed_leases_come_back_before_fresh_work(
    client: httpx.Client, db: psycopg.Connection
) -> None:
    project = new_project(client)
    started = new_task(client, project, priority=1)
    must_claim_next(client, project, "gone")
    fresh = new_task(client, project, priority=9)
    assert next_id(client, project) == fresh
    lapse(db, started)
    assert next_id(client, project) == started  # it was started already: taken back first
    taken = must_claim_next(client, project, "b", count=2)
    assert [t["id"] for t in taken] == [started, fresh]
    assert taken[0]["lease_token"] == 2


def test_the_dependants_count_follows_the_graph(
    client: httpx.Client, db: psycopg.Connection
) -> None:
    project = new_project(client)
    prerequisite = new_task(client, project)
    waiting = [new_task(client, project) for _ in range(3)]
    edge = must_depend(client, waiting[0], prerequisite)
    must_depend(client, waiting[1], prerequisite)
    must_depend(client, prerequisite, waiting[2], "blocks")  # waiting[2] waits too
    assert order_columns(db, prerequisite) == (3, False)
    set_status(client, waiting[1], "cancelled")
    assert order_columns(db, prerequisite)[0] == 2
    set_status(client, waiting[1], "pending")  # reopened: it waits again
    assert order_columns(db, prerequisite)[0] == 3
    assert client.delete(f"{TASKS}/{waiting[0]}/dependencies/{edge}").status_code == 204
    assert order_columns(db, prerequisite)[0] == 2
    set_status(client, prerequisite, "completed")
    set_status(client, waiting[1], "completed")
    assert order_columns(db, prerequisite)[0] == 1
    assert client.delete(f"{TASKS}/{waiting[2]}").status_code == 204
    assert order_columns(db, prerequisite)[0] == 0


def test_parent_active_follows_the_parent_and_moves(
    client: httpx.Client, db: psycopg.Connection
) -> None:
    project = new_project(client)
    parent, other = new_task(client, project), new_task(client, project)
    child = new_task(client, project, parent_task_id=parent)
    assert order_columns(db, child) == (0, False)
    version = db.execute("SELECT version FROM tasks WHERE id = %s", (child,)).fetchone()
    claimed = client.post(f"{TASKS}/{parent}/claim", json={"agent": "a"})
    assert claimed.status_code == 200, claimed.text
    assert order_columns(db, child) == (0, True)
    # bookkeeping, not a change of the child: its version (ETag) stays
    assert db.execute("SELECT version FROM tasks WHERE id = %s", (child,)).fetchone() == version
    late = new_task(client, project, parent_task_id=parent)
    assert order_columns(db, late) == (0, True)
    moved = client.patch(f"{TASKS}/{late}", json={"parent_task_id": other})
    assert moved.status_code == 200, moved.text
    assert order_columns(db, late) == (0, False)
    assert client.post(f"{TASKS}/{parent}/release", json={"agent": "a"}).status_code == 200
    assert order_columns(db, child) == (0, False)


def test_recount_repairs_counters_written_behind_the_triggers(
    client: httpx.Client, db: psycopg.Connection
) -> None:
    project = new_project(client)
    parent = new_task(client, project, status="in_progress")
    child = new_task(client, project, parent_task_id=parent)
    must_depend(client, new_task(client, project), child)
    db.execute(
        "UPDATE tasks SET open_dependants = 7, parent_active = false WHERE id = %s", (child,)
    )
    (corrected,) = db.execute("SELECT recount_task_claim_order()").fetchone()  # type: ignore[misc]
    assert corrected >= 2  # the counter and the flag of this row (others' rows may need it too)
    assert order_columns(db, child) == (1, True)
