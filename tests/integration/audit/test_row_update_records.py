"""One row trigger, ``log_row_update()``, writes both records of an UPDATE of a task or dependency
edge: the audit row (both versions of the row, the acting key and request) and the event-log row
(the new version and what changed), each exactly once (migration log_row_updates_once)."""

from __future__ import annotations

import uuid

import psycopg

KEY_ID = str(uuid.uuid4())


def _records(conn: psycopg.Connection, task: str) -> tuple[list, list]:
    audit = conn.execute(
        "SELECT action, old_data ->> 'priority', new_data ->> 'priority', actor_key_id::text,"
        " request_id FROM audit_logs WHERE table_name = 'tasks' AND row_id = %s ORDER BY id",
        (task,),
    ).fetchall()
    events = conn.execute(
        "SELECT type, payload -> 'data' ->> 'priority', payload -> 'changes' FROM event_log"
        " WHERE resource_id = %s ORDER BY id",
        (task,),
    ).fetchall()
    return audit, events


def test_an_update_writes_one_audit_row_and_one_event(fresh_db: str) -> None:
    with psycopg.connect(fresh_db, autocommit=True) as conn:
        (task,) = conn.execute(
            "INSERT INTO tasks (title, priority) VALUES ('t', 1) RETURNING id::text"
        ).fetchone()
        with conn.transaction():
            conn.execute("SELECT set_config('app.current_key_id', %s, true)", (KEY_ID,))
            conn.execute("SELECT set_config('app.request_id', 'req-1', true)")
            conn.execute("UPDATE tasks SET priority = 7 WHERE id = %s", (task,))
        audit, events = _records(conn, task)
    assert audit == [
        ("INSERT", None, "1", None, None),
        ("UPDATE", "1", "7", KEY_ID, "req-1"),
    ]
    assert events == [("task.created", "1", []), ("task.updated", "7", ["priority"])]


def test_bookkeeping_is_audited_but_not_news_and_an_erasure_is_not_audited(
    fresh_db: str,
) -> None:
    with psycopg.connect(fresh_db, autocommit=True) as conn:
        (task,) = conn.execute(
            "INSERT INTO tasks (title, priority) VALUES ('t', 1) RETURNING id::text"
        ).fetchone()
        conn.execute("UPDATE tasks SET open_dependants = 3 WHERE id = %s", (task,))
        with conn.transaction():
            conn.execute("SELECT set_config('app.erasing', 'on', true)")
            conn.execute("UPDATE tasks SET priority = 5 WHERE id = %s", (task,))
        audit, events = _records(conn, task)
    assert [(action, new) for action, _, new, _, _ in audit] == [("INSERT", "1"), ("UPDATE", "1")]
    assert [(kind, priority) for kind, priority, _ in events] == [
        ("task.created", "1"),
        ("task.updated", "5"),
    ]
