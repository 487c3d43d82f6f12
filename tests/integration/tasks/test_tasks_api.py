"""Every task route's success and error paths, against the real origin and PostgreSQL."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import psycopg
import pytest

from tests.helpers import assert_problem

TASKS = "/api/v1/tasks"


def create(client: httpx.Client, **fields: Any) -> dict[str, Any]:
    response = client.post(TASKS, json={"title": "a task"} | fields)
    assert response.status_code == 201, response.text
    return response.json()["data"]


def count_tasks(db: psycopg.Connection) -> int:
    return db.execute("SELECT count(*) FROM tasks").fetchone()[0]  # type: ignore[index]


def test_create_returns_the_task_with_etag_location_and_envelope(client: httpx.Client) -> None:
    response = client.post(
        TASKS,
        json={
            "title": "Ship it",
            "priority": 8,
            "tags": ["api", "db"],
            "complexity_score": 3,
            "estimated_hours": 2.5,
            "requirements": ["fast"],
            "metadata": {"k": "v"},
        },
        headers={"X-Request-Id": "test-req-0001"},
    )
    assert response.status_code == 201
    body = response.json()
    task = body["data"]
    assert task["title"] == "Ship it" and task["priority"] == 8 and task["status"] == "pending"
    assert task["tags"] == ["api", "db"] and task["estimated_hours"] == 2.5
    assert task["metadata"] == {"k": "v"} and task["version"] == 1
    assert body["meta"] == {"request_id": "test-req-0001"}
    assert response.headers["x-request-id"] == "test-req-0001"
    assert response.headers["etag"] == '"1"'
    assert response.headers["location"] == f"{TASKS}/{task['id']}"


def test_malformed_request_id_is_replaced(client: httpx.Client) -> None:
    response = client.get("/health", headers={"X-Request-Id": "bad id with spaces"})
    assert response.headers["x-request-id"] != "bad id with spaces"
    assert len(response.headers["x-request-id"]) == 32


def test_get_returns_what_post_created(client: httpx.Client) -> None:
    task = create(client, description="details")
    response = client.get(f"{TASKS}/{task['id']}")
    assert response.status_code == 200
    assert response.json()["data"] == task
    assert response.headers["etag"] == '"1"'


def test_get_with_matching_if_none_match_is_304(client: httpx.Client) -> None:
    task = create(client)
    response = client.get(f"{TASKS}/{task['id']}", headers={"If-None-Match": '"1"'})
    assert response.status_code == 304
    assert response.content == b""


def test_get_unknown_task_is_404_problem(client: httpx.Client) -> None:
    assert_problem(client.get(f"{TASKS}/{uuid.uuid4()}"), 404, "not-found")


def test_get_with_a_non_uuid_id_is_404_problem(client: httpx.Client) -> None:
    assert_problem(client.get(f"{TASKS}/not-a-uuid"), 404)


def test_unsupported_method_is_405_problem(client: httpx.Client) -> None:
    assert_problem(client.delete(TASKS), 405, "method-not-allowed")


def test_put_replaces_every_writable_field(client: httpx.Client) -> None:
    task = create(client, priority=9, tags=["x"], assigned_to="agent-1")
    response = client.put(f"{TASKS}/{task['id']}", json={"title": "replaced"})
    assert response.status_code == 200
    replaced = response.json()["data"]
    assert replaced["title"] == "replaced"
    assert replaced["priority"] == 5 and replaced["tags"] == [] and replaced["assigned_to"] is None
    assert replaced["version"] == 2 and response.headers["etag"] == '"2"'


def test_patch_changes_only_the_fields_sent_and_null_clears(client: httpx.Client) -> None:
    task = create(client, priority=9, assigned_to="agent-1", description="keep me")
    response = client.patch(f"{TASKS}/{task['id']}", json={"priority": 2, "assigned_to": None})
    assert response.status_code == 200
    patched = response.json()["data"]
    assert patched["priority"] == 2 and patched["assigned_to"] is None
    assert patched["description"] == "keep me" and patched["title"] == task["title"]


def test_patch_title_null_is_422(client: httpx.Client) -> None:
    task = create(client)
    assert_problem(client.patch(f"{TASKS}/{task['id']}", json={"title": None}), 422)


def test_if_match_mismatch_is_412_and_changes_nothing(client: httpx.Client) -> None:
    task = create(client)
    url = f"{TASKS}/{task['id']}"
    assert_problem(client.patch(url, json={"priority": 1}, headers={"If-Match": '"7"'}), 412)
    # A malformed If-Match is refused as a bad request (its documented pattern), not ignored.
    assert_problem(client.put(url, json={"title": "x"}, headers={"If-Match": "garbage"}), 400)
    assert_problem(client.delete(url, headers={"If-Match": '"2"'}), 412)
    assert client.get(url).json()["data"] == task
    ok = client.patch(url, json={"priority": 1}, headers={"If-Match": '"1"'})
    assert ok.status_code == 200 and ok.json()["data"]["priority"] == 1


def test_status_change_sets_completed_at_and_records_a_context(
    client: httpx.Client, db: psycopg.Connection
) -> None:
    task = create(client)
    url = f"{TASKS}/{task['id']}/status"
    done = client.patch(url, json={"status": "completed", "note": "all green"})
    assert done.status_code == 200
    assert done.json()["data"]["status"] == "completed"
    assert done.json()["data"]["completed_at"] is not None
    reopened = client.patch(url, json={"status": "in_progress"}).json()["data"]
    assert reopened["completed_at"] is None
    rows = db.execute(
        "SELECT context_data FROM task_contexts WHERE task_id = %s AND context_type = 'status_change'"
        " ORDER BY created_at",
        (task["id"],),
    ).fetchall()
    assert [row[0] for row in rows] == [
        {"from": "pending", "to": "completed", "note": "all green"},
        {"from": "completed", "to": "in_progress", "note": None},
    ]


def test_status_change_refuses_unknown_status(client: httpx.Client) -> None:
    task = create(client)
    assert_problem(client.patch(f"{TASKS}/{task['id']}/status", json={"status": "done"}), 422)


def test_delete_is_204_then_404(client: httpx.Client) -> None:
    task = create(client)
    assert client.delete(f"{TASKS}/{task['id']}").status_code == 204
    assert_problem(client.delete(f"{TASKS}/{task['id']}"), 404)
    assert_problem(client.get(f"{TASKS}/{task['id']}"), 404)


def test_writes_to_a_missing_task_are_404(client: httpx.Client) -> None:
    missing = f"{TASKS}/{uuid.uuid4()}"
    assert_problem(client.put(missing, json={"title": "x"}), 404)
    assert_problem(client.patch(missing, json={"priority": 1}), 404)
    assert_problem(client.patch(f"{missing}/status", json={"status": "completed"}), 404)


def test_unknown_project_reference_is_422(client: httpx.Client) -> None:
    response = client.post(TASKS, json={"title": "x", "project_id": str(uuid.uuid4())})
    assert_problem(response, 422, "unknown-reference")


BAD_BODIES = [
    pytest.param(b'{"title": "x"', "application/json", 400, id="malformed-json"),
    pytest.param(b"[1, 2]", "application/json", 422, id="array-not-object"),
    pytest.param(b'{"title": 5}', "application/json", 422, id="wrong-type"),
    pytest.param(b'{"title": "x", "colour": "red"}', "application/json", 422, id="unknown-field"),
    pytest.param(b'{"title": "x", "priority": 11}', "application/json", 422, id="priority-11"),
    pytest.param(
        b'{"title": "x", "complexity_score": 0}', "application/json", 422, id="complexity-0"
    ),
    pytest.param(b'{"title": "x", "status": "done"}', "application/json", 422, id="unknown-status"),
    pytest.param(b'{"title": ""}', "application/json", 422, id="empty-title"),
    pytest.param(b'{"priority": 3}', "application/json", 422, id="missing-title"),
    pytest.param(
        b'{"title": "x", "estimated_hours": -2}', "application/json", 422, id="negative-hours"
    ),
    pytest.param(
        b'{"title": "x", "github_pr_url": "ftp://x"}', "application/json", 422, id="bad-url"
    ),
    pytest.param(b"title=x", "application/x-www-form-urlencoded", 415, id="form-body"),
    pytest.param(b'{"title": "x"}', "text/plain", 415, id="text-plain"),
]


@pytest.mark.parametrize(("body", "content_type", "status"), BAD_BODIES)
def test_bad_bodies_are_problems_and_write_nothing(
    client: httpx.Client, db: psycopg.Connection, body: bytes, content_type: str, status: int
) -> None:
    before = count_tasks(db)
    response = client.post(TASKS, content=body, headers={"Content-Type": content_type})
    problem = assert_problem(response, status)
    if status == 422 and b"{" in body:
        assert problem.get("errors") or problem["detail"]
    assert count_tasks(db) == before


def test_validation_problem_names_the_field(client: httpx.Client) -> None:
    problem = assert_problem(client.post(TASKS, json={"title": "x", "priority": 11}), 422)
    assert problem["errors"][0]["field"] == "priority"


def test_oversize_body_is_413_and_writes_nothing(
    client: httpx.Client, db: psycopg.Connection
) -> None:
    before = count_tasks(db)
    huge = b'{"title": "x", "description": "' + b"a" * (2 * 1024 * 1024) + b'"}'
    response = client.post(TASKS, content=huge, headers={"Content-Type": "application/json"})
    assert_problem(response, 413)
    assert count_tasks(db) == before


def test_bad_patch_leaves_the_row_unchanged(client: httpx.Client) -> None:
    task = create(client, priority=4)
    url = f"{TASKS}/{task['id']}"
    assert_problem(client.patch(url, json={"priority": 99}), 422)
    assert_problem(client.patch(url, json={"priority": 1, "nope": 1}), 422)
    assert client.get(url).json()["data"] == task
