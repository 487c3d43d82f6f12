"""Integrations: CRUD, status, health, usage and events."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import psycopg
import pytest

from tests.helpers import assert_problem, count_rows, list_all, unique
from tests.injection import CORPUS, assert_clean, table_fingerprint

INTEGRATIONS = "/api/v1/integrations"


def create(client: httpx.Client, **fields: Any) -> dict[str, Any]:
    body = {"name": unique("int-"), "type": "github"} | fields
    response = client.post(INTEGRATIONS, json=body)
    assert response.status_code == 201, response.text
    return response.json()["data"]


def test_crud_with_etags(client: httpx.Client) -> None:
    integration = create(client, config={"org": "acme"})
    assert integration["status"] == "inactive" and integration["request_count"] == 0
    assert "encrypted_credentials" not in integration
    url = f"{INTEGRATIONS}/{integration['id']}"
    assert client.get(url).json()["data"] == integration
    patched = client.patch(url, json={"config": {"org": "other"}}, headers={"If-Match": '"1"'})
    assert patched.status_code == 200 and patched.json()["data"]["config"] == {"org": "other"}
    assert_problem(client.patch(url, json={"status": "active"}, headers={"If-Match": '"1"'}), 412)
    replaced = client.put(url, json={"name": integration["name"], "type": "linear"})
    assert replaced.json()["data"]["type"] == "linear"
    assert client.delete(url).status_code == 204
    assert_problem(client.delete(url), 404)


def test_duplicate_name_and_bad_bodies(client: httpx.Client, db: psycopg.Connection) -> None:
    integration = create(client)
    before = count_rows(db, "integrations")
    dup = client.post(INTEGRATIONS, json={"name": integration["name"], "type": "slack"})
    assert_problem(dup, 409, "duplicate-name")
    for bad in ({"type": "jira"}, {"status": "on"}, {"request_count": 5}, {"config": [1]}):
        assert_problem(
            client.post(INTEGRATIONS, json={"name": unique("i"), "type": "slack"} | bad), 422
        )
    assert count_rows(db, "integrations") == before


def test_status_change(client: httpx.Client) -> None:
    integration = create(client)
    url = f"{INTEGRATIONS}/{integration['id']}/status"
    response = client.put(url, json={"status": "active"}, headers={"If-Match": '"1"'})
    assert response.status_code == 200, response.text
    assert response.json()["data"]["status"] == "active" and response.headers["etag"] == '"2"'
    failed = client.put(url, json={"status": "error", "error": "token expired"})
    assert failed.json()["data"]["last_error"] == "token expired"
    assert failed.json()["data"]["last_error_at"] is not None
    assert_problem(client.put(url, json={"status": "active"}, headers={"If-Match": '"1"'}), 412)
    assert_problem(client.put(url, json={"status": "broken"}), 422)
    assert_problem(
        client.put(f"{INTEGRATIONS}/{uuid.uuid4()}/status", json={"status": "active"}), 404
    )


def test_health(client: httpx.Client) -> None:
    integration = create(client)
    url = f"{INTEGRATIONS}/{integration['id']}/health"
    assert client.get(url).json()["data"]["health_status"] == "unknown"
    recorded = client.post(
        url, json={"health_status": "unhealthy", "error": "503", "duration_ms": 12}
    )
    assert recorded.status_code == 200, recorded.text
    state = recorded.json()["data"]
    assert state["health_status"] == "unhealthy" and state["last_health_check_at"] is not None
    assert state["last_error"] == "503"
    assert client.get(url).json()["data"] == state
    (event,) = list_all(client, f"{INTEGRATIONS}/{integration['id']}/events")
    assert (event["event_type"], event["status"], event["duration_ms"]) == (
        "health_check",
        "failure",
        12,
    )
    assert_problem(client.get(f"{INTEGRATIONS}/{uuid.uuid4()}/health"), 404)
    assert_problem(
        client.post(f"{INTEGRATIONS}/{uuid.uuid4()}/health", json={"health_status": "healthy"}), 404
    )


def test_events_update_usage(client: httpx.Client, db: psycopg.Connection) -> None:
    integration = create(client)
    base = f"{INTEGRATIONS}/{integration['id']}"
    task = db.execute("INSERT INTO tasks (title) VALUES ('t') RETURNING id").fetchone()
    assert task is not None
    sent = [
        {"event_type": "request", "duration_ms": 100, "http_status": 200, "task_id": str(task[0]),
         "request_data": {"q": 1}, "correlation_id": "c-1"},
        {"event_type": "request", "status": "failure", "duration_ms": 300, "http_status": 500,
         "error_message": "boom"},
        {"event_type": "webhook", "direction": "inbound"},
        {"event_type": "response", "response_data": [1, 2]},
    ]  # fmt: skip
    created = []
    for body in sent:
        response = client.post(f"{base}/events", json=body)
        assert response.status_code == 201, response.text
        created.append(response.json()["data"])
        assert client.get(response.headers["location"]).json()["data"] == created[-1]
    assert created[0]["request_data"] == {"q": 1} and created[3]["response_data"] == [1, 2]

    usage = client.get(f"{base}/usage").json()["data"]
    assert (usage["request_count"], usage["error_count"]) == (3, 1)
    assert usage["error_rate"] == pytest.approx(1 / 3)
    assert usage["events"] == 4 and usage["failed_events"] == 1
    assert usage["avg_duration_ms"] == 200.0
    assert usage["events_by_type"] == {"request": 2, "webhook": 1, "response": 1}
    later = client.get(f"{base}/usage", params={"from": "2999-01-01T00:00:00Z"}).json()["data"]
    assert later["events"] == 0 and later["events_by_type"] == {} and later["request_count"] == 3
    current = client.get(base).json()["data"]
    assert current["last_error"] == "boom" and current["last_used_at"] is not None

    ids = lambda **p: [e["id"] for e in list_all(client, f"{base}/events", limit=1, **p)]  # noqa: E731
    assert ids() == [e["id"] for e in reversed(created)]
    assert ids(event_type="request", status="failure") == [created[1]["id"]]
    assert ids(direction="inbound") == [created[2]["id"]]
    assert ids(correlation_id="c-1") == [created[0]["id"]] == ids(task_id=str(task[0]))


def test_event_errors(client: httpx.Client, db: psycopg.Connection) -> None:
    integration = create(client)
    base = f"{INTEGRATIONS}/{integration['id']}"
    missing = f"{INTEGRATIONS}/{uuid.uuid4()}"
    assert_problem(client.post(f"{missing}/events", json={"event_type": "request"}), 404)
    assert_problem(client.get(f"{missing}/events"), 404)
    assert_problem(client.get(f"{base}/events/{uuid.uuid4()}"), 404)
    assert_problem(client.get(f"{missing}/usage"), 404)
    bad_task = {"event_type": "request", "task_id": str(uuid.uuid4())}
    assert_problem(client.post(f"{base}/events", json=bad_task), 422, "unknown-reference")
    assert_problem(client.post(f"{base}/events", json={"event_type": "poke"}), 422)
    assert_problem(
        client.post(f"{base}/events", json={"event_type": "request", "http_status": 99}), 422
    )
    # a refused event changed no counter
    assert client.get(base).json()["data"]["request_count"] == 0
    event = client.post(f"{base}/events", json={"event_type": "sync"}).json()["data"]
    other = create(client)
    assert_problem(client.get(f"{INTEGRATIONS}/{other['id']}/events/{event['id']}"), 404)
    assert client.delete(base).status_code == 204
    assert count_rows(db, "integration_events", "id = %s", event["id"]) == 0  # cascade


def test_scopes(make_key: Any, origin: Any) -> None:
    _, reader = make_key(["workflows:read"])
    with httpx.Client(base_url=origin.url, timeout=10, headers={"X-API-Key": reader}) as http:
        assert http.get(INTEGRATIONS).status_code == 200
        assert_problem(http.post(INTEGRATIONS, json={"name": "x", "type": "github"}), 403)


def test_injection_corpus(client: httpx.Client, db: psycopg.Connection) -> None:
    tables = table_fingerprint(db)
    integration = create(client)
    base = f"{INTEGRATIONS}/{integration['id']}"
    for value in CORPUS:
        for name in ("name", "type", "status", "sort"):
            assert_clean(client.get(INTEGRATIONS, params={name: value}))
        for name in ("event_type", "correlation_id", "task_id", "from", "sort"):
            assert_clean(client.get(f"{base}/events", params={name: value}))
        assert_clean(client.get(f"{base}/usage", params={"to": value}))
        assert_clean(client.post(INTEGRATIONS, json={"name": value, "type": "custom"}))
        assert_clean(client.patch(base, json={"config": {value: value}}))
        assert_clean(client.put(f"{base}/status", json={"status": "error", "error": value}))
        for field in ("event_type", "error_message", "correlation_id", "direction"):
            assert_clean(client.post(f"{base}/events", json={"event_type": "sync", field: value}))
    assert table_fingerprint(db) == tables
