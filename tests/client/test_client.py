"""The Python client (clients/python) against the real session origin, and against a local server
that answers 429 / 503 to prove the retries."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from taskmaster_client import (
    AsyncClient,
    Client,
    Conflict,
    Forbidden,
    NotFound,
    RateLimited,
    RetryPolicy,
    ServiceUnavailable,
    TransportError,
    Unauthorized,
    ValidationFailed,
)
from taskmaster_client.models import Project, Task

from tests.conftest import OriginProcess
from tests.helpers import unique


@pytest.fixture
def tm(origin: OriginProcess, admin_key: str) -> Iterator[Client]:
    with Client(origin.url, admin_key) as client:
        yield client


# ---- against the real origin ----------------------------------------------------------------


def test_list_iterates_across_pages(tm: Client) -> None:
    tag = unique("page")
    created = {tm.tasks.create(title=f"paged {i}", tags=[tag]).id for i in range(5)}
    first = tm.tasks.page(tag=tag, limit=2)
    assert len(first.data) == 2 and first.pagination.has_more and first.pagination.next_cursor
    seen = list(tm.tasks.list(tag=tag, limit=2, sort="created_at"))
    assert all(isinstance(t, Task) for t in seen)
    assert {t.id for t in seen} == created and len(seen) == 5


def test_crud_round_trip_with_typed_models(tm: Client) -> None:
    slug = unique("cli-")
    project = tm.projects.create(name="Client project", slug=slug)
    assert isinstance(project, Project) and project.slug == slug
    task = tm.tasks.create(title="typed", project_id=project.id, priority=8)
    assert task.project_id == project.id and task.priority == 8 and task.status == "pending"
    updated = tm.tasks.update(task.id, if_match=task.version, title="typed, renamed")
    assert updated.title == "typed, renamed" and updated.version == task.version + 1
    done = tm.tasks.set_status(task.id, "completed")
    assert done.status == "completed" and done.completed_at is not None
    tm.tasks.delete(task.id)
    with pytest.raises(NotFound):
        tm.tasks.get(task.id)


def test_problems_are_raised_as_typed_errors(
    tm: Client, origin: OriginProcess, make_key: Callable[..., tuple[str, str]]
) -> None:
    with pytest.raises(NotFound) as missing:
        tm.tasks.get(uuid.uuid4())
    assert missing.value.status == 404 and missing.value.code == "not-found"
    assert missing.value.request_id

    with pytest.raises(ValidationFailed) as invalid:
        tm.tasks.create(title="bad", priority=99)
    assert invalid.value.status == 422 and invalid.value.errors

    slug = unique("dup-")
    tm.projects.create(name="one", slug=slug)
    with pytest.raises(Conflict) as duplicate:
        tm.projects.create(name="two", slug=slug)
    assert duplicate.value.code == "duplicate-slug"

    task = tm.tasks.create(title="versioned")
    with pytest.raises(Exception) as stale:
        tm.tasks.update(task.id, if_match=task.version + 5, title="x")
    assert getattr(stale.value, "status", None) == 412

    _, reader = make_key(["tasks:read"])
    with Client(origin.url, reader) as read_only, pytest.raises(Forbidden) as forbidden:
        read_only.tasks.create(title="nope")
    assert forbidden.value.code == "insufficient-scope"
    with Client(origin.url, "ctm_not_a_real_key") as nobody, pytest.raises(Unauthorized):
        nobody.tasks.page()


def test_create_is_idempotent_under_one_key(tm: Client) -> None:
    key = str(uuid.uuid4())
    slug = unique("idem-")
    first = tm.projects.create(name="idempotent", slug=slug, idempotency_key=key)
    again = tm.projects.create(name="idempotent", slug=slug, idempotency_key=key)
    assert again.id == first.id  # the first answer replayed, not a 409 duplicate slug
    with pytest.raises(ValidationFailed) as reused:
        tm.projects.create(name="other body", slug=slug, idempotency_key=key)
    assert reused.value.code == "idempotency-key-reused"


async def test_async_client_creates_and_iterates(origin: OriginProcess, admin_key: str) -> None:
    tag = unique("async")
    async with AsyncClient(origin.url, admin_key) as tm:
        ids = {(await tm.tasks.create(title=f"async {i}", tags=[tag])).id for i in range(3)}
        seen = [t.id async for t in tm.tasks.list(tag=tag, limit=2)]
        assert set(seen) == ids and len(seen) == 3
        with pytest.raises(NotFound):
            await tm.projects.get(uuid.uuid4())


# ---- retries against a scripted local server ---------------------------------------------------

TASK_JSON = {
    "id": "6f1c1d1e-9a43-4a55-8f2e-0c7b3c0e5a11",
    "title": "from the stub",
    "status": "pending",
    "version": 1,
}


class Scripted:
    """Answers each request with the next scripted (status, headers, body); records requests."""

    def __init__(self, script: list[tuple[int, dict[str, str], Any]]) -> None:
        self.script = list(script)
        self.requests: list[dict[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                outer.requests.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": self.rfile.read(length) if length else b"",
                    }
                )
                status, headers, body = outer.script.pop(0) if outer.script else (500, {}, {})
                payload = json.dumps(body).encode()
                self.send_response(status)
                content_type = "application/problem+json" if status >= 400 else "application/json"
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def problem(status: int, code: str) -> dict[str, Any]:
    return {
        "type": f"/problems/{code}",
        "title": "Too many requests" if status == 429 else "Service unavailable",
        "status": status,
        "detail": "slow down",
        "request_id": "req-1",
    }


@pytest.fixture
def scripted() -> Iterator[Callable[[list[tuple[int, dict[str, str], Any]]], Scripted]]:
    servers: list[Scripted] = []

    def make(script: list[tuple[int, dict[str, str], Any]]) -> Scripted:
        servers.append(Scripted(script))
        return servers[-1]

    yield make
    for server in servers:
        server.close()


def test_429_with_retry_after_is_retried_after_that_wait(scripted: Any) -> None:
    server = scripted(
        [
            (429, {"Retry-After": "2"}, problem(429, "rate-limited")),
            (201, {}, {"data": TASK_JSON, "meta": {"request_id": "req-2"}}),
        ]
    )
    waits: list[float] = []
    with Client(server.url, "ctm_test", sleep=waits.append) as tm:
        task = tm.tasks.create(title="from the stub")
    assert task.title == "from the stub"
    assert waits == [2.0]  # exactly what Retry-After said
    assert len(server.requests) == 2
    first, second = (r["headers"] for r in server.requests)
    # Both attempts carry the same Idempotency-Key (a uuid4): the retry cannot create twice.
    assert first["idempotency-key"] == second["idempotency-key"]
    assert uuid.UUID(first["idempotency-key"]).version == 4
    assert first["authorization"] == "Bearer ctm_test"


def test_429_for_real_waits_and_succeeds(scripted: Any) -> None:
    server = scripted(
        [
            (429, {"Retry-After": "1"}, problem(429, "rate-limited")),
            (200, {}, {"data": TASK_JSON, "meta": {"request_id": "r"}}),
        ]
    )
    with Client(server.url, "ctm_test") as tm:  # the real sleep
        assert tm.tasks.get(TASK_JSON["id"]).title == "from the stub"
    assert len(server.requests) == 2


async def test_async_client_honours_retry_after(scripted: Any) -> None:
    server = scripted(
        [
            (503, {"Retry-After": "3"}, problem(503, "database-unavailable")),
            (429, {"Retry-After": "1"}, problem(429, "rate-limited")),
            (200, {}, {"data": TASK_JSON, "meta": {"request_id": "r"}}),
        ]
    )
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async with AsyncClient(server.url, "ctm_test", sleep=sleep) as tm:
        task = await tm.tasks.get(TASK_JSON["id"])
    assert task.id == uuid.UUID(TASK_JSON["id"]) and waits == [3.0, 1.0]


def test_a_retry_after_beyond_the_bound_is_raised_not_waited(scripted: Any) -> None:
    server = scripted([(429, {"Retry-After": "3600"}, problem(429, "rate-limited"))])
    waits: list[float] = []
    with (
        Client(server.url, "ctm_test", sleep=waits.append) as tm,
        pytest.raises(RateLimited) as exc,
    ):
        tm.tasks.page()
    assert exc.value.retry_after == 3600 and exc.value.code == "rate-limited"
    assert waits == [] and len(server.requests) == 1


def test_retries_are_bounded_then_the_error_is_raised(scripted: Any) -> None:
    server = scripted([(503, {}, problem(503, "database-unavailable"))] * 10)
    waits: list[float] = []
    policy = RetryPolicy(max_retries=2, backoff_base=0.1, backoff_max=1.0)
    tm = Client(server.url, "k", retry=policy, sleep=waits.append)
    with tm, pytest.raises(ServiceUnavailable) as exc:
        tm.deployments.page()
    assert exc.value.request_id == "req-1"
    assert len(server.requests) == 3 and len(waits) == 2  # 1 try + 2 retries
    assert all(0 < w <= 1.0 for w in waits)


def test_no_answer_is_a_transport_error() -> None:
    tm = Client("http://127.0.0.1:9", "k", retry=RetryPolicy(max_retries=1), sleep=lambda s: None)
    with tm, pytest.raises(TransportError):
        tm.tasks.page()
