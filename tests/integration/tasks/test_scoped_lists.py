"""Lists whose statements the tables compose: a sort over a smallint column paged by cursor, and
the sub-collection lists (``api.resource.scoped_list``) with their typed filters, pages and 404."""

from __future__ import annotations

import uuid

import httpx

from tests.helpers import assert_problem, list_all, unique
from tests.integration.tasks.test_tasks_api import TASKS, create


def test_sort_by_priority_pages_by_cursor(client: httpx.Client) -> None:
    project = client.post("/api/v1/projects", json={"name": "p", "slug": unique("p-")})
    project_id = project.json()["data"]["id"]
    made = [create(client, project_id=project_id, priority=p) for p in (3, 9, 3, 0, 9)]
    listed = list_all(client, TASKS, project_id=project_id, sort="-priority,id", limit=2)
    expected = sorted(made, key=lambda t: (-t["priority"], t["id"]))
    assert [t["id"] for t in listed] == [t["id"] for t in expected]
    low = list_all(client, TASKS, project_id=project_id, priority_lte=3, sort="priority", limit=1)
    assert [t["priority"] for t in low] == [0, 3, 3]
    assert_problem(client.get(TASKS, params={"priority_gte": 11}), 400)


def test_subtasks_and_dependencies_filter_and_page(client: httpx.Client) -> None:
    parent, other = create(client), create(client)
    url = f"{TASKS}/{parent['id']}"
    children = []
    for status in ("pending", "blocked", "pending"):
        response = client.post(f"{url}/subtasks", json={"title": "c", "status": status})
        assert response.status_code == 201, response.text
        children.append(response.json()["data"])
    pending = list_all(client, f"{url}/subtasks", status="pending", limit=1)
    assert [c["id"] for c in pending] == [children[0]["id"], children[2]["id"]]
    assert len(list_all(client, f"{url}/subtasks", limit=2)) == 3
    for kind in ("related", "depends_on"):
        body = {"depends_on_task_id": other["id"], "dependency_type": kind}
        assert client.post(f"{url}/dependencies", json=body).status_code == 201
    related = list_all(client, f"{url}/dependencies", dependency_type="related")
    assert [d["dependency_type"] for d in related] == ["related"]
    assert len(list_all(client, f"{url}/dependencies", limit=1)) == 2
    assert_problem(client.get(f"{url}/subtasks", params={"type": "bug"}), 400)
    assert_problem(client.get(f"{url}/dependencies", params={"dependency_type": "x"}), 400)
    missing = f"{TASKS}/{uuid.uuid4()}"
    for child in ("subtasks", "dependencies", "contexts"):
        assert_problem(client.get(f"{missing}/{child}"), 404, "not-found")


def test_stages_list_in_order_by_status_and_page(client: httpx.Client) -> None:
    workflow = client.post("/api/v1/workflows", json={"name": unique("wf-")}).json()["data"]
    url = f"/api/v1/workflows/{workflow['id']}/stages"
    for name, order in (("c", 7), ("a", 1), ("b", 4)):
        assert client.post(url, json={"name": name, "stage_order": order}).status_code == 201
    assert [s["name"] for s in list_all(client, url, limit=2)] == ["a", "b", "c"]
    assert [s["name"] for s in list_all(client, url, sort="-stage_order", limit=1)] == [
        "c",
        "b",
        "a",
    ]
    assert len(list_all(client, url, status="pending")) == 3
    assert list_all(client, url, status="running") == []
    assert_problem(client.get(url, params={"sort": "name"}), 400)
    assert_problem(client.get(f"/api/v1/workflows/{uuid.uuid4()}/stages"), 404, "not-found")
    assert_problem(client.get(f"/api/v1/deployments/{uuid.uuid4()}/scripts"), 404, "not-found")
