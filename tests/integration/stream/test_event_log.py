"""The event log in PostgreSQL: one row per change of every kind, written in the changing
transaction; ids assigned after commit, so a reader never sees a gap that fills in later."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from tests.helpers import count_rows


def _sequence(conn: psycopg.Connection) -> int | None:
    row = conn.execute("SELECT sequence_event_log(1000)").fetchone()
    return row[0] if row else None


def _visible(conn: psycopg.Connection, after: int = 0) -> list[tuple[Any, ...]]:
    return conn.execute(
        "SELECT seq, type, resource_id::text FROM event_log WHERE seq > %s ORDER BY seq", (after,)
    ).fetchall()


@pytest.fixture
def conn(fresh_db: str) -> Any:
    with psycopg.connect(fresh_db, autocommit=True) as connection:
        yield connection


def test_ids_follow_commits_not_inserts(fresh_db: str, conn: psycopg.Connection) -> None:
    with psycopg.connect(fresh_db) as early:  # a transaction that writes first, commits last
        (early_task,) = early.execute(
            "INSERT INTO tasks (title) VALUES ('early') RETURNING id::text"
        ).fetchone()
        (late_task,) = conn.execute(
            "INSERT INTO tasks (title) VALUES ('late') RETURNING id::text"
        ).fetchone()
        _sequence(conn)
        seen = _visible(conn)
        assert [r[2] for r in seen] == [late_task]  # the uncommitted one is not numbered
        early.commit()
    _sequence(conn)
    after = _visible(conn, seen[-1][0])
    assert [r[2] for r in after] == [early_task]
    assert after[0][0] > seen[-1][0]  # numbered after what a reader already saw: no gap filled
    assert count_rows(conn, "event_log", "seq IS NULL") == 0


def test_a_rolled_back_change_leaves_no_event(fresh_db: str, conn: psycopg.Connection) -> None:
    with psycopg.connect(fresh_db) as other:
        other.execute("INSERT INTO tasks (title) VALUES ('never')")
        other.rollback()
    _sequence(conn)
    assert count_rows(conn, "event_log") == 0


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
    _sequence(conn)
    rows = conn.execute(
        "SELECT type, resource_kind, project_id = %s, payload -> 'changes' FROM event_log ORDER BY seq",
        (project,),
    ).fetchall()
    assert [r[0] for r in rows] == [
        "task.created", "task.created",
        "task.updated",  # b's open prerequisites 0 → 1 (written by the dependency's insert)
        "dependency.created", "task.claimed", "task.lease_renewed",
        # a's completion released b: written inside a's update, so just before it
        "task.ready", "task.completed",
        "workflow.created", "workflow.started", "deployment.created", "deployment.completed",
        "dependency.deleted",
    ]  # fmt: skip
    assert all(r[2] for r in rows)  # each carries its project (a dependency: its task's)
    assert rows[4][3] == ["lease_expires_at", "lease_owner", "status"]
    assert rows[5][3] == ["lease_expires_at"]
