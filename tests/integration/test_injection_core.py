"""The injection corpus against the core resources: every documented query parameter of their lists
(read from the OpenAPI document, so a new filter is covered without editing this file), and every
text field of task and project bodies. Nothing changes, every answer is clean."""

from __future__ import annotations

import uuid

import httpx
import psycopg
import pytest

from tests.injection import CORPUS, assert_clean, table_fingerprint

LISTS = (
    "/api/v1/tasks",
    "/api/v1/projects",
    "/api/v1/workflows",
    "/api/v1/deployments",
    "/api/v1/validations",
    "/api/v1/errors",
)


@pytest.mark.parametrize("path", LISTS)
def test_every_list_parameter_takes_the_corpus_cleanly(
    client: httpx.Client, db: psycopg.Connection, path: str
) -> None:
    tables = table_fingerprint(db)
    operation = client.get("/schema/openapi.json").json()["paths"][path]["get"]
    names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
    assert {"limit", "cursor", "sort"} <= set(names)
    for name in names:
        for value in CORPUS:
            assert_clean(client.get(path, params={name: value}))
    assert table_fingerprint(db) == tables


TASK_TEXT_FIELDS = (
    "title",
    "description",
    "assigned_to",
    "linear_issue_id",
    "github_pr_url",
    "type",
    "status",
)
PROJECT_TEXT_FIELDS = ("name", "slug", "description", "repository_url", "status")


def test_task_body_fields_take_the_corpus_cleanly(
    client: httpx.Client, db: psycopg.Connection
) -> None:
    tables = table_fingerprint(db)
    task = client.post("/api/v1/tasks", json={"title": "injection target"}).json()["data"]
    url = f"/api/v1/tasks/{task['id']}"
    for value in CORPUS:
        for field in TASK_TEXT_FIELDS:
            assert_clean(client.post("/api/v1/tasks", json={"title": "t", field: value}))
            assert_clean(client.patch(url, json={field: value}))
        assert_clean(client.patch(url, json={"tags": [value], "metadata": {value: value}}))
        assert_clean(client.patch(f"{url}/status", json={"status": "pending", "note": value}))
    assert table_fingerprint(db) == tables
    assert client.get(url).status_code == 200


def test_project_body_fields_take_the_corpus_cleanly(
    client: httpx.Client, db: psycopg.Connection
) -> None:
    tables = table_fingerprint(db)
    slug = f"inj-{uuid.uuid4().hex[:8]}"
    project = client.post("/api/v1/projects", json={"name": "p", "slug": slug}).json()["data"]
    url = f"/api/v1/projects/{project['id']}"
    for value in CORPUS:
        for field in PROJECT_TEXT_FIELDS:
            body = {"name": "p", "slug": f"inj-{uuid.uuid4().hex[:8]}", field: value}
            assert_clean(client.post("/api/v1/projects", json=body))
            assert_clean(client.patch(url, json={field: value}))
    assert table_fingerprint(db) == tables
    assert client.get(url).json()["data"]["slug"] == slug
