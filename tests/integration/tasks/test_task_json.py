"""``GET /tasks/{id}`` sends the task as PostgreSQL renders it (``get_task_json``); every other
route encodes the ``Task`` struct with msgspec. Both must give clients the same values, in the same
formats, for every kind of field."""

from __future__ import annotations

from typing import Any

import httpx
import msgspec
import psycopg
from taskmaster.tasks.schemas import Task
from taskmaster.tasks.service import TASKS as TASK_TABLE

TASKS = "/api/v1/tasks"

AWKWARD = {
    "title": 'Quotes " and \\ backslashes, é, 漢字, 🙂 <script>',
    # Titles refuse control characters (api/types.py); descriptions keep them.
    "description": "<script>alert(1)</script> ' OR 1=1 -- tab\t, newline\n, bell\u0007",
    "type": "bug",
    "priority": 9,
    "complexity_score": 7,
    "affected_files": ["src/a.py", "weird name.txt"],
    "requirements": [{"id": 1, "nested": {"deep": [1, 2.5, None, True]}}, "plain"],
    "acceptance_criteria": ["works"],
    "tags": ["x", "y"],
    "assigned_to": "agent-7",
    "estimated_hours": 3,
    "actual_hours": 1.25,
    "linear_issue_id": "LIN-1",
    "github_pr_url": "https://github.com/o/r/pull/1",
    "metadata": {"b": 1, "a": {"z": "ü", "n": -0.5, "big": 12345678901234}},
}


def _from_get(client: httpx.Client, task_id: str) -> dict[str, Any]:
    response = client.get(f"{TASKS}/{task_id}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()["data"]


def _from_list(client: httpx.Client, task_id: str) -> dict[str, Any]:
    response = client.get(TASKS, params={"sort": "-created_at", "limit": 100})
    assert response.status_code == 200, response.text
    return next(item for item in response.json()["data"] if item["id"] == task_id)


def _as_struct_encodes_it(db: psycopg.Connection, task_id: str) -> dict[str, Any]:
    """The task as the struct path renders it: the row of ``TASKS.get_sql``, msgspec-encoded (run
    as the origin runs it for a caller who sees every project: project tenancy)."""
    db.execute("SELECT set_config('app.projects', '*', false)")
    row = db.execute(TASK_TABLE.get_sql, {"id": task_id}).fetchone()
    assert row is not None
    return msgspec.json.decode(msgspec.json.encode(Task(*row)))


def test_get_renders_every_field_as_the_struct_encoding_does(
    client: httpx.Client, db: psycopg.Connection
) -> None:
    created = client.post(TASKS, json=AWKWARD)
    assert created.status_code == 201, created.text
    task = created.json()["data"]
    # Date-times set after being NULL, with and without a fractional second.
    for statement, field, expected in (
        (
            "UPDATE tasks SET status = 'in_progress', lease_owner = 'w1',"
            " lease_expires_at = '2026-01-02T03:04:05Z' WHERE id = %s",
            "lease_expires_at",
            "2026-01-02T03:04:05Z",
        ),
        (
            "UPDATE tasks SET status = 'completed',"
            " completed_at = '2026-01-02T03:04:05.000100+02:00' WHERE id = %s",
            "completed_at",
            "2026-01-02T01:04:05.000100Z",
        ),
    ):
        db.execute(statement, (task["id"],))  # type: ignore[arg-type]
        got = _from_get(client, task["id"])
        assert got == _from_list(client, task["id"]) == _as_struct_encodes_it(db, task["id"])
        assert got[field] == expected
    assert got["title"] == AWKWARD["title"] and got["metadata"] == AWKWARD["metadata"]
    assert got["estimated_hours"] == 3 and got["actual_hours"] == 1.25


def test_get_of_a_task_with_nulls_and_defaults_matches_the_create_response(
    client: httpx.Client,
) -> None:
    created = client.post(TASKS, json={"title": "bare"})
    assert created.status_code == 201, created.text
    task = created.json()["data"]
    got = _from_get(client, task["id"])
    assert got == task
    assert got["project_id"] is None and got["estimated_hours"] is None
    assert got["created_at"].endswith("Z")
