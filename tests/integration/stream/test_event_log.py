"""The event log in PostgreSQL: one row per change of every kind, written in the changing
transaction with its id: (xid << 20) | its index in the transaction. Readers read only ids below
the xid watermark, so a reader never sees a gap that fills in later."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from tests.helpers import count_rows

ID_BITS = 20


def _visible(conn: psycopg.Connection, after: int = 0) -> list[tuple[Any, ...]]:
    """What a reader may read: the events after ``after`` below the watermark, in id order."""
    return conn.execute(
        "SELECT id, type, resource_id::text FROM event_log"
        " WHERE id > %s AND id < event_log_readable_before() ORDER BY id",
        (after,),
    ).fetchall()


def _insert_task(conn: psycopg.Connection, title: str) -> str:
    return conn.execute(
        "INSERT INTO tasks (title) VALUES (%s) RETURNING id::text", (title,)
    ).fetchone()[0]


@pytest.fixture
def conn(fresh_db: str) -> Any:
    with psycopg.connect(fresh_db, autocommit=True) as connection:
        yield connection


def test_a_transaction_that_writes_first_and_commits_last_leaves_no_gap(
    fresh_db: str, conn: psycopg.Connection
) -> None:
    with psycopg.connect(fresh_db) as early:  # a transaction that writes first, commits last
        early_task = _insert_task(early, "early")
        late_task = _insert_task(conn, "late")
        assert _visible(conn) == []  # the later one committed, but waits for the earlier one
        early.commit()
    seen = _visible(conn)
    assert [r[2] for r in seen] == [early_task, late_task]  # in xid order, both at once
    assert seen[0][0] < seen[1][0]


def test_a_later_xid_committing_first_never_shows_a_hole_filled_later(
    fresh_db: str, conn: psycopg.Connection
) -> None:
    with psycopg.connect(fresh_db) as first, psycopg.connect(fresh_db) as second:
        first.execute("SELECT pg_current_xact_id()")  # first takes the lower xid …
        second_task = _insert_task(second, "second")
        second.commit()  # … the higher one commits first
        between = _visible(conn)  # a reader between the two commits
        first_task = _insert_task(first, "first")
        first.commit()
    after = _visible(conn)
    assert between == []  # not the committed higher id: the lower one could still appear
    assert [r[2] for r in after] == [first_task, second_task]
    # A reader that had read up to any id it saw finds nothing new below it later.
    for index, row in enumerate(after):
        assert [r[2] for r in _visible(conn, row[0])] == [r[2] for r in after[index + 1 :]]


def test_an_open_transaction_without_events_holds_the_log_back_until_it_ends(
    fresh_db: str, conn: psycopg.Connection
) -> None:
    with psycopg.connect(fresh_db) as idle:
        idle.execute("SELECT pg_current_xact_id()")  # an xid, nothing logged
        task = _insert_task(conn, "waits")
        assert _visible(conn) == []
        idle.rollback()
    assert [r[2] for r in _visible(conn)] == [task]


def test_ids_are_xid_shifted_and_consecutive_within_a_transaction(fresh_db: str) -> None:
    with psycopg.connect(fresh_db) as tx:
        (xid,) = tx.execute("SELECT pg_current_xact_id()::text::bigint").fetchone()
        tx.execute("INSERT INTO tasks (title) VALUES ('a'), ('b')")
        tx.execute("INSERT INTO tasks (title) VALUES ('c')")
        ids = [r[0] for r in tx.execute("SELECT id FROM event_log ORDER BY id").fetchall()]
        tx.commit()
    assert ids == [(xid << ID_BITS) | n for n in range(3)]


def test_a_rolled_back_savepoint_gives_its_ids_back(fresh_db: str) -> None:
    with psycopg.connect(fresh_db) as tx:
        (xid,) = tx.execute("SELECT pg_current_xact_id()::text::bigint").fetchone()
        _insert_task(tx, "kept")
        tx.execute("SAVEPOINT s")
        _insert_task(tx, "undone")
        tx.execute("ROLLBACK TO SAVEPOINT s")
        _insert_task(tx, "kept too")
        rows = tx.execute("SELECT id, payload #>> '{data,title}' FROM event_log ORDER BY id")
        assert rows.fetchall() == [(xid << ID_BITS, "kept"), ((xid << ID_BITS) | 1, "kept too")]


def test_more_events_than_one_transaction_numbers_is_refused(fresh_db: str) -> None:
    with psycopg.connect(fresh_db) as tx:
        tx.execute("SELECT set_config('taskmaster.event_log_n', %s, true)", (str(2**ID_BITS - 1),))
        _insert_task(tx, "the last one that fits")
        with pytest.raises(psycopg.errors.ProgramLimitExceeded, match="1048576"):
            _insert_task(tx, "one too many")


def test_an_update_past_the_transactions_numbers_is_refused(fresh_db: str) -> None:
    """Updates are numbered by the row-level trigger, under the same limit."""
    with psycopg.connect(fresh_db) as tx:
        (task,) = tx.execute("INSERT INTO tasks (title) VALUES ('t') RETURNING id").fetchone()
        tx.execute("SELECT set_config('taskmaster.event_log_n', %s, true)", (str(2**ID_BITS - 1),))
        tx.execute("UPDATE tasks SET title = 'the last one that fits' WHERE id = %s", (task,))
        (last,) = tx.execute("SELECT max(id) & %s FROM event_log", (2**ID_BITS - 1,)).fetchone()
        assert last == 2**ID_BITS - 1
        with pytest.raises(psycopg.errors.ProgramLimitExceeded, match="1048576"):
            tx.execute("UPDATE tasks SET title = 'one too many' WHERE id = %s", (task,))


def test_a_rolled_back_change_leaves_no_event(fresh_db: str, conn: psycopg.Connection) -> None:
    with psycopg.connect(fresh_db) as other:
        other.execute("INSERT INTO tasks (title) VALUES ('never')")
        other.rollback()
    assert count_rows(conn, "event_log") == 0


def test_a_deleted_tasks_dependencies_carry_its_project(conn: psycopg.Connection) -> None:
    (project,) = conn.execute(
        "INSERT INTO projects (name, slug) VALUES ('p', 'p-orphans') RETURNING id"
    ).fetchone()
    a, b = (
        conn.execute(
            "INSERT INTO tasks (title, project_id) VALUES (%s, %s) RETURNING id", (title, project)
        ).fetchone()[0]
        for title in ("a", "b")
    )
    conn.execute(
        "INSERT INTO task_dependencies (task_id, depends_on_task_id) VALUES (%s, %s)", (b, a)
    )
    conn.execute("DELETE FROM tasks WHERE id = %s", (b,))  # cascades to the dependency
    rows = conn.execute(
        "SELECT type, project_id = %s FROM event_log WHERE type LIKE '%%.deleted' ORDER BY id",
        (project,),
    ).fetchall()
    assert rows == [("task.deleted", True), ("dependency.deleted", True)]


def test_every_kind_of_change_is_one_event(conn: psycopg.Connection) -> None:
    (project,) = conn.execute(
        "INSERT INTO projects (name, slug) VALUES ('p', 'p-events') RETURNING id"
    ).fetchone()
    a, b = (
        conn.execute(
            "INSERT INTO tasks (title, project_id) VALUES (%s, %s) RETURNING id", (title, project)
        ).fetchone()[0]
        for title in ("a", "b")
    )
    conn.execute(
        "INSERT INTO task_dependencies (task_id, depends_on_task_id) VALUES (%s, %s)", (b, a)
    )
    conn.execute(
        "UPDATE tasks SET status = 'in_progress', lease_owner = 'w1',"
        " lease_expires_at = now() + interval '1 minute' WHERE id = %s", (a,),
    )  # fmt: skip
    conn.execute(
        "UPDATE tasks SET lease_expires_at = now() + interval '2 minutes' WHERE id = %s", (a,)
    )
    conn.execute(
        "UPDATE tasks SET status = 'completed', lease_owner = NULL, lease_expires_at = NULL"
        " WHERE id = %s", (a,),
    )  # fmt: skip
    conn.execute("UPDATE tasks SET version = version WHERE id = %s", (b,))  # no news: no event
    (workflow,) = conn.execute(
        "INSERT INTO workflows (name, project_id) VALUES ('w', %s) RETURNING id", (project,)
    ).fetchone()
    conn.execute("UPDATE workflows SET status = 'running' WHERE id = %s", (workflow,))
    (deployment,) = conn.execute(
        "INSERT INTO deployments (project_id, status) VALUES (%s, 'running') RETURNING id",
        (project,),
    ).fetchone()
    conn.execute("UPDATE deployments SET status = 'completed' WHERE id = %s", (deployment,))
    conn.execute("DELETE FROM task_dependencies")
    rows = conn.execute(
        "SELECT type, resource_kind, project_id = %s, payload -> 'changes' FROM event_log ORDER BY id",
        (project,),
    ).fetchall()
    assert [r[0] for r in rows] == [
        "task.created", "task.created",
        "task.updated",  # b's open prerequisites 0 → 1 (written by the dependency's insert)
        "dependency.created", "task.claimed", "task.lease_renewed",
        # a's completion released b: a's row event comes first, then what its triggers changed
        "task.completed", "task.ready",
        "workflow.created", "workflow.started", "deployment.created", "deployment.completed",
        "dependency.deleted",
    ]  # fmt: skip
    assert all(r[2] for r in rows)  # each carries its project (a dependency: its task's)
    assert rows[4][3] == ["lease_expires_at", "lease_owner", "status"]
    assert rows[5][3] == ["lease_expires_at"]


def test_each_event_carries_its_resources_project(conn: psycopg.Connection) -> None:
    """event_log_project: a task's own project_id; a dependency's, its task's (a lookup)."""
    (project,) = conn.execute(
        "INSERT INTO projects (name, slug) VALUES ('p', 'p-carried') RETURNING id"
    ).fetchone()
    a, b = (
        conn.execute(
            "INSERT INTO tasks (title, project_id) VALUES (%s, %s) RETURNING id", (title, project)
        ).fetchone()[0]
        for title in ("a", "b")
    )
    conn.execute(
        "INSERT INTO task_dependencies (task_id, depends_on_task_id) VALUES (%s, %s)", (b, a)
    )
    conn.execute("UPDATE tasks SET status = 'in_progress' WHERE id = %s", (a,))
    conn.execute("UPDATE task_dependencies SET metadata = '{\"k\": 1}' WHERE task_id = %s", (b,))
    rows = conn.execute("SELECT type, project_id FROM event_log ORDER BY id").fetchall()
    assert {kind for kind, _ in rows} >= {"task.created", "task.updated", "dependency.created",
                                          "dependency.updated"}, rows  # fmt: skip
    assert {carried for _, carried in rows} == {project}, rows
