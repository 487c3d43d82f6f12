"""tasks.open_prerequisites (what `next` and claims read) follows every way the graph changes,
also under concurrent edge inserts and completions."""

from __future__ import annotations

import threading

import httpx
import psycopg

from tests.integration.graph.support import (
    TASKS,
    must_depend,
    new_project,
    new_task,
    next_id,
    set_status,
)


def open_count(db: psycopg.Connection, task_id: str) -> int:
    row = db.execute("SELECT open_prerequisites FROM tasks WHERE id = %s", (task_id,)).fetchone()
    assert row is not None
    return int(row[0])


def test_counter_follows_edges_completions_and_deletes(
    client: httpx.Client, db: psycopg.Connection
) -> None:
    project = new_project(client)
    dependent, p1, p2, p3, done = (new_task(client, project) for _ in range(5))
    set_status(client, done, "completed")
    must_depend(client, dependent, p1)
    edge2 = must_depend(client, p2, dependent, "blocks")  # p2 blocks dependent
    must_depend(client, dependent, p3, "related")  # orders nothing
    must_depend(client, dependent, done)  # already completed: not open
    assert open_count(db, dependent) == 2
    version = client.get(f"{TASKS}/{dependent}").json()["data"]["version"]

    set_status(client, p1, "completed")
    assert open_count(db, dependent) == 1
    # bookkeeping only: the dependent's version (ETag) does not move
    assert client.get(f"{TASKS}/{dependent}").json()["data"]["version"] == version
    set_status(client, p1, "review")  # reopened
    assert open_count(db, dependent) == 2
    assert client.delete(f"{TASKS}/{p2}/dependencies/{edge2}").status_code == 204
    assert open_count(db, dependent) == 1
    assert client.delete(f"{TASKS}/{p1}").status_code == 204  # the edge goes with its task
    assert open_count(db, dependent) == 0
    (corrected,) = db.execute("SELECT recount_task_prerequisites()").fetchone()  # type: ignore[misc]
    assert corrected == 0


def test_counter_is_exact_when_edges_and_completions_race(
    client: httpx.Client, db: psycopg.Connection, origin_db: str
) -> None:
    """Edge inserts and completions of the same prerequisites from two connections at once: the
    counters end up exactly what a recount says."""
    project = new_project(client)
    pairs = [(new_task(client, project), new_task(client, project)) for _ in range(25)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def add_edges() -> None:
        try:
            with psycopg.connect(origin_db, autocommit=True) as conn:
                barrier.wait()
                for dependent, prerequisite in pairs:
                    conn.execute(
                        "INSERT INTO task_dependencies (task_id, depends_on_task_id)"
                        " VALUES (%s, %s)",
                        (dependent, prerequisite),
                    )
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    def complete() -> None:
        try:
            with psycopg.connect(origin_db, autocommit=True) as conn:
                barrier.wait()
                for _, prerequisite in pairs:
                    conn.execute(
                        "UPDATE tasks SET status = 'completed' WHERE id = %s", (prerequisite,)
                    )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=add_edges), threading.Thread(target=complete)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert all(open_count(db, dependent) == 0 for dependent, _ in pairs)
    (corrected,) = db.execute("SELECT recount_task_prerequisites()").fetchone()  # type: ignore[misc]
    assert corrected == 0
    ready = {next_id(client, project)}
    assert ready <= {dependent for dependent, _ in pairs}
