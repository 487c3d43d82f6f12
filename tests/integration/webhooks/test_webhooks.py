"""Webhooks in, over real HTTP and PostgreSQL: signatures (good, bad, duplicate), asynchronous
mapping onto tasks, retries with backoff and the dead letter."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from taskmaster.db.pool import ConnectionPool
from taskmaster.settings import WebhookSettings
from taskmaster.webhooks.service import process_due
from taskmaster.webhooks.signatures import sign_github, sign_linear

from tests.conftest import OriginProcess, PgServer, issue_key, start_origin
from tests.helpers import assert_problem, count_rows

GITHUB_SECRET = "test-github-webhook-secret"
LINEAR_SECRET = "test-linear-webhook-secret"


@pytest.fixture(scope="module")
def hook_db(pg_server: PgServer, migrated_template: str) -> Iterator[str]:
    name = pg_server.create_database(template=migrated_template)
    yield pg_server.url(name)
    pg_server.drop_database(name)


@pytest.fixture(scope="module")
def hook_origin(hook_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[OriginProcess]:
    process = start_origin(
        hook_db,
        tmp_path_factory.mktemp("hooks") / "origin.log",
        GITHUB_WEBHOOK_SECRET=GITHUB_SECRET,
        LINEAR_WEBHOOK_SECRET=LINEAR_SECRET,
        WEBHOOK_POLL_INTERVAL_S="0.1",
        WEBHOOK_RETRY_BASE_S="0.1",
    )
    yield process
    process.stop()


@pytest.fixture
def http(hook_origin: OriginProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=hook_origin.url, timeout=10) as client:
        yield client


@pytest.fixture
def admin(hook_origin: OriginProcess, hook_db: str) -> Iterator[httpx.Client]:
    _, key = issue_key(hook_db, ["admin"])
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=hook_origin.url, timeout=10, headers=headers) as client:
        yield client


@pytest.fixture
def hook_conn(hook_db: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(hook_db, autocommit=True) as conn:
        yield conn


def post_github(
    http: httpx.Client,
    payload: dict[str, Any],
    *,
    event: str = "pull_request",
    delivery: str | None = None,
    secret: str = GITHUB_SECRET,
    signature: str | None = None,
) -> httpx.Response:
    body = json.dumps(payload).encode()
    headers = {
        "Content-Type": "application/json",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
        "X-Hub-Signature-256": signature or sign_github(secret, body),
    }
    return http.post("/api/v1/webhooks/github", content=body, headers=headers)


def pr_payload(
    action: str, number: int, branch: str, *, merged: bool = False, body: str = ""
) -> dict[str, Any]:
    closed = action == "closed"
    return {
        "action": action,
        "number": number,
        "repository": {"full_name": "acme/widgets"},
        "pull_request": {
            "number": number,
            "html_url": f"https://github.com/acme/widgets/pull/{number}",
            "title": f"PR {number}",
            "body": body,
            "state": "closed" if closed else "open",
            "draft": False,
            "merged": merged,
            "merged_at": "2026-11-20T10:00:00Z" if merged else None,
            "closed_at": "2026-11-20T10:00:00Z" if closed else None,
            "merged_by": {"login": "octocat"} if merged else None,
            "merge_commit_sha": "0123456789abcdef0123456789abcdef01234567" if merged else None,
            "user": {"login": "dev"},
            "head": {"ref": branch, "sha": "abcdef0123456789abcdef0123456789abcdef01"},
            "base": {"ref": "main"},
            "labels": [{"name": "feature"}],
            "additions": 10,
            "deletions": 2,
            "changed_files": 3,
        },
    }


def wait_for(check: Callable[[], Any], what: str, timeout: float = 20.0) -> Any:
    """Poll until ``check()`` is truthy (the background loop is asynchronous); no timing assert."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def event_row(conn: psycopg.Connection, provider: str, delivery: str) -> dict[str, Any] | None:
    cur = conn.execute(
        "SELECT id, status, processing_attempts, signature_valid, task_id, pull_request_id,"
        " last_error, event_type, action FROM webhook_events"
        " WHERE provider = %s AND delivery_id = %s",
        (provider, delivery),
    )
    row = cur.fetchone()
    if row is None:
        return None
    names = [c.name for c in cur.description or []]
    return dict(zip(names, row, strict=True))


# ---- signatures and dedupe ----------------------------------------------------------------------


def test_github_good_signature_is_stored_and_a_redelivery_is_a_duplicate(
    http: httpx.Client, hook_conn: psycopg.Connection
) -> None:
    delivery = str(uuid.uuid4())
    payload = {"zen": "Keep it logically awesome.", "hook_id": 1}
    first = post_github(http, payload, event="ping", delivery=delivery)
    assert first.status_code == 202, first.text
    receipt = first.json()["data"]
    assert receipt["duplicate"] is False and receipt["status"] == "pending"
    assert receipt["delivery_id"] == delivery and receipt["provider"] == "github"
    assert first.json()["meta"]["request_id"] == first.headers["x-request-id"]

    again = post_github(http, payload, event="ping", delivery=delivery)
    assert again.status_code == 200, again.text
    assert again.json()["data"]["id"] == receipt["id"]
    assert again.json()["data"]["duplicate"] is True
    assert count_rows(hook_conn, "webhook_events", "delivery_id = %s", delivery) == 1

    row = event_row(hook_conn, "github", delivery)
    assert row is not None and row["signature_valid"] is True and row["event_type"] == "ping"
    # An event no mapper handles is skipped by the processor.
    wait_for(
        lambda: (event_row(hook_conn, "github", delivery) or {}).get("status") == "skipped",
        "the ping to be skipped",
    )


@pytest.mark.parametrize(
    "signature",
    [
        None,  # computed below with the wrong secret
        "sha256=" + "0" * 64,
        "sha1=abc",
        "",
    ],
)
def test_github_bad_signature_is_401_and_stores_nothing(
    http: httpx.Client, hook_conn: psycopg.Connection, signature: str | None
) -> None:
    delivery = str(uuid.uuid4())
    payload = pr_payload("opened", 1, "main")
    if signature is None:
        response = post_github(http, payload, delivery=delivery, secret="not-the-secret")
    else:
        body = json.dumps(payload).encode()
        headers = {
            "Content-Type": "application/json",
            "X-GitHub-Event": "pull_request",
            "X-GitHub-Delivery": delivery,
        }
        if signature:
            headers["X-Hub-Signature-256"] = signature
        response = http.post("/api/v1/webhooks/github", content=body, headers=headers)
    assert_problem(response, 401, "invalid-webhook-signature")
    assert count_rows(hook_conn, "webhook_events", "delivery_id = %s", delivery) == 0


def test_a_signature_over_another_body_is_refused(
    http: httpx.Client, hook_conn: psycopg.Connection
) -> None:
    delivery = str(uuid.uuid4())
    signed = json.dumps({"action": "opened"}).encode()
    sent = json.dumps({"action": "closed"}).encode()
    response = http.post(
        "/api/v1/webhooks/github",
        content=sent,
        headers={
            "X-GitHub-Event": "pull_request",
            "X-GitHub-Delivery": delivery,
            "X-Hub-Signature-256": sign_github(GITHUB_SECRET, signed),
        },
    )
    assert_problem(response, 401, "invalid-webhook-signature")
    assert count_rows(hook_conn, "webhook_events", "delivery_id = %s", delivery) == 0


def test_signed_but_not_json_is_400_and_stores_nothing(
    http: httpx.Client, hook_conn: psycopg.Connection
) -> None:
    delivery = str(uuid.uuid4())
    body = b"payload=not-json"
    response = http.post(
        "/api/v1/webhooks/github",
        content=body,
        headers={
            "X-GitHub-Event": "push",
            "X-GitHub-Delivery": delivery,
            "X-Hub-Signature-256": sign_github(GITHUB_SECRET, body),
        },
    )
    assert_problem(response, 400, "malformed-body")
    assert count_rows(hook_conn, "webhook_events", "delivery_id = %s", delivery) == 0


def test_receivers_need_no_api_key_but_other_routes_still_do(http: httpx.Client) -> None:
    assert_problem(http.get("/api/v1/tasks"), 401, "missing-api-key")
    assert_problem(http.get("/api/v1/subscriptions"), 401, "missing-api-key")


def linear_body(issue_id: str, title: str, state_type: str, **extra: Any) -> dict[str, Any]:
    return {
        "action": "update",
        "type": "Issue",
        "data": {
            "id": issue_id,
            "identifier": "ENG-" + issue_id[:4],
            "title": title,
            "state": {"name": state_type.title(), "type": state_type},
        },
        "url": "https://linear.app/acme/issue/ENG-1",
        "webhookId": "hook-" + issue_id,
        "webhookTimestamp": 1763632800000,
        **extra,
    }


def post_linear(
    http: httpx.Client,
    payload: dict[str, Any],
    *,
    delivery: str | None = None,
    secret: str = LINEAR_SECRET,
) -> httpx.Response:
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json", "Linear-Signature": sign_linear(secret, body)}
    if delivery is not None:
        headers["Linear-Delivery"] = delivery
    return http.post("/api/v1/webhooks/linear", content=body, headers=headers)


def test_linear_signature_good_bad_and_duplicate(
    http: httpx.Client, hook_conn: psycopg.Connection
) -> None:
    issue = str(uuid.uuid4())
    payload = linear_body(issue, "Nothing links this", "started")
    # Without a Linear-Delivery header the delivery id is webhookId:webhookTimestamp.
    first = post_linear(http, payload)
    assert first.status_code == 202, first.text
    delivery = f"hook-{issue}:1763632800000"
    assert first.json()["data"]["delivery_id"] == delivery
    again = post_linear(http, payload)
    assert again.status_code == 200 and again.json()["data"]["id"] == first.json()["data"]["id"]
    assert count_rows(hook_conn, "webhook_events", "delivery_id = %s", delivery) == 1

    header_delivery = str(uuid.uuid4())
    bad = post_linear(http, payload, delivery=header_delivery, secret="wrong")
    assert_problem(bad, 401, "invalid-webhook-signature")
    assert count_rows(hook_conn, "webhook_events", "delivery_id = %s", header_delivery) == 0
    # No task has this issue id: the event is skipped, not retried.
    wait_for(
        lambda: (event_row(hook_conn, "linear", delivery) or {}).get("status") == "skipped",
        "the unlinked Linear event to be skipped",
    )


# ---- mapping onto tasks --------------------------------------------------------------------------


def test_pr_opened_then_merged_moves_the_linked_task_to_review_then_completed(
    http: httpx.Client, admin: httpx.Client, hook_conn: psycopg.Connection
) -> None:
    created = admin.post(
        "/api/v1/tasks", json={"title": "ship the widget", "status": "in_progress"}
    )
    assert created.status_code == 201, created.text
    task_id = created.json()["data"]["id"]
    number = int(uuid.uuid4().int % 1_000_000) + 1
    branch = f"feature/TM-{task_id}-widget"

    opened = post_github(http, pr_payload("opened", number, branch))
    assert opened.status_code == 202
    opened_delivery = opened.json()["data"]["delivery_id"]

    def task() -> dict[str, Any]:
        return admin.get(f"/api/v1/tasks/{task_id}").json()["data"]

    wait_for(lambda: task()["status"] == "review", "the task to move to review")
    assert task()["github_pr_url"] == f"https://github.com/acme/widgets/pull/{number}"
    row = event_row(hook_conn, "github", opened_delivery)
    assert row is not None and row["status"] == "processed" and str(row["task_id"]) == task_id
    assert row["pull_request_id"] is not None

    # The merge event names no task: the PR row (and github_pr_url) link it.
    merged = post_github(http, pr_payload("closed", number, "renamed-branch", merged=True))
    assert merged.status_code == 202
    wait_for(lambda: task()["status"] == "completed", "the task to complete")
    assert task()["completed_at"] is not None
    pr = hook_conn.execute(
        "SELECT status, task_id, merged_by, merged_at IS NOT NULL, merge_commit_sha"
        " FROM pull_requests WHERE repository = 'acme/widgets' AND pr_number = %s",
        (number,),
    ).fetchone()
    assert pr is not None
    assert pr[0] == "merged" and str(pr[1]) == task_id and pr[2] == "octocat" and pr[3]
    assert pr[4] == "0123456789abcdef0123456789abcdef01234567"


def test_pr_body_reference_links_the_task(
    http: httpx.Client, admin: httpx.Client, hook_conn: psycopg.Connection
) -> None:
    task_id = admin.post("/api/v1/tasks", json={"title": "body ref"}).json()["data"]["id"]
    number = int(uuid.uuid4().int % 1_000_000) + 1
    payload = pr_payload("opened", number, "some-branch", body=f"Implements TM-{task_id}.")
    delivery = post_github(http, payload).json()["data"]["delivery_id"]
    row = wait_for(
        lambda: (
            (r := event_row(hook_conn, "github", delivery)) and r["status"] == "processed" and r
        ),
        "the event to be processed",
    )
    assert str(row["task_id"]) == task_id
    data = admin.get(f"/api/v1/tasks/{task_id}").json()["data"]
    assert data["status"] == "review"


def test_linear_issue_update_changes_the_linked_task(
    http: httpx.Client, admin: httpx.Client
) -> None:
    issue = str(uuid.uuid4())
    created = admin.post(
        "/api/v1/tasks", json={"title": "old title", "linear_issue_id": issue}
    ).json()["data"]
    response = post_linear(
        http, linear_body(issue, "New title from Linear", "started"), delivery=str(uuid.uuid4())
    )
    assert response.status_code == 202

    def task() -> dict[str, Any]:
        return admin.get(f"/api/v1/tasks/{created['id']}").json()["data"]

    wait_for(lambda: task()["status"] == "in_progress", "the task to follow the Linear state")
    assert task()["title"] == "New title from Linear"

    post_linear(
        http, linear_body(issue, "New title from Linear", "completed"), delivery="d-" + issue
    )
    wait_for(lambda: task()["status"] == "completed", "the task to complete from Linear")


# ---- retries, backoff, dead letter (the processing function, in-process) -------------------------


def insert_event(conn: psycopg.Connection, payload: dict[str, Any], max_attempts: int) -> str:
    row = conn.execute(
        "INSERT INTO webhook_events (provider, delivery_id, event_type, action, payload,"
        " signature_valid, max_processing_attempts)"
        " VALUES ('github', %s, 'pull_request', %s, %s, true, %s) RETURNING id",
        (str(uuid.uuid4()), payload["action"], json.dumps(payload), max_attempts),
    ).fetchone()
    assert row is not None
    return str(row[0])


def status_of(conn: psycopg.Connection, event_id: str) -> tuple[Any, ...]:
    row = conn.execute(
        "SELECT status, processing_attempts, next_retry_at, last_error, processed_at,"
        " next_retry_at > now() + interval '30 seconds'"
        " FROM webhook_events WHERE id = %s",
        (event_id,),
    ).fetchone()
    assert row is not None
    return tuple(row)


async def test_an_unknown_task_is_retried_with_backoff_then_dead_lettered(fresh_db: str) -> None:
    missing = uuid.uuid4()
    payload = pr_payload("opened", 7, f"TM-{missing}")
    with psycopg.connect(fresh_db, autocommit=True) as conn:
        event_id = insert_event(conn, payload, max_attempts=3)
        other_id = insert_event(conn, payload | {"action": "labeled"}, max_attempts=3)

        pool = ConnectionPool(fresh_db, min_size=1, max_size=2)
        await pool.open()
        try:
            # A real backoff: after the first failure the event is not due again yet.
            slow = WebhookSettings(retry_base_s=60, retry_max_s=600)
            assert await process_due(pool, slow) == 2
            status, attempts, next_retry, error, processed_at, backed_off = status_of(
                conn, event_id
            )
            assert (status, attempts, processed_at) == ("failed", 1, None)
            assert next_retry is not None and backed_off
            assert f"task {missing}" in error and "does not exist" in error
            assert status_of(conn, other_id)[:2] == ("skipped", 1)  # unmapped action
            assert await process_due(pool, slow) == 0  # nothing due

            # Fast retries (base 0): attempts 2 and 3, then the dead letter.
            fast = WebhookSettings(retry_base_s=0, retry_max_s=0)
            assert await process_due(pool, fast) == 0  # still waiting for the 60 s backoff
            conn.execute(
                "UPDATE webhook_events SET next_retry_at = now() WHERE id = %s", (event_id,)
            )
            assert await process_due(pool, fast) == 1
            assert status_of(conn, event_id)[:2] == ("failed", 2)
            assert await process_due(pool, fast) == 1
            status, attempts, next_retry, error, processed_at, _ = status_of(conn, event_id)
            assert (status, attempts, next_retry) == ("dead_letter", 3, None)
            assert processed_at is not None and "does not exist" in error
            assert await process_due(pool, fast) == 0  # a dead letter is never claimed again

            # Once the task exists, a fresh delivery of the same event maps cleanly.
            conn.execute("INSERT INTO tasks (id, title) VALUES (%s, 'late task')", (missing,))
            retried = insert_event(conn, payload, max_attempts=3)
            assert await process_due(pool, fast) == 1
            assert status_of(conn, retried)[:2] == ("processed", 1)
            task = conn.execute(
                "SELECT status, github_pr_url FROM tasks WHERE id = %s", (missing,)
            ).fetchone()
            assert task == ("review", "https://github.com/acme/widgets/pull/7")
        finally:
            await pool.close()


async def test_concurrent_processors_never_take_the_same_event(fresh_db: str) -> None:
    import asyncio

    with psycopg.connect(fresh_db, autocommit=True) as conn:
        ids = [insert_event(conn, {"action": "labeled"}, 5) for _ in range(20)]
        pools = [ConnectionPool(fresh_db, min_size=1, max_size=1) for _ in range(3)]
        for pool in pools:
            await pool.open()
        try:
            counts = await asyncio.gather(*(process_due(p, limit=20) for p in pools))
            counts += await asyncio.gather(*(process_due(p, limit=20) for p in pools))
        finally:
            for pool in pools:
                await pool.close()
        assert sum(counts) == 20  # every event attempted exactly once
        rows = conn.execute(
            "SELECT status, processing_attempts FROM webhook_events WHERE id = ANY(%s::uuid[])",
            (ids,),
        ).fetchall()
        assert rows == [("skipped", 1)] * 20


def test_unconfigured_provider_secret_refuses_everything(
    pg_server: PgServer, migrated_template: str, tmp_path: Path
) -> None:
    name = pg_server.create_database(template=migrated_template)
    url = pg_server.url(name)
    origin = start_origin(url, tmp_path / "origin.log")  # no webhook secrets
    try:
        body = b"{}"
        response = httpx.post(
            f"{origin.url}/api/v1/webhooks/github",
            content=body,
            headers={
                "X-GitHub-Event": "ping",
                "X-GitHub-Delivery": "d1",
                "X-Hub-Signature-256": sign_github("", body),
            },
        )
        assert_problem(response, 401, "invalid-webhook-signature")
        with psycopg.connect(url) as conn:
            assert count_rows(conn, "webhook_events") == 0
    finally:
        origin.stop()
        pg_server.drop_database(name)
