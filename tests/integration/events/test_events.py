"""Events out, over real HTTP and PostgreSQL: subscriptions, the dispatcher turning the event
log's task and deployment events into deliveries, signed deliveries retried after a failing
subscriber, per-task order."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import psycopg
import pytest
from taskmaster.events.service import TargetRefused, check_target, retry_delay, sign
from taskmaster.settings import EventSettings

from tests.conftest import OriginProcess, PgServer, issue_key, start_origin
from tests.helpers import assert_problem, count_rows


class Receiver:
    """A loopback subscriber: records every request; answers 500 to the first ``fail_first``."""

    def __init__(self, fail_first: int = 0) -> None:
        self.fail_first = fail_first
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.lock:
                    failing = len(receiver.requests) < receiver.fail_first
                    receiver.requests.append(
                        {
                            "headers": {k.lower(): v for k, v in self.headers.items()},
                            "body": body,
                            "status": 500 if failing else 204,
                        }
                    )
                self.send_response(500 if failing else 204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def delivered(self, aggregate_id: str | None = None) -> list[dict[str, Any]]:
        with self.lock:
            found = [json.loads(r["body"]) for r in self.requests if r["status"] == 204]
        return [m for m in found if aggregate_id is None or m["aggregate_id"] == aggregate_id]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def events_db(pg_server: PgServer, migrated_template: str) -> Iterator[str]:
    name = pg_server.create_database(template=migrated_template)
    yield pg_server.url(name)
    pg_server.drop_database(name)


@pytest.fixture(scope="module")
def events_origin(
    events_db: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[OriginProcess]:
    process = start_origin(
        events_db,
        tmp_path_factory.mktemp("events") / "origin.log",
        EVENTS_POLL_INTERVAL_S="0.1",
        EVENTS_RETRY_BASE_S="0.3",
        EVENTS_MAX_ATTEMPTS="3",
        EVENTS_HTTP_TIMEOUT_S="2",
    )
    yield process
    process.stop()


@pytest.fixture(scope="module")
def admin(events_origin: OriginProcess, events_db: str) -> Iterator[httpx.Client]:
    _, key = issue_key(events_db, ["admin"])
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=events_origin.url, timeout=10, headers=headers) as client:
        yield client


@pytest.fixture
def events_conn(events_db: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(events_db, autocommit=True) as conn:
        yield conn


def wait_for(check: Callable[[], Any], what: str, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def subscribe(admin: httpx.Client, url: str, **body: Any) -> dict[str, Any]:
    response = admin.post("/api/v1/subscriptions", json={"name": "test", "url": url, **body})
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    return response.json()["data"]  # type: ignore[no-any-return]


def deliveries_of(
    admin: httpx.Client, sub: dict[str, Any], task: dict[str, Any]
) -> list[dict[str, Any]]:
    response = admin.get(
        f"/api/v1/subscriptions/{sub['id']}/deliveries", params={"aggregate_id": task["id"]}
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]  # type: ignore[no-any-return]


def test_delivery_is_signed_retried_after_a_failure_and_ordered_per_task(
    admin: httpx.Client,
) -> None:
    receiver = Receiver(fail_first=1)
    sub = subscribe(
        admin, receiver.url, event_types=["task.created", "task.updated", "task.completed"]
    )
    try:
        secret = sub["secret"]
        assert secret.startswith("tms_") and sub["secret_prefix"] == secret[:12]
        shown = admin.get(f"/api/v1/subscriptions/{sub['id']}").json()["data"]
        assert "secret" not in shown and shown["secret_prefix"] == sub["secret_prefix"]

        task = admin.post("/api/v1/tasks", json={"title": "evented"}).json()["data"]
        assert (
            admin.patch(f"/api/v1/tasks/{task['id']}", json={"title": "renamed"}).status_code == 200
        )
        done = admin.patch(f"/api/v1/tasks/{task['id']}/status", json={"status": "completed"})
        assert done.status_code == 200, done.text

        messages = wait_for(
            lambda: len(found := receiver.delivered(task["id"])) >= 3 and found,
            "three deliveries for the task",
        )
        assert [m["type"] for m in messages] == ["task.created", "task.updated", "task.completed"]
        assert [m["sequence"] for m in messages] == [1, 2, 3]
        assert messages[1]["data"]["title"] == "renamed"
        assert messages[2]["data"]["status"] == "completed"

        with receiver.lock:
            attempts = list(receiver.requests)
        # The first attempt failed; nothing later was sent before event 1 succeeded.
        assert attempts[0]["status"] == 500
        sequences = [json.loads(a["body"])["sequence"] for a in attempts]
        assert sequences[:2] == [1, 1] and sequences[2:] == [2, 3]
        for attempt in attempts:
            headers = attempt["headers"]
            expected = sign(secret, headers["x-taskmaster-timestamp"], attempt["body"])
            assert hmac.compare_digest(headers["x-taskmaster-signature"], expected)
            mac = hmac.new(
                secret.encode(),
                headers["x-taskmaster-timestamp"].encode() + b"." + attempt["body"],
                hashlib.sha256,
            ).hexdigest()
            assert headers["x-taskmaster-signature"] == "sha256=" + mac
            assert headers["x-taskmaster-event-id"] == json.loads(attempt["body"])["id"]
        # A retry carries the same event id (subscribers dedupe on it).
        assert (
            attempts[0]["headers"]["x-taskmaster-event-id"]
            == attempts[1]["headers"]["x-taskmaster-event-id"]
        )

        # The outcome is recorded just after the receiver answered: wait for it.
        def all_delivered() -> list[dict[str, Any]] | None:
            found = deliveries_of(admin, sub, task)
            return found if all(d["status"] == "delivered" for d in found) else None

        deliveries = wait_for(all_delivered, "the deliveries to be recorded")
        assert [(d["sequence"], d["status"], d["attempts"]) for d in deliveries] == [
            (1, "delivered", 2),
            (2, "delivered", 1),
            (3, "delivered", 1),
        ]
        assert deliveries[0]["last_status_code"] == 204
    finally:
        admin.patch(f"/api/v1/subscriptions/{sub['id']}", json={"active": False})
        receiver.close()


def test_a_dead_letter_releases_the_next_event_of_the_task(admin: httpx.Client) -> None:
    # Fails 3 times = EVENTS_MAX_ATTEMPTS: event 1 is dead-lettered, then event 2 goes out.
    receiver = Receiver(fail_first=3)
    sub = subscribe(admin, receiver.url)
    try:
        task = admin.post("/api/v1/tasks", json={"title": "doomed first event"}).json()["data"]
        admin.patch(f"/api/v1/tasks/{task['id']}/status", json={"status": "failed"})
        messages = wait_for(
            lambda: (found := receiver.delivered(task["id"])) and found, "the second event"
        )
        assert [m["type"] for m in messages] == ["task.failed"]
        deliveries = wait_for(
            lambda: (
                (found := deliveries_of(admin, sub, task))[-1]["status"] == "delivered" and found
            ),
            "the second delivery to be recorded",
        )
        assert [(d["sequence"], d["status"], d["attempts"]) for d in deliveries] == [
            (1, "dead_letter", 3),
            (2, "delivered", 1),
        ]
        assert deliveries[0]["last_error"] == "HTTP 500"
    finally:
        admin.delete(f"/api/v1/subscriptions/{sub['id']}")
        receiver.close()


def test_triggers_record_task_and_deployment_events_for_matching_subscriptions(
    admin: httpx.Client, events_conn: psycopg.Connection
) -> None:
    # Inactive and pointing nowhere reachable: nothing is delivered, the rows can be inspected.
    deploys = subscribe(
        admin, "http://127.0.0.1:9/none", event_types=["deployment.started", "deployment.failed"],
        active=True,
    )  # fmt: skip
    admin.patch(f"/api/v1/subscriptions/{deploys['id']}", json={"url": "http://127.0.0.1:9/x"})
    try:
        deployment = admin.post("/api/v1/deployments", json={"environment": "staging"}).json()[
            "data"
        ]
        assert deployment["status"] == "pending"
        for status in ("running", "failed"):
            r = admin.patch(f"/api/v1/deployments/{deployment['id']}", json={"status": status})
            assert r.status_code == 200, r.text
        # The origin's background loop dispatches the log's events: wait for both.
        rows = wait_for(
            lambda: (
                len(
                    found := events_conn.execute(
                        "SELECT event_type, sequence, payload->>'status' FROM outbound_events"
                        " WHERE aggregate_id = %s ORDER BY sequence",
                        (deployment["id"],),
                    ).fetchall()
                )
                >= 2
                and found
            ),
            "the deployment's events to be dispatched",
        )
        assert rows == [("deployment.started", 1, "running"), ("deployment.failed", 2, "failed")]
        # A task event does not match this subscription's filter: no delivery row for it.
        task = admin.post("/api/v1/tasks", json={"title": "not for deploys"}).json()["data"]
        wait_for(
            lambda: count_rows(events_conn, "outbound_events", "aggregate_id = %s", task["id"]),
            "the task's event to be dispatched",
        )
        assert (
            count_rows(
                events_conn,
                "event_deliveries",
                "subscription_id = %s AND aggregate_id = %s",
                deploys["id"],
                task["id"],
            )
            == 0
        )
        assert (
            count_rows(
                events_conn,
                "event_deliveries",
                "subscription_id = %s AND aggregate_id = %s",
                deploys["id"],
                deployment["id"],
            )
            == 2
        )
    finally:
        admin.delete(f"/api/v1/subscriptions/{deploys['id']}")


def _dispatch(conn: psycopg.Connection) -> int:
    """What the origin's background loop does first: the log's new events into deliveries."""
    return int(conn.execute("SELECT dispatch_event_log(1000)").fetchone()[0])


def test_no_active_subscription_records_nothing_and_bookkeeping_is_not_news(
    fresh_db: str,
) -> None:
    with psycopg.connect(fresh_db, autocommit=True) as conn:
        conn.execute("INSERT INTO tasks (title) VALUES ('quiet')")
        _dispatch(conn)
        assert count_rows(conn, "outbound_events") == 0
        conn.execute("INSERT INTO tasks (title) VALUES ('before the subscription')")
        conn.execute(
            "INSERT INTO event_subscriptions (name, url, secret_encrypted, secret_prefix)"
            " VALUES ('s', 'http://127.0.0.1:9/', '\\x00', 'tms_abcd')"
        )
        parent = conn.execute("INSERT INTO tasks (title) VALUES ('p') RETURNING id").fetchone()
        assert parent is not None
        conn.execute("INSERT INTO tasks (title, parent_task_id) VALUES ('c', %s)", (parent[0],))
        _dispatch(conn)
        # Written before the subscription existed, dispatched after: still not for it.
        assert count_rows(conn, "outbound_events") == 2  # p and c
        # The parent's subtask counter moved (a trigger UPDATE): not an event of the parent.
        assert count_rows(conn, "outbound_events", "aggregate_id = %s", parent[0]) == 1
        conn.execute(
            "UPDATE tasks SET lease_owner = 'w', lease_expires_at = now() WHERE id = %s",
            (parent[0],),
        )  # a lease taken: task.claimed (the event log's type)
        conn.execute(
            "UPDATE tasks SET lease_expires_at = now() + interval '1 minute' WHERE id = %s",
            (parent[0],),
        )  # a lease renewed: not news for subscribers
        conn.execute("UPDATE tasks SET priority = 9 WHERE id = %s", (parent[0],))
        _dispatch(conn)
        assert conn.execute(
            "SELECT event_type, sequence FROM outbound_events WHERE aggregate_id = %s"
            " ORDER BY sequence",
            (parent[0],),
        ).fetchall() == [("task.created", 1), ("task.claimed", 2), ("task.updated", 3)]
        # One statement changing many tasks: one event each, each with its own sequence.
        conn.execute("UPDATE tasks SET status = 'completed'")
        _dispatch(conn)
        assert count_rows(conn, "outbound_events", "event_type = 'task.completed'") == 4
        assert count_rows(conn, "event_deliveries") == count_rows(conn, "outbound_events")
        assert _dispatch(conn) == 0  # the cursor moved past everything read


def test_without_an_active_subscription_the_dispatcher_moves_past_everything_read(
    fresh_db: str,
) -> None:
    cursor = "SELECT last_id FROM outbound_event_cursor"
    with psycopg.connect(fresh_db, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO event_subscriptions (name, url, secret_encrypted, secret_prefix, active)"
            " VALUES ('paused', 'http://127.0.0.1:9/', '\\x00', 'tms_abcd', false)"
        )
        conn.execute("INSERT INTO tasks (title) SELECT 'quiet ' || n FROM generate_series(1, 3) n")
        (newest,) = conn.execute("SELECT max(id) FROM event_log").fetchone()
        assert _dispatch(conn) == 0  # nothing read: nobody to deliver to
        (moved,) = conn.execute(cursor).fetchone()
        assert moved >= newest
        assert count_rows(conn, "outbound_events") == 0
        # Active again: only what is written from now on is dispatched, and to it.
        conn.execute("UPDATE event_subscriptions SET active = true")
        conn.execute("INSERT INTO tasks (title) VALUES ('heard')")
        assert _dispatch(conn) == 1
        assert conn.execute("SELECT payload ->> 'title' FROM outbound_events").fetchall() == [
            ("heard",)
        ]


def test_an_aggregates_events_are_sequenced_in_change_order_not_xid_order(fresh_db: str) -> None:
    with psycopg.connect(fresh_db, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO event_subscriptions (name, url, secret_encrypted, secret_prefix)"
            " VALUES ('s', 'http://127.0.0.1:9/', '\\x00', 'tms_abcd')"
        )
        (task,) = conn.execute("INSERT INTO tasks (title) VALUES ('t') RETURNING id").fetchone()
        _dispatch(conn)
        with psycopg.connect(fresh_db) as earlier_xid:
            earlier_xid.execute("SELECT pg_current_xact_id()")  # the lower xid, changes later
            conn.execute("UPDATE tasks SET title = 'first' WHERE id = %s", (task,))
            earlier_xid.execute("UPDATE tasks SET title = 'second' WHERE id = %s", (task,))
            earlier_xid.commit()
        _dispatch(conn)
        rows = conn.execute(
            "SELECT sequence, payload ->> 'title' FROM outbound_events WHERE aggregate_id = %s"
            " ORDER BY sequence",
            (task,),
        ).fetchall()
    assert rows == [(1, "t"), (2, "first"), (3, "second")]


def test_a_subscriber_gets_created_claimed_completed_in_order_and_nothing_from_before(
    admin: httpx.Client, events_conn: psycopg.Connection
) -> None:
    earlier = admin.post("/api/v1/tasks", json={"title": "before the subscriber"}).json()["data"]
    receiver = Receiver()
    sub = subscribe(admin, receiver.url)
    try:
        task = admin.post("/api/v1/tasks", json={"title": "worked"}).json()["data"]
        claim = admin.post(
            f"/api/v1/tasks/{task['id']}/claim", json={"agent": "a1", "ttl_seconds": 60}
        )
        assert claim.status_code == 200, claim.text
        token = str(claim.json()["data"]["lease_token"])
        done = admin.patch(
            f"/api/v1/tasks/{task['id']}/status",
            json={"status": "completed"},
            headers={"X-Lease-Token": token},
        )
        assert done.status_code == 200, done.text
        messages = wait_for(
            lambda: len(found := receiver.delivered(task["id"])) >= 3 and found,
            "created, claimed and completed",
        )
        assert [(m["type"], m["sequence"]) for m in messages] == [
            ("task.created", 1), ("task.claimed", 2), ("task.completed", 3),
        ]  # fmt: skip
        assert messages[1]["data"]["lease_owner"] == "a1"
        assert messages[2]["data"]["status"] == "completed"
        assert receiver.delivered(earlier["id"]) == []
        assert {m["aggregate_id"] for m in receiver.delivered()} == {task["id"]}
    finally:
        admin.delete(f"/api/v1/subscriptions/{sub['id']}")
        receiver.close()


def test_subscriptions_need_admin_and_refuse_bad_urls(
    admin: httpx.Client, events_origin: OriginProcess, events_db: str
) -> None:
    _, writer = issue_key(events_db, ["tasks:write", "tasks:read"])
    response = httpx.get(
        f"{events_origin.url}/api/v1/subscriptions",
        headers={"Authorization": f"Bearer {writer}"},
    )
    assert_problem(response, 403, "insufficient-scope")
    bad = admin.post("/api/v1/subscriptions", json={"name": "x", "url": "ftp://example.com/"})
    assert_problem(bad, 422)
    missing = admin.get(f"/api/v1/subscriptions/{uuid.uuid4()}")
    assert_problem(missing, 404)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://10.1.2.3/",
        "http://192.168.0.1/",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "http://localhost:8080/",
        "gopher://example.com/",
    ],
)
async def test_the_ssrf_guard_refuses_non_public_targets(url: str) -> None:
    with pytest.raises(TargetRefused):
        await check_target(url, allow_private=False)


async def test_the_ssrf_guard_allows_public_and_development_targets() -> None:
    await check_target("https://93.184.216.34/hook", allow_private=False)
    await check_target("http://127.0.0.1:8080/hook", allow_private=True)
    with pytest.raises(TargetRefused):
        await check_target("file:///etc/passwd", allow_private=True)


def test_retry_delay_backs_off_exponentially_and_is_capped() -> None:
    settings = EventSettings(retry_base_s=10, retry_max_s=100)
    assert [retry_delay(n, settings) for n in (1, 2, 3, 4, 5)] == [10, 20, 40, 80, 100]
