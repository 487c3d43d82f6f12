"""Agent configurations: CRUD, ETags, unique names, filters, injection."""

from __future__ import annotations

from typing import Any

import httpx
import psycopg
import pytest

from tests.helpers import assert_problem, count_rows, list_all, unique
from tests.injection import CORPUS, assert_clean, table_fingerprint

AGENTS = "/api/v1/agent-configurations"


def create(client: httpx.Client, **fields: Any) -> dict[str, Any]:
    body = {"name": unique("agent-"), "agent_type": "claude_code"} | fields
    response = client.post(AGENTS, json=body)
    assert response.status_code == 201, response.text
    return response.json()["data"]


def test_crud_with_etags(client: httpx.Client) -> None:
    agent = create(client, model="claude", capabilities=["code", "review"], configuration={"a": 1})
    assert agent["max_concurrent_tasks"] == 1 and agent["timeout_seconds"] == 3600
    assert agent["health_status"] == "unknown" and "encrypted_credentials" not in agent
    url = f"{AGENTS}/{agent['id']}"
    got = client.get(url)
    assert got.json()["data"] == agent and got.headers["etag"] == '"1"'
    patched = client.patch(url, json={"is_active": False}, headers={"If-Match": '"1"'})
    assert patched.status_code == 200 and patched.json()["data"]["is_active"] is False
    assert patched.json()["data"]["model"] == "claude"
    assert_problem(client.put(url, json={"name": "x", "agent_type": "custom"},
                              headers={"If-Match": '"1"'}), 412)  # fmt: skip
    replaced = client.put(url, json={"name": agent["name"], "agent_type": "codegen"})
    assert replaced.json()["data"]["agent_type"] == "codegen"
    assert replaced.json()["data"]["capabilities"] == []
    assert client.delete(url).status_code == 204
    assert_problem(client.delete(url), 404)
    assert_problem(client.patch(url, json={"is_active": True}), 404)


def test_duplicate_name_is_409(client: httpx.Client, db: psycopg.Connection) -> None:
    agent = create(client)
    before = count_rows(db, "agent_configurations")
    response = client.post(AGENTS, json={"name": agent["name"], "agent_type": "openai"})
    assert_problem(response, 409, "duplicate-name")
    assert count_rows(db, "agent_configurations") == before


@pytest.mark.parametrize(
    "fields",
    [
        {"agent_type": "robot"}, {"max_concurrent_tasks": 0}, {"timeout_seconds": 86_401},
        {"name": ""}, {"configuration": []}, {"encrypted_credentials": "x"},
        {"health_status": "fine"},
    ],
)  # fmt: skip
def test_invalid_bodies_are_422(client: httpx.Client, fields: dict[str, Any]) -> None:
    body = {"name": unique("agent-"), "agent_type": "custom"} | fields
    assert_problem(client.post(AGENTS, json=body), 422)


def test_filters(client: httpx.Client) -> None:
    marker = unique("cap")
    one = create(client, agent_type="codegen", capabilities=[marker, "x"])
    two = create(client, agent_type="openai", capabilities=[marker], is_active=False)
    ids = lambda **p: [a["id"] for a in list_all(client, AGENTS, capability=marker, **p)]  # noqa: E731
    assert ids() == [one["id"], two["id"]]
    assert ids(agent_type="openai") == [two["id"]]
    assert ids(is_active="true") == [one["id"]]
    assert ids(sort="-created_at", limit=1) == [two["id"], one["id"]]
    assert [a["id"] for a in list_all(client, AGENTS, name=one["name"])] == [one["id"]]
    assert_problem(client.get(AGENTS, params={"sort": "model"}), 400)


def test_scopes(make_key: Any, origin: Any) -> None:
    _, reader = make_key(["workflows:read"])
    with httpx.Client(base_url=origin.url, timeout=10, headers={"X-API-Key": reader}) as http:
        assert http.get(AGENTS).status_code == 200
        assert_problem(http.post(AGENTS, json={"name": "x", "agent_type": "custom"}), 403)


def test_injection_corpus(client: httpx.Client, db: psycopg.Connection) -> None:
    tables = table_fingerprint(db)
    agent = create(client)
    for value in CORPUS:
        for name in ("name", "agent_type", "capability", "is_active", "sort", "cursor"):
            assert_clean(client.get(AGENTS, params={name: value}))
        for field in ("name", "agent_type", "description", "model", "last_error"):
            body = {"name": unique("inj-"), "agent_type": "custom", field: value}
            assert_clean(client.post(AGENTS, json=body))
            assert_clean(client.patch(f"{AGENTS}/{agent['id']}", json={field: value}))
        body = {"capabilities": [value], "configuration": {value: value}}
        assert_clean(client.patch(f"{AGENTS}/{agent['id']}", json=body))
    assert table_fingerprint(db) == tables
