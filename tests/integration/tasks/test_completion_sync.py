"""``tasks_sync_completion``: the trigger that ties ``completed_at`` and the lease to the status.
Since migration ``cheapen_task_update_triggers`` it runs only when it has something to do (a
finished status, or a ``completed_at`` to clear); each case below is one it must still cover."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest


@pytest.fixture
def conn(fresh_db: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(fresh_db, autocommit=True) as connection:
        yield connection


def _state(conn: psycopg.Connection, task: Any) -> tuple[Any, ...]:
    row = conn.execute(
        "SELECT status, completed_at IS NOT NULL, lease_owner, lease_expires_at IS NOT NULL"
        " FROM tasks WHERE id = %s",
        (task,),
    ).fetchone()
    assert row is not None
    return tuple(row)


def _leased_task(conn: psycopg.Connection) -> Any:
    row = conn.execute(
        "INSERT INTO tasks (title, status, lease_owner, lease_expires_at)"
        " VALUES ('t', 'in_progress', 'agent', now() + interval '1 hour') RETURNING id"
    ).fetchone()
    assert row is not None
    return row[0]


@pytest.mark.parametrize("finished", ["completed", "failed", "cancelled"])
def test_finishing_stamps_completed_at_and_ends_the_lease(
    conn: psycopg.Connection, finished: str
) -> None:
    task = _leased_task(conn)
    conn.execute("UPDATE tasks SET status = %s WHERE id = %s", (finished, task))
    assert _state(conn, task) == (finished, True, None, False)


def test_reopening_clears_completed_at(conn: psycopg.Connection) -> None:
    task = _leased_task(conn)
    conn.execute("UPDATE tasks SET status = 'completed' WHERE id = %s", (task,))
    conn.execute("UPDATE tasks SET status = 'pending' WHERE id = %s", (task,))
    assert _state(conn, task) == ("pending", False, None, False)


def test_a_completed_at_given_to_an_unfinished_task_is_cleared(conn: psycopg.Connection) -> None:
    task = _leased_task(conn)
    conn.execute("UPDATE tasks SET completed_at = now() WHERE id = %s", (task,))
    row = conn.execute(
        "INSERT INTO tasks (title, completed_at) VALUES ('u', now()) RETURNING id"
    ).fetchone()
    assert row is not None
    assert _state(conn, task) == ("in_progress", False, "agent", True)  # the lease is untouched
    assert _state(conn, row[0]) == ("pending", False, None, False)


def test_a_task_inserted_finished_is_stamped(conn: psycopg.Connection) -> None:
    row = conn.execute(
        "INSERT INTO tasks (title, status, lease_owner) VALUES ('d', 'completed', 'agent')"
        " RETURNING id"
    ).fetchone()
    assert row is not None
    assert _state(conn, row[0]) == ("completed", True, None, False)
