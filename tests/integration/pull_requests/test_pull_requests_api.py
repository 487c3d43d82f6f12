"""Pull requests: CRUD, ETags, filters, constraint errors, injection."""

from __future__ import annotations

import random
import uuid
from typing import Any

import httpx
import psycopg
import pytest

from tests.helpers import assert_problem, count_rows, list_all, unique
from tests.injection import CORPUS, assert_clean, table_fingerprint

PRS = "/api/v1/pull-requests"


def pr_body(**fields: Any) -> dict[str, Any]:
    return {
        "repository": f"acme/{unique('repo')}",
        "pr_number": random.randint(1, 10_000),
        "pr_url": "https://github.com/acme/x/pull/1",
        "source_branch": "feature/x",
    } | fields


def create(client: httpx.Client, **fields: Any) -> dict[str, Any]:
    response = client.post(PRS, json=pr_body(**fields))
    assert response.status_code == 201, response.text
    return response.json()["data"]


def test_crud_with_etags(client: httpx.Client) -> None:
    response = client.post(PRS, json=pr_body(title="Add X", labels=["api"], head_sha="abcdef1"))
    assert response.status_code == 201, response.text
    pr = response.json()["data"]
    assert pr["status"] == "open" and pr["target_branch"] == "main" and pr["labels"] == ["api"]
    assert response.headers["etag"] == '"1"'
    assert response.headers["location"] == f"{PRS}/{pr['id']}"
    url = response.headers["location"]
    assert client.get(url).json()["data"] == pr
    assert client.get(url, headers={"If-None-Match": '"1"'}).status_code == 304

    merged = client.patch(
        url,
        json={"status": "merged", "merged_at": "2024-01-01T00:00:00Z", "ci_status": "success"},
        headers={"If-Match": '"1"'},
    )
    assert merged.status_code == 200, merged.text
    assert merged.json()["data"]["status"] == "merged" and merged.headers["etag"] == '"2"'
    assert merged.json()["data"]["title"] == "Add X"  # untouched by PATCH
    assert_problem(client.patch(url, json={"title": "y"}, headers={"If-Match": '"1"'}), 412)

    replaced = client.put(url, json=pr_body(repository=pr["repository"], pr_number=pr["pr_number"]))
    assert replaced.status_code == 200 and replaced.json()["data"]["title"] is None
    assert_problem(client.delete(url, headers={"If-Match": '"1"'}), 412)
    assert client.delete(url).status_code == 204
    assert_problem(client.delete(url), 404, "not-found")
    assert_problem(client.get(url), 404, "not-found")


def test_duplicate_repository_and_number_is_409(
    client: httpx.Client, db: psycopg.Connection
) -> None:
    pr = create(client)
    before = count_rows(db, "pull_requests")
    response = client.post(
        PRS, json=pr_body(repository=pr["repository"], pr_number=pr["pr_number"])
    )
    assert_problem(response, 409, "duplicate-pull-request")
    assert count_rows(db, "pull_requests") == before


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        pytest.param({"project_id": str(uuid.uuid4())}, "unknown-reference", id="missing-project"),
        pytest.param({"task_id": str(uuid.uuid4())}, "unknown-reference", id="missing-task"),
        pytest.param({"merged_at": "2024-01-01T00:00:00Z"}, "validation-failed", id="merged-at"),
        pytest.param({"closed_at": "2024-01-01T00:00:00Z"}, "validation-failed", id="closed-at"),
        pytest.param({"repository": "no-slash"}, None, id="repository-pattern"),
        pytest.param({"pr_number": 0}, None, id="pr-number"),
        pytest.param({"pr_url": "ftp://x"}, None, id="url"),
        pytest.param({"status": "approved"}, None, id="status"),
        pytest.param({"head_sha": "XYZ"}, None, id="sha"),
        pytest.param({"additions": -1}, None, id="negative-additions"),
        pytest.param({"unknown": 1}, None, id="unknown-field"),
    ],
)
def test_invalid_bodies_are_422(
    client: httpx.Client, db: psycopg.Connection, fields: dict[str, Any], code: str | None
) -> None:
    before = count_rows(db, "pull_requests")
    assert_problem(client.post(PRS, json=pr_body(**fields)), 422, code)
    assert count_rows(db, "pull_requests") == before


def test_filters_and_sort(client: httpx.Client) -> None:
    repository = f"acme/{unique('f')}"
    one = create(client, repository=repository, pr_number=1, ci_status="failure")
    two = create(client, repository=repository, pr_number=2, status="draft", source_branch="b2")
    three = create(client, repository=repository, pr_number=3, review_status="approved")
    ids = lambda **p: [x["id"] for x in list_all(client, PRS, repository=repository, limit=1, **p)]  # noqa: E731
    assert ids(sort="-pr_number") == [three["id"], two["id"], one["id"]]
    assert ids(status="draft") == [two["id"]]
    assert ids(ci_status="failure") == [one["id"]]
    assert ids(review_status="approved") == [three["id"]]
    assert ids(source_branch="b2") == [two["id"]]
    assert_problem(client.get(PRS, params={"sort": "title"}), 400, "invalid-sort")
    assert_problem(client.get(PRS, params={"state": "open"}), 400, "unknown-parameter")


def test_scopes(make_key: Any, origin: Any) -> None:
    _, reader = make_key(["tasks:read"])
    with httpx.Client(base_url=origin.url, timeout=10, headers={"X-API-Key": reader}) as http:
        assert http.get(PRS).status_code == 200
        assert_problem(http.post(PRS, json=pr_body()), 403)


def test_injection_corpus(client: httpx.Client, db: psycopg.Connection) -> None:
    tables = table_fingerprint(db)
    pr = create(client)
    for value in CORPUS:
        for name in ("repository", "source_branch", "status", "task_id", "sort", "created_after"):
            assert_clean(client.get(PRS, params={name: value}))
        for field in ("repository", "pr_url", "source_branch", "title", "author", "status",
                      "head_sha", "merged_by"):  # fmt: skip
            assert_clean(client.post(PRS, json=pr_body(**{field: value})))
            assert_clean(client.patch(f"{PRS}/{pr['id']}", json={field: value}))
        assert_clean(
            client.patch(f"{PRS}/{pr['id']}", json={"labels": [value], "metadata": {value: value}})
        )
    assert table_fingerprint(db) == tables
    assert client.get(f"{PRS}/{pr['id']}").json()["data"]["repository"] == pr["repository"]
