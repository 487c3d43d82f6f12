"""Ready work: `next` ordering rules, claims (explicit and next), heartbeats, releases, expiry."""

from __future__ import annotations

import threading
from collections import Counter

import httpx
import psycopg
import pytest

from tests.helpers import assert_problem
from tests.integration.graph.support import (
    TASKS,
    must_depend,
    new_project,
    new_task,
    next_id,
    set_status,
)


def claim(client: httpx.Client, task_id: str, agent: str, **body: object) -> httpx.Response:
    return client.post(f"{TASKS}/{task_id}/claim", json={"agent": agent} | body)


def test_next_is_not_shadowed_by_the_uuid_routes(client: httpx.Client) -> None:
    project = new_project(client)
    task = new_task(client, project)
    assert next_id(client, project) == task
    # a non-uuid segment is not a task id: no route, not a 400 from uuid parsing
    assert_problem(client.get(f"{TASKS}/nxt"), 404)
    assert client.get(f"{TASKS}/{task}").json()["data"]["id"] == task


def test_next_prefers_priority_then_unblocking_then_age(client: httpx.Client) -> None:
    project = new_project(client)
    old_low = new_task(client, project, priority=3)
    plain = new_task(client, project, priority=7)
    unblocker = new_task(client, project, priority=7)
    for _ in range(2):
        must_depend(client, new_task(client, project, priority=1), unblocker)
    assert next_id(client, project) == unblocker  # same priority as `plain`, unblocks two tasks
    important = new_task(client, project, priority=9)
    assert next_id(client, project) == important
    set_status(client, important, "completed")
    set_status(client, unblocker, "completed")
    assert next_id(client, project) == plain
    set_status(client, plain, "cancelled")
    # oldest first among equals: old_low (3) beats the two newer priority-1 tasks
    assert next_id(client, project) == old_low


def test_next_skips_tasks_with_unfinished_prerequisites(client: httpx.Client) -> None:
    project = new_project(client)
    prerequisite = new_task(client, project, priority=1)
    dependent = new_task(client, project, priority=10)
    blocked_by = new_task(client, project, priority=10)
    must_depend(client, dependent, prerequisite)
    must_depend(client, prerequisite, blocked_by, "blocks")  # blocked_by waits for prerequisite
    assert next_id(client, project) == prerequisite
    set_status(client, prerequisite, "in_progress")
    assert next_id(client, project) is None
    set_status(client, prerequisite, "completed")
    assert next_id(client, project) == dependent  # same priority as blocked_by, older


def test_subtasks_of_in_progress_parents_come_first(client: httpx.Client) -> None:
    project = new_project(client)
    parent = new_task(client, project, priority=1)
    urgent = new_task(client, project, priority=10)
    child = new_task(client, project, priority=0, parent_task_id=parent)
    assert next_id(client, project) == urgent
    set_status(client, parent, "in_progress")
    assert next_id(client, project) == child


def test_next_respects_the_assignee(client: httpx.Client) -> None:
    project = new_project(client)
    theirs = new_task(client, project, priority=10, assigned_to="someone-else")
    mine = new_task(client, project, priority=5, assigned_to="me")
    anyone = new_task(client, project, priority=8)
    assert next_id(client, project) == theirs
    assert next_id(client, project, assignee="me") == anyone
    set_status(client, anyone, "completed")
    assert next_id(client, project, assignee="me") == mine


def test_next_refuses_unknown_parameters(client: httpx.Client) -> None:
    assert_problem(client.get(f"{TASKS}/next", params={"priority": 3}), 400, "unknown-parameter")
    assert_problem(client.get(f"{TASKS}/next", params={"project_id": "x"}), 400)


def test_claim_heartbeat_release_cycle(client: httpx.Client, db: psycopg.Connection) -> None:
    project = new_project(client)
    task = new_task(client, project)
    response = claim(client, task, "agent-a", ttl_seconds=60)
    assert response.status_code == 200, response.text
    claimed = response.json()["data"]
    assert claimed["status"] == "in_progress" and claimed["lease_owner"] == "agent-a"
    assert next_id(client, project) is None  # leased: not ready for anyone else

    body = assert_problem(claim(client, task, "agent-b"), 409, "lease-held")
    assert "agent-a" in body["detail"]
    assert claim(client, task, "agent-a").status_code == 200  # the holder may claim again

    beat = client.post(f"{TASKS}/{task}/heartbeat", json={"agent": "agent-a", "ttl_seconds": 600})
    assert beat.status_code == 200, beat.text
    assert beat.json()["data"]["lease_expires_at"] > claimed["lease_expires_at"]
    other = client.post(f"{TASKS}/{task}/heartbeat", json={"agent": "agent-b"})
    assert_problem(other, 409, "lease-not-held")
    assert_problem(client.post(f"{TASKS}/{task}/release", json={"agent": "b"}), 409)

    released = client.post(f"{TASKS}/{task}/release", json={"agent": "agent-a"})
    assert released.status_code == 200, released.text
    data = released.json()["data"]
    assert (data["status"], data["lease_owner"], data["lease_expires_at"]) == (
        "pending",
        None,
        None,
    )
    assert next_id(client, project) == task


def test_expired_lease_is_claimable_again(client: httpx.Client, db: psycopg.Connection) -> None:
    project = new_project(client)
    task = new_task(client, project)
    assert claim(client, task, "agent-a").status_code == 200
    assert_problem(claim(client, task, "agent-b"), 409, "lease-held")
    db.execute(
        "UPDATE tasks SET lease_expires_at = now() - interval '1 second' WHERE id = %s", (task,)
    )
    assert next_id(client, project) == task  # in progress, but its agent went away
    response = claim(client, task, "agent-b")
    assert response.status_code == 200, response.text
    assert response.json()["data"]["lease_owner"] == "agent-b"
    assert_problem(
        client.post(f"{TASKS}/{task}/heartbeat", json={"agent": "agent-a"}), 409, "lease-not-held"
    )


def test_completing_releases_the_lease(client: httpx.Client, db: psycopg.Connection) -> None:
    project = new_project(client)
    task = new_task(client, project)
    assert claim(client, task, "agent-a").status_code == 200
    done = set_status(client, task, "completed")
    assert done["lease_owner"] is None and done["lease_expires_at"] is None
    body = assert_problem(claim(client, task, "agent-b"), 409, "not-claimable")
    assert "completed" in body["detail"]


def test_claims_of_blocked_or_missing_tasks(client: httpx.Client) -> None:
    project = new_project(client)
    prerequisite, dependent = new_task(client, project), new_task(client, project)
    must_depend(client, dependent, prerequisite)
    assert_problem(claim(client, dependent, "a"), 409, "task-blocked")
    missing = "00000000-0000-4000-8000-000000000001"
    assert_problem(claim(client, missing, "a"), 404, "not-found")
    assert_problem(client.post(f"{TASKS}/{missing}/release", json={"agent": "a"}), 404)
    assert_problem(claim(client, prerequisite, ""), 422, "validation-failed")
    assert_problem(claim(client, prerequisite, "a", ttl_seconds=0), 422, "validation-failed")


def test_next_claim_takes_the_best_and_404_when_none(client: httpx.Client) -> None:
    project = new_project(client)
    low, high = new_task(client, project, priority=1), new_task(client, project, priority=9)
    url = f"{TASKS}/next/claim"
    first = client.post(url, json={"agent": "a", "project_id": project})
    assert first.status_code == 200, first.text
    assert first.json()["data"]["id"] == high
    second = client.post(url, json={"agent": "b", "project_id": project})
    assert second.json()["data"]["id"] == low
    assert_problem(
        client.post(url, json={"agent": "c", "project_id": project}), 404, "no-ready-task"
    )


@pytest.mark.parametrize("mode", ["next", "explicit"])
def test_fifty_claimers_over_twenty_tasks(
    client: httpx.Client, db: psycopg.Connection, mode: str
) -> None:
    """50 agents race for 20 ready tasks: each task goes to exactly one agent."""
    project = new_project(client)
    tasks = [new_task(client, project, priority=i % 4) for i in range(20)]
    barrier = threading.Barrier(50)
    outcomes: list[tuple[str, int, str | None]] = []
    lock = threading.Lock()

    def agent(n: int) -> None:
        name = f"agent-{n}"
        with httpx.Client(
            base_url=str(client.base_url), headers=client.headers, timeout=30
        ) as http:
            barrier.wait()
            if mode == "next":
                response = http.post(
                    f"{TASKS}/next/claim", json={"agent": name, "project_id": project}
                )
            else:
                response = claim(http, tasks[n % 20], name)
            got = response.json()["data"]["id"] if response.status_code == 200 else None
        with lock:
            outcomes.append((name, response.status_code, got))

    threads = [threading.Thread(target=agent, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    won = [(name, got) for name, status, got in outcomes if status == 200]
    codes = Counter(status for _, status, _ in outcomes)
    assert set(codes) <= {200, 404, 409}, codes
    claimed = Counter(got for _, got in won)
    assert all(count == 1 for count in claimed.values()), claimed
    assert len(won) == 20 and set(claimed) == set(tasks), codes  # every task, once
    if mode == "next":
        assert codes[404] == 30  # nothing left for the other 30
    rows = db.execute(
        "SELECT id::text, lease_owner, status FROM tasks WHERE project_id = %s", (project,)
    ).fetchall()
    holders = {task_id: owner for task_id, owner, _ in rows if owner is not None}
    assert holders == {got: name for name, got in won}
    assert all(status == "in_progress" for task_id, _, status in rows if task_id in holders)
