"""A task's history (``GET /api/v1/tasks/{id}/history``, the console's task page): its audit entries,
newest first, for whoever may read the task and nobody else."""

from __future__ import annotations

import uuid

import httpx

from tests.helpers import assert_problem
from tests.integration.people.support import bearer, cli, make_project, make_user, tokens


def test_history_lists_the_tasks_changes_newest_first(client: httpx.Client) -> None:
    task = client.post("/api/v1/tasks", json={"title": "with a past"}).json()["data"]
    patched = client.patch(f"/api/v1/tasks/{task['id']}", json={"priority": 9})
    assert patched.status_code == 200, patched.text
    history = client.get(f"/api/v1/tasks/{task['id']}/history")
    assert history.status_code == 200, history.text
    entries = history.json()["data"]
    assert [e["action"] for e in entries] == ["UPDATE", "INSERT"]
    assert {e["row_id"] for e in entries} == {task["id"]}
    assert entries[0]["new_data"]["priority"] == 9 and entries[0]["old_data"]["priority"] == 5
    assert_problem(client.get(f"/api/v1/tasks/{uuid.uuid4()}/history"), 404, "not-found")


def test_another_projects_task_history_is_not_found(origin_db: str, client: httpx.Client) -> None:
    mine, theirs = make_project(client), make_project(client)
    member = make_user(origin_db)
    cli(origin_db, "members", "add", mine, member["username"], "--role", "viewer")
    foreign = client.post("/api/v1/tasks", json={"title": "foreign", "project_id": theirs})
    own = client.post("/api/v1/tasks", json={"title": "own", "project_id": mine})
    headers = bearer(tokens(client, member["username"])["access_token"])
    seen = client.get(f"/api/v1/tasks/{own.json()['data']['id']}/history", headers=headers)
    assert seen.status_code == 200 and len(seen.json()["data"]) == 1, seen.text
    hidden = client.get(f"/api/v1/tasks/{foreign.json()['data']['id']}/history", headers=headers)
    assert_problem(hidden, 404, "not-found")
