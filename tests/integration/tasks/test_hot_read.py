"""``GET /tasks/{id}`` has a lean path (``api/hot.py``) for its plain form, the canonical lower-case
id; any other spelling of the same id (upper case) goes through the app's router. Both must answer
alike, refusals included: status, problem body, the headers a client reads, the access log."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx
import psycopg
import pytest

from tests.helpers import LEAN_COMPARED_HEADERS, altered_key, unique, without_request_id
from tests.integration.keys.helpers import wait_for
from tests.integration.operations import prometheus

TASKS = "/api/v1/tasks"
MakeKey = Callable[..., tuple[str, str]]


def _both(
    client: httpx.Client, task_id: str, headers: dict[str, str] | None = None
) -> tuple[httpx.Response, httpx.Response]:
    """The lean path's answer (canonical id) and the router's (the same id in upper case)."""
    lean = client.get(f"{TASKS}/{task_id.lower()}", headers=headers)
    routed = client.get(f"{TASKS}/{task_id.upper()}", headers=headers)
    return lean, routed


def _assert_alike(lean: httpx.Response, routed: httpx.Response) -> None:
    assert lean.status_code == routed.status_code, (lean.text, routed.text)
    for name in LEAN_COMPARED_HEADERS:
        assert lean.headers.get(name) == routed.headers.get(name), name
    assert lean.headers["x-request-id"] and routed.headers["x-request-id"]
    if routed.content:
        assert without_request_id(lean.json()) == without_request_id(routed.json())
        assert (
            lean.json().get("meta", lean.json()).get("request_id") == lean.headers["x-request-id"]
        )
    else:
        assert lean.content == b""


@pytest.fixture
def task_id(client: httpx.Client) -> str:
    created = client.post(TASKS, json={"title": unique("hot read"), "metadata": {"k": [1, "ü"]}})
    assert created.status_code == 201, created.text
    return created.json()["data"]["id"]


def test_a_task_reads_alike_on_both_paths(client: httpx.Client, task_id: str) -> None:
    lean, routed = _both(client, task_id)
    assert lean.status_code == 200
    assert lean.json()["data"]["id"] == task_id
    _assert_alike(lean, routed)
    not_modified = _both(client, task_id, {"If-None-Match": lean.headers["etag"]})
    assert not_modified[0].status_code == 304
    _assert_alike(*not_modified)


def test_refusals_read_alike_on_both_paths(
    anonymous_client: httpx.Client, make_key: MakeKey, task_id: str
) -> None:
    _, reader = make_key(["tasks:read"])
    _, other_scope = make_key(["logs:read"])
    _, elsewhere = make_key(["tasks:read"], allowed_projects=[uuid.uuid4()])
    cases = [
        (task_id, {}, 401),  # no key
        (task_id, {"Authorization": "Basic abc"}, 401),
        (task_id, {"Authorization": f"Bearer {altered_key(reader)}"}, 401),
        (task_id, {"Authorization": f"Bearer {other_scope}"}, 403),
        (task_id, {"Authorization": f"Bearer {elsewhere}"}, 404),  # tenancy: not its project
        (str(uuid.uuid4()), {"Authorization": f"Bearer {reader}"}, 404),
    ]
    for an_id, headers, status in cases:
        lean, routed = _both(anonymous_client, an_id, headers)
        assert lean.status_code == status, (headers, lean.text)
        assert lean.headers["content-type"].startswith("application/problem+json")
        _assert_alike(lean, routed)


def _served(client: httpx.Client) -> float:
    """``GET /api/v1/tasks/{task_id}`` answered 200, as /metrics counts them."""
    response = client.get("/metrics")
    assert response.status_code == 200, response.text
    labels = {"method": "GET", "route": "/api/v1/tasks/{task_id}", "status": "200"}
    return prometheus.value(
        prometheus.parse(response.text), "taskmaster_http_requests_total", **labels
    )


def test_the_lean_path_is_logged_and_counted(
    client: httpx.Client, task_id: str, db: psycopg.Connection
) -> None:
    before = _served(client)
    request_id = f"hot-read-{uuid.uuid4().hex[:12]}"
    response = client.get(f"{TASKS}/{task_id}", headers={"X-Request-Id": request_id})
    assert response.headers["x-request-id"] == request_id
    assert response.json()["meta"]["request_id"] == request_id
    assert client.get(f"{TASKS}/{task_id.upper()}").status_code == 200
    assert _served(client) - before == 2  # under the route's template, whichever path served it

    def logged() -> tuple | None:
        return db.execute(
            "SELECT method, path, status_code, api_key_id IS NOT NULL FROM api_access_logs"
            " WHERE request_id = %s",
            (request_id,),
        ).fetchone()

    assert wait_for(logged) == ("GET", f"{TASKS}/{task_id}", 200, True)
