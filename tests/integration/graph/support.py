"""Builders for the task-graph tests: every test works in a project of its own, so rows other
tests leave in the shared session database never change what `next` or the reports see."""

from __future__ import annotations

from typing import Any

import httpx

from tests.helpers import unique

TASKS = "/api/v1/tasks"
PROJECTS = "/api/v1/projects"


def new_project(client: httpx.Client) -> str:
    slug = unique("graph-")
    response = client.post(PROJECTS, json={"name": slug, "slug": slug})
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["id"])


def new_task(client: httpx.Client, project_id: str | None, **fields: Any) -> str:
    body = {"title": unique("task "), "project_id": project_id} | fields
    response = client.post(TASKS, json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["id"])


def depend(
    client: httpx.Client, task_id: str, on: str, dependency_type: str = "depends_on"
) -> httpx.Response:
    """``task_id`` depends on ``on`` (or, with ``blocks``, ``task_id`` blocks ``on``)."""
    body = {"depends_on_task_id": on, "dependency_type": dependency_type}
    return client.post(f"{TASKS}/{task_id}/dependencies", json=body)


def must_depend(
    client: httpx.Client, task_id: str, on: str, dependency_type: str = "depends_on"
) -> str:
    response = depend(client, task_id, on, dependency_type)
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["id"])


def set_status(client: httpx.Client, task_id: str, status: str) -> dict[str, Any]:
    response = client.patch(f"{TASKS}/{task_id}/status", json={"status": status})
    assert response.status_code == 200, response.text
    return response.json()["data"]  # type: ignore[no-any-return]


def next_id(client: httpx.Client, project_id: str, **params: Any) -> str | None:
    response = client.get(f"{TASKS}/next", params={"project_id": project_id} | params)
    if response.status_code == 404:
        assert response.json()["type"].endswith("/no-ready-task"), response.text
        return None
    assert response.status_code == 200, response.text
    return str(response.json()["data"]["id"])
