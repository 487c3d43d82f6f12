"""``POST /tasks/next/claim`` has a lean path (``api/hot_claim.py``) for its plain form, a body with a
``Content-Length``; the same body sent chunked (no ``Content-Length``) goes through the app's
router. Both must answer alike: status, body, the headers a client reads, refusals included, and
they share the Idempotency-Key records."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import msgspec
import psycopg

from tests.helpers import LEAN_COMPARED_HEADERS, altered_key, assert_problem, without_request_id
from tests.integration.graph.support import TASKS, new_project, new_task
from tests.integration.keys.helpers import wait_for

NEXT_CLAIM = f"{TASKS}/next/claim"
MakeKey = Callable[..., tuple[str, str]]
# The fields of a leased task that differ between two tasks claimed one after the other.
OWN_FIELDS = ("id", "title", "created_at", "updated_at", "lease_expires_at")


def _post(
    client: httpx.Client, body: bytes, headers: dict[str, str] | None, lean: bool
) -> httpx.Response:
    headers = {"Content-Type": "application/json"} | (headers or {})
    content: bytes | Iterator[bytes] = body if lean else iter([body])  # an iterator: chunked
    return client.post(NEXT_CLAIM, content=content, headers=headers)


def _both(
    client: httpx.Client, body: Any, headers: dict[str, str] | None = None
) -> tuple[httpx.Response, httpx.Response]:
    """The lean path's answer and the router's, to the same body (bytes are sent as they are)."""
    raw = body if isinstance(body, bytes) else msgspec.json.encode(body)
    return _post(client, raw, headers, True), _post(client, raw, headers, False)


def _alike_headers(lean: httpx.Response, routed: httpx.Response) -> None:
    assert lean.status_code == routed.status_code, (lean.text, routed.text)
    for name in LEAN_COMPARED_HEADERS:
        assert lean.headers.get(name) == routed.headers.get(name), name
    for response in (lean, routed):
        body = response.json()
        assert body.get("meta", body)["request_id"] == response.headers["x-request-id"]


def _assert_alike(lean: httpx.Response, routed: httpx.Response) -> None:
    _alike_headers(lean, routed)
    assert without_request_id(lean.json()) == without_request_id(routed.json())


def _shared(task: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in task.items() if k not in OWN_FIELDS}


def _as_read(client: httpx.Client, task: dict[str, Any]) -> None:
    """A leased task as answered is the task as GET reads it now, plus its lease token."""
    read = client.get(f"{TASKS}/{task['id']}")
    assert read.status_code == 200, read.text
    assert task == read.json()["data"] | {"lease_token": task["lease_token"]}


def _project_of(client: httpx.Client, tasks: int) -> str:
    project = new_project(client)
    for _ in range(tasks):
        wide = {"metadata": {"k": [1, "ü"], "n": 2.5}, "estimated_hours": 2.0, "tags": ["a"]}
        new_task(client, project, priority=5, **wide)
    return project


def test_a_claim_reads_alike_on_both_paths(client: httpx.Client) -> None:
    project = _project_of(client, 2)
    lean, routed = _both(client, {"agent": "lean-agent", "project_id": project})
    _alike_headers(lean, routed)
    assert lean.status_code == 200 and lean.headers["etag"] == '"2"'
    first, second = lean.json()["data"], routed.json()["data"]
    assert list(first) == list(second)  # the same fields, in the same order
    assert _shared(first) == _shared(second)
    assert first["lease_token"] == 1 and first["status"] == "in_progress"
    for task in (first, second):
        _as_read(client, task)


def test_a_batch_claim_reads_alike_on_both_paths(client: httpx.Client) -> None:
    project = _project_of(client, 7)
    lean, routed = _both(client, {"agent": "batch", "project_id": project, "count": 3})
    _alike_headers(lean, routed)
    assert lean.status_code == 200 and "etag" not in lean.headers
    first, second = lean.json()["data"], routed.json()["data"]
    assert len(first) == len(second) == 3
    assert [_shared(t) for t in first] == [_shared(t) for t in second]
    created = [t["created_at"] for t in first + second]
    assert created == sorted(created)  # best first: same priority, oldest first
    for task in first + second:
        _as_read(client, task)
    # At the end of the queue: the lean path leases what is left, then the router finds none.
    lean, routed = _both(client, {"agent": "batch", "project_id": project, "count": 3})
    assert lean.status_code == 200 and len(lean.json()["data"]) == 1
    assert_problem(routed, 404, "no-ready-task")


def test_refusals_read_alike_on_both_paths(
    anonymous_client: httpx.Client, make_key: MakeKey, client: httpx.Client
) -> None:
    project = _project_of(client, 1)
    _, writer = make_key(["tasks:write"])
    _, reader = make_key(["tasks:read"])
    _, elsewhere = make_key(["tasks:write"], allowed_projects=[uuid.uuid4()])
    empty = new_project(client)
    body = {"agent": "refused", "project_id": project}
    as_writer = {"Authorization": f"Bearer {writer}"}
    cases: list[tuple[Any, dict[str, str], int, str]] = [
        (body, {}, 401, "missing-api-key"),
        (body, {"Authorization": f"Bearer {altered_key(writer)}"}, 401, ""),
        (body, {"Authorization": f"Bearer {reader}"}, 403, "insufficient-scope"),
        (body, {"Authorization": f"Bearer {elsewhere}"}, 404, "no-ready-task"),  # tenancy
        ({"agent": "a", "project_id": empty}, as_writer, 404, "no-ready-task"),
        ({"agent": ""}, as_writer, 422, "validation-failed"),
        (body | {"count": 0}, as_writer, 422, "validation-failed"),
        (body | {"count": 101}, as_writer, 422, "validation-failed"),
        (body | {"count": "2"}, as_writer, 422, "validation-failed"),  # strict: no coercion
        (body | {"ttl_seconds": 0}, as_writer, 422, "validation-failed"),
        (body | {"colour": "red"}, as_writer, 422, "validation-failed"),
        ({"agent": "a\u0000b"}, as_writer, 422, "validation-failed"),
        ([1, 2], as_writer, 422, "validation-failed"),
        (b'{"agent": "a", ', as_writer, 400, ""),  # not JSON
        (body, as_writer | {"Idempotency-Key": "k" * 256}, 400, "invalid-idempotency-key"),
    ]
    for sent, headers, status, code in cases:
        lean, routed = _both(anonymous_client, sent, headers)
        assert_problem(lean, status, code or None)
        _assert_alike(lean, routed)


def test_other_forms_get_the_apps_own_refusals(client: httpx.Client) -> None:
    """Not its plain form: the app's own refusals (the lean path declines these requests)."""
    body = {"agent": "a", "project_id": new_project(client)}
    assert_problem(client.post(NEXT_CLAIM, content=b"agent=a"), 415, "unsupported-media-type")
    response = client.post(NEXT_CLAIM, params={"dry": "1"}, json=body)
    assert_problem(response, 400, "unknown-parameter")


def test_both_paths_share_idempotency_records(client: httpx.Client) -> None:
    project = _project_of(client, 3)
    body = msgspec.json.encode({"agent": "retrying", "project_id": project})
    for lean_first in (True, False):
        key = {"Idempotency-Key": f"claim-{uuid.uuid4()}"}
        first = _post(client, body, key, lean_first)
        again = _post(client, body, key, not lean_first)
        assert first.status_code == again.status_code == 200, first.text
        assert again.headers["idempotent-replayed"] == "true"
        assert again.json() == first.json()  # the first answer, request id included
        assert again.headers["etag"] == first.headers["etag"]
        other = msgspec.json.encode({"agent": "someone else", "project_id": project})
        assert_problem(_post(client, other, key, lean_first), 422, "idempotency-key-reused")
    # Two claims answered, one task left for a third.
    rest = _post(client, body, None, True)
    assert rest.status_code == 200
    assert_problem(_post(client, body, None, True), 404, "no-ready-task")


def test_a_lean_claim_is_logged_and_stamped(client: httpx.Client, db: psycopg.Connection) -> None:
    project = _project_of(client, 1)
    request_id = f"lean-claim-{uuid.uuid4().hex[:12]}"
    body = msgspec.json.encode({"agent": "stamped", "project_id": project})
    response = _post(client, body, {"X-Request-Id": request_id}, True)
    assert response.status_code == 200, response.text
    assert response.headers["x-request-id"] == request_id
    assert response.json()["meta"]["request_id"] == request_id

    def logged() -> tuple | None:
        return db.execute(
            "SELECT method, path, status_code, api_key_id IS NOT NULL FROM api_access_logs"
            " WHERE request_id = %s",
            (request_id,),
        ).fetchone()

    assert wait_for(logged) == ("POST", NEXT_CLAIM, 200, True)
    stamped = db.execute(
        "SELECT count(*) FROM audit_logs WHERE request_id = %s AND actor_key_id IS NOT NULL",
        (request_id,),
    ).fetchone()
    assert stamped is not None and stamped[0] >= 1
