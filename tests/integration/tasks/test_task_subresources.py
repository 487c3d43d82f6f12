"""/tasks/{id}/contexts, /subtasks and /dependencies: success and error paths."""

from __future__ import annotations

import uuid

import httpx
import psycopg
import pytest

from tests.helpers import assert_problem, count_rows, list_all
from tests.integration.tasks.test_tasks_api import TASKS, create


def test_add_and_list_contexts(client: httpx.Client) -> None:
    task = create(client)
    url = f"{TASKS}/{task['id']}/contexts"
    added = []
    for kind in ("note", "codebase", "note"):
        response = client.post(url, json={"context_type": kind, "context_data": {"k": kind}})
        assert response.status_code == 201, response.text
        added.append(response.json()["data"])
    assert added[0]["task_id"] == task["id"] and added[0]["context_data"] == {"k": "note"}
    assert [c["id"] for c in list_all(client, url, limit=2)] == [c["id"] for c in added]
    notes = list_all(client, url, context_type="note", sort="-created_at")
    assert [c["id"] for c in notes] == [added[2]["id"], added[0]["id"]]


def test_contexts_of_a_task_without_any_is_an_empty_page(client: httpx.Client) -> None:
    task = create(client)
    body = client.get(f"{TASKS}/{task['id']}/contexts").json()
    assert body["data"] == [] and body["pagination"]["has_more"] is False


def test_contexts_of_a_missing_task_are_404(client: httpx.Client, db: psycopg.Connection) -> None:
    url = f"{TASKS}/{uuid.uuid4()}/contexts"
    before = count_rows(db, "task_contexts")
    assert_problem(client.post(url, json={"context_type": "note"}), 404, "not-found")
    assert count_rows(db, "task_contexts") == before
    assert_problem(client.get(url), 404, "not-found")


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"context_type": "gossip"}, id="unknown-type"),
        pytest.param({"context_type": "note", "context_data": [1]}, id="data-not-object"),
        pytest.param({"context_type": "note", "extra": 1}, id="unknown-field"),
        pytest.param({}, id="missing-type"),
    ],
)
def test_invalid_context_is_422_and_writes_nothing(
    client: httpx.Client, db: psycopg.Connection, body: dict[str, object]
) -> None:
    task = create(client)
    response = client.post(f"{TASKS}/{task['id']}/contexts", json=body)
    assert_problem(response, 422, "validation-failed")
    assert count_rows(db, "task_contexts", "task_id = %s", task["id"]) == 0


def test_context_list_refuses_unknown_parameters_and_sorts(client: httpx.Client) -> None:
    task = create(client)
    url = f"{TASKS}/{task['id']}/contexts"
    assert_problem(client.get(url, params={"status": "x"}), 400, "unknown-parameter")
    assert_problem(client.get(url, params={"sort": "context_data"}), 400, "invalid-sort")
    assert_problem(client.get(url, params={"cursor": "abc.def"}), 400, "invalid-cursor")


def test_subtasks_are_created_under_the_parent_and_listed(client: httpx.Client) -> None:
    parent, other = create(client), create(client)
    url = f"{TASKS}/{parent['id']}/subtasks"
    first = client.post(url, json={"title": "child 1", "parent_task_id": other["id"]})
    assert first.status_code == 201, first.text
    child = first.json()["data"]
    assert child["parent_task_id"] == parent["id"]  # the path wins over the body
    assert first.headers["location"] == f"{TASKS}/{child['id']}"
    second = client.post(url, json={"title": "child 2", "status": "blocked"}).json()["data"]
    assert [t["id"] for t in list_all(client, url, limit=1)] == [child["id"], second["id"]]
    blocked = list_all(client, url, status="blocked")
    assert [t["id"] for t in blocked] == [second["id"]]
    assert list_all(client, f"{TASKS}/{other['id']}/subtasks") == []


def test_subtasks_of_a_missing_task_are_404(client: httpx.Client, db: psycopg.Connection) -> None:
    url = f"{TASKS}/{uuid.uuid4()}/subtasks"
    before = count_rows(db, "tasks")
    assert_problem(client.post(url, json={"title": "orphan"}), 404, "not-found")
    assert count_rows(db, "tasks") == before
    assert_problem(client.get(url), 404, "not-found")
    assert_problem(client.post(f"{TASKS}/{create(client)['id']}/subtasks", json={}), 422)


def test_dependency_create_list_delete(client: httpx.Client) -> None:
    task, blocker, related = create(client), create(client), create(client)
    url = f"{TASKS}/{task['id']}/dependencies"
    response = client.post(url, json={"depends_on_task_id": blocker["id"]})
    assert response.status_code == 201, response.text
    edge = response.json()["data"]
    assert edge["task_id"] == task["id"] and edge["depends_on_task_id"] == blocker["id"]
    assert edge["dependency_type"] == "depends_on"
    second = client.post(
        url, json={"depends_on_task_id": related["id"], "dependency_type": "related"}
    ).json()["data"]
    assert [e["id"] for e in list_all(client, url)] == [edge["id"], second["id"]]
    assert [e["id"] for e in list_all(client, url, dependency_type="related")] == [second["id"]]
    assert client.delete(f"{url}/{edge['id']}").status_code == 204
    assert_problem(client.delete(f"{url}/{edge['id']}"), 404, "not-found")
    assert [e["id"] for e in list_all(client, url)] == [second["id"]]


def test_self_dependency_is_422(client: httpx.Client, db: psycopg.Connection) -> None:
    task = create(client)
    url = f"{TASKS}/{task['id']}/dependencies"
    assert_problem(
        client.post(url, json={"depends_on_task_id": task["id"]}), 422, "self-dependency"
    )
    assert count_rows(db, "task_dependencies", "task_id = %s", task["id"]) == 0


def test_duplicate_dependency_is_409_but_another_type_is_fine(
    client: httpx.Client, db: psycopg.Connection
) -> None:
    task, other = create(client), create(client)
    url = f"{TASKS}/{task['id']}/dependencies"
    assert client.post(url, json={"depends_on_task_id": other["id"]}).status_code == 201
    response = client.post(url, json={"depends_on_task_id": other["id"]})
    assert_problem(response, 409, "duplicate-dependency")
    assert count_rows(db, "task_dependencies", "task_id = %s", task["id"]) == 1
    # Another type of edge between the same tasks is a different row ("blocks" would be a cycle
    # here: task blocks other = other depends on task; see tests/integration/graph).
    related = client.post(
        url, json={"depends_on_task_id": other["id"], "dependency_type": "related"}
    )
    assert related.status_code == 201


def test_dependency_on_unknown_task_is_422_and_under_unknown_task_404(
    client: httpx.Client, db: psycopg.Connection
) -> None:
    task = create(client)
    before = count_rows(db, "task_dependencies")
    response = client.post(
        f"{TASKS}/{task['id']}/dependencies", json={"depends_on_task_id": str(uuid.uuid4())}
    )
    assert_problem(response, 422, "unknown-reference")
    missing = f"{TASKS}/{uuid.uuid4()}/dependencies"
    assert_problem(client.post(missing, json={"depends_on_task_id": task["id"]}), 404, "not-found")
    assert_problem(client.get(missing), 404)
    assert_problem(client.delete(f"{missing}/{uuid.uuid4()}"), 404)
    assert count_rows(db, "task_dependencies") == before


def test_dependency_of_another_task_cannot_be_deleted_through_this_one(
    client: httpx.Client,
) -> None:
    task, other, target = create(client), create(client), create(client)
    edge = client.post(
        f"{TASKS}/{task['id']}/dependencies", json={"depends_on_task_id": target["id"]}
    ).json()["data"]
    assert_problem(client.delete(f"{TASKS}/{other['id']}/dependencies/{edge['id']}"), 404)
    assert len(list_all(client, f"{TASKS}/{task['id']}/dependencies")) == 1


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"depends_on_task_id": "not-a-uuid"}, id="bad-uuid"),
        pytest.param({"depends_on_task_id": None}, id="null"),
        pytest.param({}, id="missing"),
        pytest.param({"depends_on_task_id": str(uuid.uuid4()), "dependency_type": "x"}, id="type"),
    ],
)
def test_invalid_dependency_body_is_422(client: httpx.Client, body: dict[str, object]) -> None:
    task = create(client)
    response = client.post(f"{TASKS}/{task['id']}/dependencies", json=body)
    assert_problem(response, 422, "validation-failed")
