"""Workflows, their stages and progress: success and error paths on the real origin."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import psycopg
import pytest

from tests.helpers import assert_problem, count_rows, list_all, unique

WORKFLOWS = "/api/v1/workflows"


def create_workflow(client: httpx.Client, **fields: Any) -> dict[str, Any]:
    response = client.post(WORKFLOWS, json={"name": unique("wf-")} | fields)
    assert response.status_code == 201, response.text
    return response.json()["data"]


def add_stage(client: httpx.Client, workflow: dict[str, Any], **fields: Any) -> dict[str, Any]:
    response = client.post(
        f"{WORKFLOWS}/{workflow['id']}/stages", json={"name": unique("s")} | fields
    )
    assert response.status_code == 201, response.text
    return response.json()["data"]


def test_create_get_and_location(client: httpx.Client) -> None:
    response = client.post(
        WORKFLOWS,
        json={"name": "ci", "trigger_type": "pull_request", "pipeline_config": {"steps": 3}},
    )
    assert response.status_code == 201, response.text
    workflow = response.json()["data"]
    assert workflow["status"] == "pending" and workflow["total_stages"] == 0
    assert workflow["progress_percent"] == 0 and workflow["started_at"] is None
    assert response.headers["etag"] == '"1"'
    fetched = client.get(response.headers["location"])
    assert fetched.json()["data"] == workflow


def test_status_drives_started_and_completed_at(client: httpx.Client) -> None:
    workflow = create_workflow(client)
    url = f"{WORKFLOWS}/{workflow['id']}"
    running = client.patch(url, json={"status": "running"}, headers={"If-Match": '"1"'}).json()[
        "data"
    ]
    assert running["started_at"] is not None and running["completed_at"] is None
    done = client.patch(url, json={"status": "completed"}).json()["data"]
    assert done["completed_at"] is not None and done["started_at"] == running["started_at"]
    replaced = client.put(url, json={"name": "again"}).json()["data"]
    assert replaced["status"] == "pending" and replaced["completed_at"] is None
    assert replaced["version"] == 4


def test_unknown_project_or_task_is_422_and_writes_nothing(
    client: httpx.Client, db: psycopg.Connection
) -> None:
    before = count_rows(db, "workflows")
    for field in ("project_id", "task_id"):
        response = client.post(WORKFLOWS, json={"name": "x", field: str(uuid.uuid4())})
        assert_problem(response, 422, "unknown-reference")
    assert count_rows(db, "workflows") == before


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"name": ""}, id="empty-name"),
        pytest.param({"name": "x", "status": "done"}, id="status"),
        pytest.param({"name": "x", "trigger_type": "cron"}, id="trigger"),
        pytest.param({"name": "x", "total_stages": 3}, id="derived-field"),
        pytest.param({"name": "x", "state": "s"}, id="state-not-object"),
    ],
)
def test_invalid_workflow_is_422(
    client: httpx.Client, db: psycopg.Connection, body: dict[str, Any]
) -> None:
    before = count_rows(db, "workflows")
    assert_problem(client.post(WORKFLOWS, json=body), 422, "validation-failed")
    assert count_rows(db, "workflows") == before


def test_412_404_and_delete_twice(client: httpx.Client, db: psycopg.Connection) -> None:
    workflow = create_workflow(client)
    add_stage(client, workflow)
    url = f"{WORKFLOWS}/{workflow['id']}"
    assert_problem(client.patch(url, json={"name": "y"}, headers={"If-Match": '"1"'}), 412)
    assert_problem(client.delete(url, headers={"If-Match": '"99"'}), 412, "precondition-failed")
    assert client.delete(url).status_code == 204
    assert count_rows(db, "workflow_stages", "workflow_id = %s", workflow["id"]) == 0
    assert_problem(client.delete(url), 404, "not-found")
    assert_problem(client.get(url), 404)
    assert_problem(client.patch(url, json={"name": "y"}), 404)
    assert_problem(client.get(f"{url}/progress"), 404)


def test_list_filters_and_pages(client: httpx.Client) -> None:
    project = client.post("/api/v1/projects", json={"name": "p", "slug": unique("p-")}).json()[
        "data"
    ]
    made = [create_workflow(client, project_id=project["id"], name=f"w{i}") for i in range(4)]
    client.patch(f"{WORKFLOWS}/{made[2]['id']}", json={"status": "running"})
    listed = list_all(client, WORKFLOWS, project_id=project["id"], limit=3)
    assert [w["id"] for w in listed] == [w["id"] for w in made]
    running = list_all(client, WORKFLOWS, project_id=project["id"], status="running")
    assert [w["id"] for w in running] == [made[2]["id"]]
    by_name = list_all(client, WORKFLOWS, project_id=project["id"], sort="-name")
    assert [w["name"] for w in by_name] == ["w3", "w2", "w1", "w0"]
    assert_problem(client.get(WORKFLOWS, params={"sort": "state"}), 400, "invalid-sort")
    assert_problem(client.get(WORKFLOWS, params={"stage": "x"}), 400, "unknown-parameter")
    assert_problem(client.get(WORKFLOWS, params={"cursor": "x.y"}), 400, "invalid-cursor")


def test_stage_progress_follows_status_changes(client: httpx.Client) -> None:
    workflow = create_workflow(client)
    stages = [add_stage(client, workflow, name=name) for name in ("build", "test", "deploy")]
    assert [s["stage_order"] for s in stages] == [0, 1, 2]
    stages_url = f"{WORKFLOWS}/{workflow['id']}/stages"
    assert [s["id"] for s in list_all(client, stages_url, limit=2)] == [s["id"] for s in stages]
    progress = client.get(f"{WORKFLOWS}/{workflow['id']}/progress").json()["data"]
    assert progress == {
        "workflow_id": workflow["id"], "status": "pending", "completed_stages": 0,
        "total_stages": 3, "percent": 0.0, "current_stage": "build", "version": progress["version"],
    }  # fmt: skip
    stage_url = f"{stages_url}/{stages[0]['id']}"
    running = client.patch(stage_url, json={"status": "running"}, headers={"If-Match": '"1"'})
    assert running.status_code == 200, running.text
    assert running.json()["data"]["started_at"] is not None
    done = client.patch(stage_url, json={"status": "completed", "result": {"ok": True}}).json()[
        "data"
    ]
    assert done["completed_at"] is not None and done["duration_ms"] >= 0
    assert done["result"] == {"ok": True} and done["version"] == 3
    client.patch(f"{stages_url}/{stages[1]['id']}", json={"status": "skipped"})
    client.patch(f"{stages_url}/{stages[2]['id']}", json={"status": "running"})
    progress = client.get(f"{WORKFLOWS}/{workflow['id']}/progress").json()["data"]
    assert progress["completed_stages"] == 2 and progress["total_stages"] == 3
    assert progress["percent"] == 66.67 and progress["current_stage"] == "deploy"
    refreshed = client.get(f"{WORKFLOWS}/{workflow['id']}").json()["data"]
    assert refreshed["progress_percent"] == 66.67 and refreshed["completed_stages"] == 2
    failed = list_all(client, stages_url, status="running")
    assert [s["id"] for s in failed] == [stages[2]["id"]]


def test_stage_conflicts_and_validation(client: httpx.Client, db: psycopg.Connection) -> None:
    workflow = create_workflow(client)
    add_stage(client, workflow, name="build")
    url = f"{WORKFLOWS}/{workflow['id']}/stages"
    assert_problem(client.post(url, json={"name": "build"}), 409, "duplicate-stage-name")
    assert_problem(
        client.post(url, json={"name": "other", "stage_order": 0}), 409, "duplicate-stage-order"
    )
    assert_problem(
        client.post(url, json={"name": "x", "stage_type": "magic"}), 422, "validation-failed"
    )
    assert_problem(
        client.post(url, json={"name": "x", "max_retries": 101}), 422, "validation-failed"
    )
    assert count_rows(db, "workflow_stages", "workflow_id = %s", workflow["id"]) == 1
    progress = client.get(f"{WORKFLOWS}/{workflow['id']}/progress").json()["data"]
    assert progress["total_stages"] == 1


def test_stage_errors_404_and_412(client: httpx.Client) -> None:
    workflow, other = create_workflow(client), create_workflow(client)
    stage = add_stage(client, workflow)
    missing = f"{WORKFLOWS}/{uuid.uuid4()}/stages"
    assert_problem(client.post(missing, json={"name": "x"}), 404, "not-found")
    assert_problem(client.get(missing), 404, "not-found")
    wrong_parent = f"{WORKFLOWS}/{other['id']}/stages/{stage['id']}"
    assert_problem(client.get(wrong_parent), 404)
    assert_problem(
        client.patch(wrong_parent, json={"status": "running"}, headers={"If-Match": '"1"'}), 404
    )
    url = f"{WORKFLOWS}/{workflow['id']}/stages/{stage['id']}"
    assert_problem(client.patch(url, json={"status": "running"}, headers={"If-Match": '"5"'}), 412)
    assert_problem(client.patch(url, json={"status": "done"}), 422, "validation-failed")
    current = client.get(url)
    assert current.json()["data"] == stage and current.headers["etag"] == '"1"'
    assert client.get(url, headers={"If-None-Match": '"1"'}).status_code == 304
