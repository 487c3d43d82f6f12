"""Subtask batches (all or nothing), parent moves that would loop (409), and the parent's
total_subtasks / completed_subtasks under concurrent changes."""

from __future__ import annotations

import threading

import httpx
import psycopg

from tests.helpers import assert_problem, count_rows
from tests.integration.graph.support import TASKS, new_project, new_task, set_status


def counters(db: psycopg.Connection, task_id: str) -> tuple[int, int]:
    row = db.execute(
        "SELECT total_subtasks, completed_subtasks FROM tasks WHERE id = %s", (task_id,)
    ).fetchone()
    assert row is not None
    return row[0], row[1]


def test_batch_creates_every_subtask_in_order(client: httpx.Client, db: psycopg.Connection) -> None:
    project = new_project(client)
    parent = new_task(client, project)
    entries = [{"title": f"step {i}", "project_id": project, "priority": i} for i in range(5)]
    entries[2]["status"] = "completed"
    response = client.post(f"{TASKS}/{parent}/subtasks/batch", json={"tasks": entries})
    assert response.status_code == 201, response.text
    created = response.json()["data"]
    assert [t["title"] for t in created] == [e["title"] for e in entries]
    assert all(t["parent_task_id"] == parent for t in created)
    assert counters(db, parent) == (5, 1)
    got = client.get(f"{TASKS}/{parent}").json()["data"]
    assert (got["total_subtasks"], got["completed_subtasks"]) == (5, 1)


def test_one_bad_entry_creates_nothing_and_names_its_index(
    client: httpx.Client, db: psycopg.Connection
) -> None:
    project = new_project(client)
    parent = new_task(client, project)
    url = f"{TASKS}/{parent}/subtasks/batch"
    good = {"title": "fine", "project_id": project}
    bad_schema = [good, good, {"title": ""}, good]
    body = assert_problem(client.post(url, json={"tasks": bad_schema}), 422, "validation-failed")
    assert "tasks[2]" in str(body), body
    unknown = "00000000-0000-4000-8000-000000000002"
    bad_ref = [good, good, good, {"title": "x", "project_id": unknown}]
    body = assert_problem(client.post(url, json={"tasks": bad_ref}), 422, "unknown-reference")
    assert body["errors"] == [{"field": "tasks[3].project_id", "message": "no such project"}]
    assert count_rows(db, "tasks", "parent_task_id = %s", parent) == 0
    assert counters(db, parent) == (0, 0)
    assert_problem(client.post(url, json={"tasks": []}), 422)
    missing = f"{TASKS}/00000000-0000-4000-8000-000000000003/subtasks/batch"
    assert_problem(client.post(missing, json={"tasks": [good]}), 404, "not-found")


def test_counters_follow_moves_status_changes_and_deletes(
    client: httpx.Client, db: psycopg.Connection
) -> None:
    project = new_project(client)
    first, second = new_task(client, project), new_task(client, project)
    child = new_task(client, project, parent_task_id=first, status="completed")
    other = new_task(client, project, parent_task_id=first)
    assert counters(db, first) == (2, 1)
    moved = client.patch(f"{TASKS}/{child}", json={"parent_task_id": second})
    assert moved.status_code == 200, moved.text
    assert counters(db, first) == (1, 0) and counters(db, second) == (1, 1)
    set_status(client, child, "pending")
    assert counters(db, second) == (1, 0)
    assert client.delete(f"{TASKS}/{other}").status_code == 204
    assert counters(db, first) == (0, 0)
    client.patch(f"{TASKS}/{child}", json={"parent_task_id": None})
    assert counters(db, second) == (0, 0)


def test_moving_a_task_under_its_descendant_is_409(
    client: httpx.Client, db: psycopg.Connection
) -> None:
    project = new_project(client)
    root = new_task(client, project)
    middle = new_task(client, project, parent_task_id=root)
    leaf = new_task(client, project, parent_task_id=middle)
    response = client.patch(f"{TASKS}/{root}", json={"parent_task_id": leaf})
    assert_problem(response, 409, "parent-cycle")
    assert db.execute("SELECT parent_task_id FROM tasks WHERE id = %s", (root,)).fetchone() == (
        None,
    )
    # a move that keeps the chain a tree is fine
    assert client.patch(f"{TASKS}/{leaf}", json={"parent_task_id": root}).status_code == 200


def test_concurrent_opposite_moves_cannot_make_a_loop(client: httpx.Client) -> None:
    project = new_project(client)
    a, b = new_task(client, project), new_task(client, project)
    barrier = threading.Barrier(2)
    codes: list[int] = []

    def move(task_id: str, parent: str) -> None:
        with httpx.Client(base_url=str(client.base_url), headers=client.headers) as http:
            barrier.wait()
            codes.append(
                http.patch(f"{TASKS}/{task_id}", json={"parent_task_id": parent}).status_code
            )

    threads = [threading.Thread(target=move, args=pair) for pair in [(a, b), (b, a)]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # The loser is refused either by the loop check (parent-cycle) or, when the two updates
    # already hold each other's rows for the counters, by PostgreSQL's deadlock detection
    # (write-conflict); never both succeed.
    assert sorted(codes) == [200, 409]


def test_counters_stay_exact_under_concurrent_status_changes(
    client: httpx.Client, db: psycopg.Connection, origin_db: str
) -> None:
    """40 children completed and reopened from 8 connections at once, straight in SQL (row
    locks, not the API, are what keeps the counters right)."""
    project = new_project(client)
    parent = new_task(client, project)
    response = client.post(
        f"{TASKS}/{parent}/subtasks/batch",
        json={"tasks": [{"title": f"c{i}", "project_id": project} for i in range(40)]},
    )
    children = [t["id"] for t in response.json()["data"]]
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def worker(mine: list[str]) -> None:
        try:
            with psycopg.connect(origin_db, autocommit=True) as conn:
                barrier.wait()
                for round_ in range(3):
                    for task_id in mine:
                        status = "completed" if round_ % 2 == 0 else "in_progress"
                        conn.execute(
                            "UPDATE tasks SET status = %s WHERE id = %s", (status, task_id)
                        )
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(children[n::8],)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    # After three rounds (completed, in_progress, completed) every child is completed.
    assert counters(db, parent) == (40, 40)
    recount = db.execute(
        "SELECT count(*), count(*) FILTER (WHERE status = 'completed') FROM tasks"
        " WHERE parent_task_id = %s",
        (parent,),
    ).fetchone()
    assert recount == (40, 40)
