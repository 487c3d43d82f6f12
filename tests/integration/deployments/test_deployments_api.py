"""Deployments and their scripts: success and error paths on the real origin."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import psycopg
import pytest

from tests.helpers import assert_problem, count_rows, list_all, unique

DEPLOYMENTS = "/api/v1/deployments"


def create_deployment(client: httpx.Client, **fields: Any) -> dict[str, Any]:
    response = client.post(DEPLOYMENTS, json=fields)
    assert response.status_code == 201, response.text
    return response.json()["data"]


def add_script(client: httpx.Client, deployment: dict[str, Any], **fields: Any) -> dict[str, Any]:
    body = {"script_name": unique("s"), "script_type": "build", "script_content": "make"} | fields
    response = client.post(f"{DEPLOYMENTS}/{deployment['id']}/scripts", json=body)
    assert response.status_code == 201, response.text
    return response.json()["data"]


def test_create_get_and_status_times(client: httpx.Client) -> None:
    response = client.post(
        DEPLOYMENTS,
        json={
            "environment": "staging",
            "commit_sha": "abc1234",
            "pr_number": 7,
            "health_checks": [{"url": "https://x/health"}],
        },
    )
    assert response.status_code == 201, response.text
    deployment = response.json()["data"]
    assert deployment["status"] == "pending" and deployment["environment"] == "staging"
    assert deployment["health_checks"] == [{"url": "https://x/health"}]
    assert client.get(response.headers["location"]).json()["data"] == deployment
    url = f"{DEPLOYMENTS}/{deployment['id']}"
    running = client.patch(url, json={"status": "running"}, headers={"If-Match": '"1"'}).json()[
        "data"
    ]
    assert running["started_at"] is not None and running["completed_at"] is None
    done = client.patch(url, json={"status": "completed"}).json()["data"]
    assert done["completed_at"] is not None and done["duration_ms"] >= 0
    assert done["commit_sha"] == "abc1234" and done["version"] == 3


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"environment": "prod"}, id="environment"),
        pytest.param({"commit_sha": "XYZ"}, id="sha"),
        pytest.param({"pr_number": 0}, id="pr-number"),
        pytest.param({"health_checks": {}}, id="health-not-array"),
        pytest.param({"started_at": "2026-01-01T00:00:00Z"}, id="derived-field"),
    ],
)
def test_invalid_deployment_is_422(
    client: httpx.Client, db: psycopg.Connection, body: dict[str, Any]
) -> None:
    before = count_rows(db, "deployments")
    assert_problem(client.post(DEPLOYMENTS, json=body), 422, "validation-failed")
    assert count_rows(db, "deployments") == before


def test_references_are_checked(client: httpx.Client, db: psycopg.Connection) -> None:
    before = count_rows(db, "deployments")
    for field in ("project_id", "task_id", "workflow_id", "rollback_of_id"):
        response = client.post(DEPLOYMENTS, json={field: str(uuid.uuid4())})
        assert_problem(response, 422, "unknown-reference")
    assert count_rows(db, "deployments") == before
    deployment = create_deployment(client)
    url = f"{DEPLOYMENTS}/{deployment['id']}"
    assert_problem(
        client.patch(url, json={"rollback_of_id": deployment["id"]}), 422, "invalid-rollback"
    )
    rollback = create_deployment(
        client, deployment_type="rollback", rollback_of_id=deployment["id"]
    )
    assert rollback["rollback_of_id"] == deployment["id"]


def test_project_with_deployments_cannot_be_deleted(client: httpx.Client) -> None:
    project = client.post("/api/v1/projects", json={"name": "p", "slug": unique("p-")}).json()[
        "data"
    ]
    create_deployment(client, project_id=project["id"])
    body = assert_problem(
        client.delete(f"/api/v1/projects/{project['id']}"), 409, "still-referenced"
    )
    assert "deployments" in body["detail"]


def test_412_404_and_delete_twice(client: httpx.Client, db: psycopg.Connection) -> None:
    deployment = create_deployment(client)
    add_script(client, deployment)
    url = f"{DEPLOYMENTS}/{deployment['id']}"
    assert_problem(
        client.put(url, json={}, headers={"If-Match": '"2"'}), 412, "precondition-failed"
    )
    assert client.get(url).json()["data"] == deployment
    assert client.delete(url, headers={"If-Match": '"1"'}).status_code == 204
    assert count_rows(db, "deployment_scripts", "deployment_id = %s", deployment["id"]) == 0
    assert_problem(client.delete(url), 404, "not-found")
    assert_problem(client.put(url, json={}), 404)
    assert_problem(client.get(f"{url}/scripts"), 404)


def test_list_filters_sorts_and_pages(client: httpx.Client) -> None:
    sha = uuid.uuid4().hex[:12]
    made = [
        create_deployment(client, commit_sha=sha, environment=env)
        for env in ("test", "production", "staging")
    ]
    listed = list_all(client, DEPLOYMENTS, commit_sha=sha, limit=2)
    assert [d["id"] for d in listed] == [d["id"] for d in made]
    prod = list_all(client, DEPLOYMENTS, commit_sha=sha, environment="production")
    assert [d["id"] for d in prod] == [made[1]["id"]]
    by_env = list_all(client, DEPLOYMENTS, commit_sha=sha, sort="environment")
    assert [d["environment"] for d in by_env] == ["production", "staging", "test"]
    assert_problem(client.get(DEPLOYMENTS, params={"sort": "commit_sha"}), 400, "invalid-sort")
    assert_problem(client.get(DEPLOYMENTS, params={"branch": "main"}), 400, "unknown-parameter")
    assert_problem(client.get(DEPLOYMENTS, params={"commit_sha": "'; drop"}), 400)
    assert_problem(
        client.get(DEPLOYMENTS, params={"cursor": "bm9wZQ.bm9wZQ"}), 400, "invalid-cursor"
    )


def test_scripts_run_in_execution_order_and_record_runs(client: httpx.Client) -> None:
    deployment = create_deployment(client, environment="preview")
    deploy = add_script(
        client, deployment, script_name="deploy", script_type="deploy", execution_order=5
    )
    build = add_script(client, deployment, script_name="build", execution_order=1)
    cleanup = add_script(client, deployment, script_name="cleanup", script_type="cleanup")
    assert cleanup["execution_order"] == 6 and build["environment"] == "preview"
    scripts_url = f"{DEPLOYMENTS}/{deployment['id']}/scripts"
    ordered = list_all(client, scripts_url, limit=2)
    assert [s["script_name"] for s in ordered] == ["build", "deploy", "cleanup"]
    url = f"{scripts_url}/{build['id']}"
    running = client.patch(url, json={"status": "running"}, headers={"If-Match": '"1"'})
    assert running.status_code == 200, running.text
    assert running.json()["data"]["started_at"] is not None
    finished = client.patch(
        url, json={"status": "failed", "exit_code": 2, "stdout_log": "ok\n", "stderr_log": "boom"}
    ).json()["data"]
    assert finished["exit_code"] == 2 and finished["stderr_log"] == "boom"
    assert finished["completed_at"] is not None and finished["execution_duration_ms"] >= 0
    assert client.get(url).json()["data"] == finished
    failed = list_all(client, scripts_url, status="failed")
    assert [s["id"] for s in failed] == [build["id"]]
    assert deploy["status"] == "pending"


def test_script_errors(client: httpx.Client, db: psycopg.Connection) -> None:
    deployment, other = create_deployment(client), create_deployment(client)
    script = add_script(client, deployment, max_retries=1)
    scripts_url = f"{DEPLOYMENTS}/{deployment['id']}/scripts"
    before = count_rows(db, "deployment_scripts")
    bad_bodies = [
        {"script_name": "x", "script_type": "compile", "script_content": "x"},
        {"script_name": "x", "script_type": "build"},
        {"script_name": "x", "script_type": "build", "script_content": "x", "timeout_seconds": 0},
        {"script_name": "", "script_type": "build", "script_content": "x"},
    ]
    for body in bad_bodies:
        assert_problem(client.post(scripts_url, json=body), 422, "validation-failed")
    missing = f"{DEPLOYMENTS}/{uuid.uuid4()}/scripts"
    body = {"script_name": "x", "script_type": "build", "script_content": "x"}
    assert_problem(client.post(missing, json=body), 404, "not-found")
    unknown_task = body | {"task_id": str(uuid.uuid4())}
    assert_problem(client.post(scripts_url, json=unknown_task), 422, "unknown-reference")
    assert count_rows(db, "deployment_scripts") == before
    url = f"{scripts_url}/{script['id']}"
    assert_problem(client.patch(url, json={"retry_count": 2}), 422, "validation-failed")
    assert_problem(client.patch(url, json={"status": "ok"}), 422, "validation-failed")
    assert_problem(client.patch(url, json={"exit_code": 1}, headers={"If-Match": '"9"'}), 412)
    wrong_parent = f"{DEPLOYMENTS}/{other['id']}/scripts/{script['id']}"
    assert_problem(client.get(wrong_parent), 404)
    assert_problem(client.patch(wrong_parent, json={"exit_code": 1}), 404)
    assert client.get(url).json()["data"] == script
