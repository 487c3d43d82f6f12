"""/api/v1/errors: logging with occurrence counting, listing, resolving, and error paths."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import psycopg
import pytest

from tests.helpers import assert_problem, count_rows, list_all, unique
from tests.integration.tasks.test_tasks_api import create as create_task

ERRORS = "/api/v1/errors"


def log(client: httpx.Client, expected: int = 201, **fields: Any) -> dict[str, Any]:
    body = {"error_type": "runtime", "error_code": "E1", "message": "boom"} | fields
    response = client.post(ERRORS, json=body)
    assert response.status_code == expected, response.text
    return response.json()["data"]


def test_same_error_for_a_task_is_counted_not_duplicated(
    client: httpx.Client, db: psycopg.Connection
) -> None:
    task = create_task(client)
    first = log(client, task_id=task["id"], severity="warning", details={"n": 1})
    assert first["occurrence_count"] == 1 and first["resolved"] is False
    again = log(client, 200, task_id=task["id"], severity="critical", details={"n": 2})
    assert again["id"] == first["id"] and again["occurrence_count"] == 2
    assert again["severity"] == "critical" and again["details"] == {"n": 2}
    assert again["last_seen_at"] >= first["last_seen_at"]
    assert again["first_seen_at"] == first["first_seen_at"]
    lower = log(client, 200, task_id=task["id"], severity="info")
    assert lower["occurrence_count"] == 3 and lower["severity"] == "critical"
    assert count_rows(db, "error_logs", "task_id = %s", task["id"]) == 1
    other_message = log(client, task_id=task["id"], message="different")
    other_code = log(client, task_id=task["id"], error_code="E2")
    assert len({first["id"], other_message["id"], other_code["id"]}) == 3


def test_system_errors_without_a_task_are_counted_too(client: httpx.Client) -> None:
    code = unique("SYS")
    first = log(client, error_code=code)
    again = log(client, 200, error_code=code)
    assert again["id"] == first["id"] and again["occurrence_count"] == 2


def test_resolve_then_a_new_occurrence_opens_a_new_error(client: httpx.Client) -> None:
    task = create_task(client)
    first = log(client, task_id=task["id"])
    url = f"{ERRORS}/{first['id']}/resolve"
    response = client.post(
        url, json={"resolved_by": "ops", "resolution_notes": "fixed"}, headers={"If-Match": '"1"'}
    )
    assert response.status_code == 200, response.text
    resolved = response.json()["data"]
    assert resolved["resolved"] is True and resolved["resolved_at"] is not None
    assert resolved["resolved_by"] == "ops" and response.headers["etag"] == '"2"'
    twice = client.post(url, json={}).json()["data"]
    assert twice["resolved_at"] == resolved["resolved_at"] and twice["resolved_by"] == "ops"
    reopened = log(client, task_id=task["id"])
    assert reopened["id"] != first["id"] and reopened["occurrence_count"] == 1
    open_ones = list_all(client, ERRORS, task_id=task["id"], resolved="false")
    assert [e["id"] for e in open_ones] == [reopened["id"]]
    closed = list_all(client, ERRORS, task_id=task["id"], resolved="true")
    assert [e["id"] for e in closed] == [first["id"]]


def test_resolve_errors(client: httpx.Client) -> None:
    error = log(client, error_code=unique("R"))
    url = f"{ERRORS}/{error['id']}/resolve"
    assert_problem(
        client.post(url, json={}, headers={"If-Match": '"4"'}), 412, "precondition-failed"
    )
    assert_problem(client.post(url, json={"fixed": True}), 422, "validation-failed")
    assert client.get(f"{ERRORS}/{error['id']}").json()["data"] == error
    assert_problem(client.post(f"{ERRORS}/{uuid.uuid4()}/resolve", json={}), 404, "not-found")


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"error_type": "oops"}, id="type"),
        pytest.param({"severity": "fatal"}, id="severity"),
        pytest.param({"error_category": "misc"}, id="category"),
        pytest.param({"message": ""}, id="empty-message"),
        pytest.param({"error_code": "x" * 101}, id="long-code"),
        pytest.param({"source_line": 0}, id="line-0"),
        pytest.param({"occurrence_count": 5}, id="derived-field"),
    ],
)
def test_invalid_error_is_422(
    client: httpx.Client, db: psycopg.Connection, fields: dict[str, Any]
) -> None:
    before = count_rows(db, "error_logs")
    body = {"error_type": "runtime", "error_code": "E1", "message": "boom"} | fields
    assert_problem(client.post(ERRORS, json=body), 422, "validation-failed")
    assert count_rows(db, "error_logs") == before


def test_unknown_references_are_422(client: httpx.Client, db: psycopg.Connection) -> None:
    before = count_rows(db, "error_logs")
    for field in (
        "task_id",
        "workflow_id",
        "workflow_stage_id",
        "deployment_script_id",
        "validation_result_id",
    ):
        response = client.post(
            ERRORS,
            json={
                "error_type": "runtime",
                "error_code": "E",
                "message": "m",
                field: str(uuid.uuid4()),
            },
        )
        assert_problem(response, 422, "unknown-reference")
    assert count_rows(db, "error_logs") == before


def test_get_list_filters_and_delete(client: httpx.Client) -> None:
    code = unique("L")
    made = [
        log(client, error_code=code, message=f"m{i}", severity=s)
        for i, s in enumerate(("info", "critical", "error"))
    ]
    log(client, 200, error_code=code, message="m2")
    listed = list_all(client, ERRORS, error_code=code, limit=2)
    assert [e["id"] for e in listed] == [e["id"] for e in made]
    critical = list_all(client, ERRORS, error_code=code, severity="critical")
    assert [e["id"] for e in critical] == [made[1]["id"]]
    by_count = list_all(client, ERRORS, error_code=code, sort="-occurrence_count")
    assert by_count[0]["id"] == made[2]["id"] and by_count[0]["occurrence_count"] == 2
    url = f"{ERRORS}/{made[0]['id']}"
    response = client.get(url)
    assert response.json()["data"] == made[0] and response.headers["etag"] == '"1"'
    assert client.delete(url).status_code == 204
    assert_problem(client.delete(url), 404, "not-found")
    assert_problem(client.get(url), 404)
    assert_problem(client.get(ERRORS, params={"sort": "message"}), 400, "invalid-sort")
    assert_problem(client.get(ERRORS, params={"code": "x"}), 400, "unknown-parameter")
    assert_problem(client.get(ERRORS, params={"resolved": "maybe"}), 400)
    assert_problem(client.get(ERRORS, params={"cursor": "e30.e30"}), 400, "invalid-cursor")


def test_scopes_follow_the_tasks_family(origin: Any, make_key: Any) -> None:
    _, read_only = make_key(["tasks:read"], name="errors reader")
    _, other = make_key(["workflows:write"], name="workflows writer")
    with httpx.Client(base_url=origin.url, timeout=10) as http:
        reader = {"Authorization": f"Bearer {read_only}"}
        assert http.get(ERRORS, headers=reader).status_code == 200
        assert http.get("/api/v1/validations", headers=reader).status_code == 200
        body = {"error_type": "runtime", "error_code": "E", "message": "m"}
        assert_problem(http.post(ERRORS, json=body, headers=reader), 403)
        assert_problem(http.get(ERRORS, headers={"Authorization": f"Bearer {other}"}), 403)
