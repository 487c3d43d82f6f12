"""Every route that writes tasks or dependency edges stamps its audit rows with the acting key and
the request id: each write runs in the request session's audited transaction (``db/session.py``),
whichever service (tasks, task graph) makes it."""

from __future__ import annotations

from typing import Any

import httpx
import psycopg

from tests.helpers import unique
from tests.integration.graph.support import TASKS, new_project, new_task

DONE = {"status": "completed"}


def _stamped(
    client: httpx.Client, db: psycopg.Connection, method: str, path: str, **kwargs: Any
) -> httpx.Response:
    """Send one request under a fresh request id; every audit row it caused names the key."""
    request_id = unique("stamp-")
    headers = {"X-Request-Id": request_id, **kwargs.pop("headers", {})}
    response = client.request(method, path, headers=headers, **kwargs)
    assert response.status_code < 300, (method, path, response.text)
    rows = db.execute(
        "SELECT table_name, actor_key_id FROM audit_logs WHERE request_id = %s", (request_id,)
    ).fetchall()
    assert rows, f"{method} {path} left no audit row"
    assert all(key is not None for _, key in rows), (method, path, rows)
    return response


def test_every_task_and_graph_write_names_the_key(
    client: httpx.Client, db: psycopg.Connection
) -> None:
    project = new_project(client)
    created = _stamped(client, db, "POST", TASKS, json={"title": "t", "project_id": project})
    task = created.json()["data"]["id"]
    other = new_task(client, project)
    one = f"{TASKS}/{task}"
    _stamped(client, db, "PUT", one, json={"title": "t2", "project_id": project})
    _stamped(client, db, "PATCH", one, json={"priority": 7})
    _stamped(client, db, "PATCH", f"{one}/status", json={"status": "pending", "note": "n"})
    _stamped(client, db, "POST", f"{one}/subtasks", json={"title": "child"})
    _stamped(client, db, "POST", f"{one}/subtasks/batch", json={"tasks": [{"title": "c2"}]})
    related = {"depends_on_task_id": other, "dependency_type": "related"}
    edge = _stamped(client, db, "POST", f"{one}/dependencies", json=related).json()["data"]
    _stamped(client, db, "DELETE", f"{one}/dependencies/{edge['id']}")
    _stamped(client, db, "POST", f"{TASKS}/{other}/dependencies", json={"depends_on_task_id": task})
    _stamped(client, db, "POST", f"{one}/claim", json={"agent": "agent-a"})
    _stamped(client, db, "POST", f"{one}/heartbeat", json={"agent": "agent-a"})
    _stamped(client, db, "POST", f"{one}/release", json={"agent": "agent-a"})
    claim = {"agent": "b", "project_id": project}
    leased = _stamped(client, db, "POST", f"{TASKS}/next/claim", json=claim).json()["data"]
    fence = {"X-Lease-Token": str(leased["lease_token"])}
    _stamped(client, db, "PATCH", f"{TASKS}/{leased['id']}/status", json=DONE, headers=fence)
    _stamped(client, db, "POST", f"{TASKS}/next/claim", json=claim | {"count": 2})
    _stamped(client, db, "DELETE", f"{TASKS}/{new_task(client, project)}")
