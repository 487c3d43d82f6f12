"""Validation results: success and error paths on the real origin."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import psycopg
import pytest

from tests.helpers import assert_problem, count_rows, list_all
from tests.integration.tasks.test_tasks_api import create as create_task

VALIDATIONS = "/api/v1/validations"


def record(client: httpx.Client, task_id: str, **fields: Any) -> dict[str, Any]:
    body = {"task_id": task_id, "validation_type": "testing"} | fields
    response = client.post(VALIDATIONS, json=body)
    assert response.status_code == 201, response.text
    return response.json()["data"]


def test_record_get_patch_delete(client: httpx.Client) -> None:
    task = create_task(client)
    response = client.post(
        VALIDATIONS,
        json={
            "task_id": task["id"],
            "validation_type": "security",
            "validator": "claude_code",
            "validation_data": {"findings": []},
        },
    )
    assert response.status_code == 201, response.text
    result = response.json()["data"]
    assert result["validation_status"] == "pending" and result["validation_score"] is None
    assert response.headers["etag"] == '"1"'
    url = response.headers["location"]
    assert client.get(url).json()["data"] == result
    patched = client.patch(
        url,
        json={"validation_status": "passed", "validation_score": 97.5, "execution_time_ms": 1200},
        headers={"If-Match": '"1"'},
    )
    assert patched.status_code == 200, patched.text
    data = patched.json()["data"]
    assert data["validation_score"] == 97.5 and data["validation_status"] == "passed"
    assert data["validator"] == "claude_code" and data["version"] == 2
    assert_problem(client.patch(url, json={"retry_count": 1}, headers={"If-Match": '"1"'}), 412)
    assert client.delete(url).status_code == 204
    assert_problem(client.delete(url), 404, "not-found")
    assert_problem(client.get(url), 404)
    assert_problem(client.patch(url, json={"retry_count": 1}), 404)


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"validation_type": "vibes"}, id="type"),
        pytest.param({"validation_status": "ok"}, id="status"),
        pytest.param({"validation_score": 100.5}, id="score-high"),
        pytest.param({"validation_score": -1}, id="score-negative"),
        pytest.param({"execution_time_ms": -5}, id="negative-time"),
        pytest.param({"error_details": []}, id="details-not-object"),
        pytest.param({"version": 3}, id="unknown-field"),
    ],
)
def test_invalid_result_is_422(
    client: httpx.Client, db: psycopg.Connection, fields: dict[str, Any]
) -> None:
    task = create_task(client)
    body = {"task_id": task["id"], "validation_type": "testing"} | fields
    assert_problem(client.post(VALIDATIONS, json=body), 422, "validation-failed")
    assert count_rows(db, "validation_results", "task_id = %s", task["id"]) == 0


def test_references_and_time_order_are_checked(
    client: httpx.Client, db: psycopg.Connection
) -> None:
    task = create_task(client)
    before = count_rows(db, "validation_results")
    for field in ("task_id", "workflow_stage_id", "pull_request_id"):
        body = {"task_id": task["id"], "validation_type": "style", field: str(uuid.uuid4())}
        assert_problem(client.post(VALIDATIONS, json=body), 422, "unknown-reference")
    backwards = {
        "task_id": task["id"],
        "validation_type": "style",
        "started_at": "2026-01-02T00:00:00Z",
        "completed_at": "2026-01-01T00:00:00Z",
    }
    assert_problem(client.post(VALIDATIONS, json=backwards), 422, "validation-failed")
    assert count_rows(db, "validation_results") == before


def test_list_filters_and_pages(client: httpx.Client) -> None:
    task = create_task(client)
    made = [
        record(client, task["id"], validation_type=kind, validation_score=score)
        for kind, score in (("syntax", 10), ("security", 55), ("testing", 90))
    ]
    listed = list_all(client, VALIDATIONS, task_id=task["id"], limit=2)
    assert [v["id"] for v in listed] == [v["id"] for v in made]
    good = list_all(client, VALIDATIONS, task_id=task["id"], score_gte=50, sort="-created_at")
    assert [v["id"] for v in good] == [made[2]["id"], made[1]["id"]]
    security = list_all(client, VALIDATIONS, task_id=task["id"], validation_type="security")
    assert [v["id"] for v in security] == [made[1]["id"]]
    assert_problem(
        client.get(VALIDATIONS, params={"sort": "validation_score"}), 400, "invalid-sort"
    )
    assert_problem(client.get(VALIDATIONS, params={"score": "5"}), 400, "unknown-parameter")
    assert_problem(client.get(VALIDATIONS, params={"score_gte": "101"}), 400)
    assert_problem(client.get(VALIDATIONS, params={"cursor": "x"}), 400, "invalid-cursor")
