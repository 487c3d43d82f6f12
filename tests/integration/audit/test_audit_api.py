"""The audit trail and the access log: read-only, filtered, admin only."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import psycopg
import pytest

from tests.helpers import assert_problem, list_all, unique
from tests.injection import CORPUS, assert_clean

AUDIT = "/api/v1/audit-logs"
ACCESS = "/api/v1/access-logs"


def test_a_change_is_in_the_audit_trail_with_key_and_request(
    client: httpx.Client, db: psycopg.Connection
) -> None:
    request_id = unique("audit-")
    created = client.post(
        "/api/v1/projects",
        json={"name": "audited", "slug": unique("au-")},
        headers={"X-Request-Id": request_id},
    )
    assert created.status_code == 201, created.text
    project_id = created.json()["data"]["id"]
    client.patch(f"/api/v1/projects/{project_id}", json={"name": "renamed"})

    entries = list_all(client, AUDIT, table_name="projects", row_id=project_id, limit=1)
    assert [e["action"] for e in entries] == ["UPDATE", "INSERT"]  # newest first
    insert = entries[1]
    assert insert["request_id"] == request_id and insert["old_data"] is None
    assert insert["new_data"]["name"] == "audited"
    assert entries[0]["old_data"]["name"] == "audited"
    assert entries[0]["new_data"]["name"] == "renamed"
    key_id = insert["actor_key_id"]
    assert key_id is not None
    by_request = list_all(client, AUDIT, request_id=request_id)
    assert [e["id"] for e in by_request] == [insert["id"]]
    by_action = list_all(client, AUDIT, row_id=project_id, action="INSERT", actor_key_id=key_id)
    assert [e["id"] for e in by_action] == [insert["id"]]
    ascending = list_all(client, AUDIT, row_id=project_id, sort="created_at")
    assert [e["action"] for e in ascending] == ["INSERT", "UPDATE"]


def wait_for_access_entry(client: httpx.Client, request_id: str) -> list[dict[str, Any]]:
    """Access entries are written in batches by the origin; poll until this one has landed."""
    for _ in range(100):
        found = client.get(ACCESS, params={"request_id": request_id}).json()["data"]
        if found:
            return found  # type: ignore[no-any-return]
        time.sleep(0.1)
    raise AssertionError(f"no access log entry for {request_id}")


def test_requests_are_in_the_access_log(client: httpx.Client, make_key: Any, origin: Any) -> None:
    key_id, plain = make_key(["tasks:read"])
    request_id = unique("acc-")
    with httpx.Client(base_url=origin.url, timeout=10) as http:
        response = http.get(
            "/api/v1/tasks/" + str(uuid.uuid4()),
            headers={"X-API-Key": plain, "X-Request-Id": request_id},
        )
    assert response.status_code == 404
    (entry,) = wait_for_access_entry(client, request_id)
    assert entry["api_key_id"] == key_id and entry["method"] == "GET"
    assert entry["status_code"] == 404 and entry["path"].startswith("/api/v1/tasks/")
    for params in (
        {"api_key_id": key_id},
        {"api_key_id": key_id, "method": "GET", "status_code": 404},
        {"api_key_id": key_id, "status_gte": 400, "status_lte": 499},
    ):
        assert [e["id"] for e in list_all(client, ACCESS, **params)] == [entry["id"]], params
    by_path = client.get(ACCESS, params={"api_key_id": key_id, "path": entry["path"]})
    assert [e["id"] for e in by_path.json()["data"]] == [entry["id"]]
    assert list_all(client, ACCESS, api_key_id=key_id, status_lte=299) == []


@pytest.mark.parametrize("path", [AUDIT, ACCESS])
@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"who": "x"}, id="unknown-parameter"),
        pytest.param({"sort": "table_name"}, id="sort-not-allowed"),
        pytest.param({"from": "soon"}, id="bad-time"),
        pytest.param({"cursor": "abc.def"}, id="forged-cursor"),
    ],
)
def test_bad_parameters_are_400(client: httpx.Client, path: str, params: dict[str, Any]) -> None:
    assert_problem(client.get(path, params=params), 400)


@pytest.mark.parametrize("path", [AUDIT, ACCESS])
def test_read_only_and_admin_only(
    client: httpx.Client, make_key: Any, origin: Any, path: str
) -> None:
    assert client.post(path, json={}).status_code in (404, 405)
    assert client.delete(path).status_code in (404, 405)
    _, reader = make_key(["tasks:read", "logs:read", "metrics:read", "keys:admin"])
    with httpx.Client(base_url=origin.url, timeout=10) as http:
        assert_problem(http.get(path, headers={"X-API-Key": reader}), 403)


def test_injection_corpus(client: httpx.Client) -> None:
    for value in CORPUS:
        for name in (
            "table_name",
            "row_id",
            "action",
            "actor_key_id",
            "request_id",
            "from",
            "sort",
        ):
            assert_clean(client.get(AUDIT, params={name: value}))
        for name in ("api_key_id", "request_id", "method", "path", "status_code", "to", "sort"):
            assert_clean(client.get(ACCESS, params={name: value}))
    assert client.get(AUDIT, params={"table_name": "' OR '1'='1"}).json()["data"] == []


def test_a_nul_in_the_path_is_logged_and_loses_no_other_entry(
    client: httpx.Client, origin: Any
) -> None:
    """PostgreSQL text cannot hold NUL: one such request must not make the whole batch fail."""
    odd, plain = unique("nul-"), unique("ok-")
    with httpx.Client(base_url=origin.url, timeout=10) as http:
        assert http.get("/api/v1/tasks/a%00b", headers={"X-Request-Id": odd}).status_code == 404
        assert http.get("/api/v1/nowhere", headers={"X-Request-Id": plain}).status_code == 404
    (entry,) = wait_for_access_entry(client, odd)
    assert entry["path"] == "/api/v1/tasks/a\ufffdb" and entry["status_code"] == 404
    assert wait_for_access_entry(client, plain)
