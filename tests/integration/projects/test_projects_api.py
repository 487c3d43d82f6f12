"""Every project route's success and error paths, against the real origin and PostgreSQL."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import psycopg
import pytest

from tests.helpers import assert_problem, count_rows, list_all, unique

PROJECTS = "/api/v1/projects"
TASKS = "/api/v1/tasks"


def create_project(client: httpx.Client, **fields: Any) -> dict[str, Any]:
    response = client.post(PROJECTS, json={"name": "a project", "slug": unique("p-")} | fields)
    assert response.status_code == 201, response.text
    return response.json()["data"]


def test_create_returns_the_project_with_etag_and_location(client: httpx.Client) -> None:
    slug = unique("p-")
    response = client.post(
        PROJECTS,
        json={
            "name": "Apollo",
            "slug": slug,
            "repository_url": "https://github.com/o/apollo",
            "settings": {"ci": True},
        },
    )
    assert response.status_code == 201, response.text
    project = response.json()["data"]
    assert project["slug"] == slug and project["status"] == "active"
    assert project["settings"] == {"ci": True} and project["metadata"] == {}
    assert project["version"] == 1
    assert response.headers["etag"] == '"1"'
    assert response.headers["location"] == f"{PROJECTS}/{project['id']}"
    fetched = client.get(response.headers["location"])
    assert fetched.status_code == 200 and fetched.json()["data"] == project
    assert (
        client.get(f"{PROJECTS}/{project['id']}", headers={"If-None-Match": '"1"'}).status_code
        == 304
    )


def test_duplicate_slug_is_409_and_writes_nothing(
    client: httpx.Client, db: psycopg.Connection
) -> None:
    project = create_project(client)
    before = count_rows(db, "projects")
    response = client.post(PROJECTS, json={"name": "again", "slug": project["slug"]})
    body = assert_problem(response, 409, "duplicate-slug")
    assert "slug" in body["detail"]
    assert count_rows(db, "projects") == before


def test_patch_to_a_taken_slug_is_409(client: httpx.Client) -> None:
    first, second = create_project(client), create_project(client)
    response = client.patch(f"{PROJECTS}/{second['id']}", json={"slug": first["slug"]})
    assert_problem(response, 409, "duplicate-slug")
    assert client.get(f"{PROJECTS}/{second['id']}").json()["data"]["slug"] == second["slug"]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"name": "x", "slug": "Bad Slug"}, id="slug-pattern"),
        pytest.param({"name": "", "slug": "ok-slug"}, id="empty-name"),
        pytest.param({"name": "x" * 201, "slug": "ok-slug"}, id="long-name"),
        pytest.param({"name": "x", "slug": "ok-slug", "status": "deleted"}, id="status"),
        pytest.param({"name": "x", "slug": "ok-slug", "repository_url": "ftp://x"}, id="url"),
        pytest.param({"name": "x", "slug": "ok-slug", "settings": []}, id="settings-array"),
        pytest.param({"name": "x", "slug": "ok-slug", "owner": "me"}, id="unknown-field"),
        pytest.param({"slug": "ok-slug"}, id="missing-name"),
    ],
)
def test_invalid_bodies_are_422_and_write_nothing(
    client: httpx.Client, db: psycopg.Connection, body: dict[str, Any]
) -> None:
    before = count_rows(db, "projects")
    assert_problem(client.post(PROJECTS, json=body), 422, "validation-failed")
    assert count_rows(db, "projects") == before


def test_put_replaces_and_patch_changes_only_what_is_sent(client: httpx.Client) -> None:
    project = create_project(client, description="old", metadata={"a": 1})
    url = f"{PROJECTS}/{project['id']}"
    replaced = client.put(
        url, json={"name": "New", "slug": project["slug"]}, headers={"If-Match": '"1"'}
    )
    assert replaced.status_code == 200, replaced.text
    data = replaced.json()["data"]
    assert data["name"] == "New" and data["description"] is None and data["metadata"] == {}
    assert data["version"] == 2 and replaced.headers["etag"] == '"2"'
    patched = client.patch(url, json={"status": "archived", "description": "d"})
    assert patched.status_code == 200
    data = patched.json()["data"]
    assert data["status"] == "archived" and data["description"] == "d" and data["name"] == "New"
    cleared = client.patch(url, json={"description": None}).json()["data"]
    assert cleared["description"] is None and cleared["version"] == 4


def test_if_match_mismatch_is_412_and_changes_nothing(client: httpx.Client) -> None:
    project = create_project(client)
    url = f"{PROJECTS}/{project['id']}"
    assert_problem(client.patch(url, json={"name": "x"}, headers={"If-Match": '"7"'}), 412)
    assert_problem(client.delete(url, headers={"If-Match": '"7"'}), 412, "precondition-failed")
    assert client.get(url).json()["data"] == project


def test_delete_is_204_then_404(client: httpx.Client) -> None:
    project = create_project(client)
    url = f"{PROJECTS}/{project['id']}"
    assert client.delete(url, headers={"If-Match": '"1"'}).status_code == 204
    assert_problem(client.delete(url), 404, "not-found")
    assert_problem(client.get(url), 404, "not-found")


def test_deleting_a_project_with_tasks_is_409_and_deletes_nothing(
    client: httpx.Client, db: psycopg.Connection
) -> None:
    project = create_project(client)
    task = client.post(TASKS, json={"title": "t", "project_id": project["id"]}).json()["data"]
    body = assert_problem(client.delete(f"{PROJECTS}/{project['id']}"), 409, "still-referenced")
    assert "tasks" in body["detail"]
    assert count_rows(db, "projects", "id = %s", project["id"]) == 1
    assert client.delete(f"{TASKS}/{task['id']}").status_code == 204
    assert client.delete(f"{PROJECTS}/{project['id']}").status_code == 204


def test_writes_to_a_missing_project_are_404(client: httpx.Client) -> None:
    url = f"{PROJECTS}/{uuid.uuid4()}"
    assert_problem(client.get(url), 404)
    assert_problem(client.put(url, json={"name": "x", "slug": unique("p-")}), 404)
    assert_problem(client.patch(url, json={"name": "x"}), 404)
    assert_problem(client.delete(url), 404)


def test_list_filters_sorts_and_pages(client: httpx.Client) -> None:
    marker = unique("m")
    made = [create_project(client, name=f"{marker}-{i}", slug=f"{marker}-{i}") for i in range(5)]
    made[1] = client.patch(f"{PROJECTS}/{made[1]['id']}", json={"status": "archived"}).json()[
        "data"
    ]
    one = list_all(client, PROJECTS, slug=made[3]["slug"])
    assert [p["id"] for p in one] == [made[3]["id"]]
    listed = [
        p for p in list_all(client, PROJECTS, sort="-name", limit=2) if p["name"].startswith(marker)
    ]
    assert [p["id"] for p in listed] == [p["id"] for p in reversed(made)]
    archived = list_all(client, PROJECTS, status="archived", sort="created_at")
    assert made[1]["id"] in {p["id"] for p in archived}
    assert all(p["status"] == "archived" for p in archived)


@pytest.mark.parametrize(
    ("params", "code"),
    [
        pytest.param({"sort": "password"}, "invalid-sort", id="unknown-sort"),
        pytest.param({"owner": "x"}, "unknown-parameter", id="unknown-param"),
        pytest.param({"cursor": "forged.cursor"}, "invalid-cursor", id="forged-cursor"),
        pytest.param({"limit": "500"}, None, id="limit-over-cap"),
        pytest.param({"status": "deleted"}, None, id="bad-status"),
    ],
)
def test_bad_list_parameters_are_400(
    client: httpx.Client, params: dict[str, str], code: str | None
) -> None:
    assert_problem(client.get(PROJECTS, params=params), 400, code)


def test_cursor_from_another_sort_is_400(client: httpx.Client) -> None:
    for _ in range(2):
        create_project(client)
    cursor = client.get(PROJECTS, params={"limit": 1}).json()["pagination"]["next_cursor"]
    assert cursor
    assert_problem(
        client.get(PROJECTS, params={"cursor": cursor, "sort": "-name"}), 400, "invalid-cursor"
    )
