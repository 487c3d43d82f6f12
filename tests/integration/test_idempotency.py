"""Idempotency-Key on POST: replay, mismatch, scoping, failures released."""

from __future__ import annotations

import uuid

import httpx
import psycopg

from tests.helpers import assert_problem

TASKS = "/api/v1/tasks"


def _count(db: psycopg.Connection, title: str) -> int:
    return db.execute("SELECT count(*) FROM tasks WHERE title = %s", (title,)).fetchone()[0]  # type: ignore[index]


def test_same_key_and_body_replays_the_first_response(
    client: httpx.Client, db: psycopg.Connection
) -> None:
    title = f"idem-{uuid.uuid4()}"
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    first = client.post(TASKS, json={"title": title}, headers=headers)
    second = client.post(TASKS, json={"title": title}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.content == first.content
    assert second.headers["location"] == first.headers["location"]
    assert second.headers["etag"] == first.headers["etag"]
    assert second.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert _count(db, title) == 1


def test_same_key_with_another_body_is_422(client: httpx.Client, db: psycopg.Connection) -> None:
    title = f"idem-{uuid.uuid4()}"
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    assert client.post(TASKS, json={"title": title}, headers=headers).status_code == 201
    response = client.post(TASKS, json={"title": title + "-other"}, headers=headers)
    assert_problem(response, 422, "idempotency-key-reused")
    assert _count(db, title + "-other") == 0


def test_different_keys_create_different_rows(client: httpx.Client, db: psycopg.Connection) -> None:
    title = f"idem-{uuid.uuid4()}"
    for _ in range(2):
        response = client.post(
            TASKS, json={"title": title}, headers={"Idempotency-Key": str(uuid.uuid4())}
        )
        assert response.status_code == 201
    assert _count(db, title) == 2


def test_a_refused_request_is_replayed_as_refused(client: httpx.Client) -> None:
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    first = client.post(TASKS, json={"title": "x", "priority": 99}, headers=headers)
    second = client.post(TASKS, json={"title": "x", "priority": 99}, headers=headers)
    assert_problem(first, 422)
    assert second.status_code == 422 and second.json()["type"] == first.json()["type"]


def test_expired_key_can_be_used_again(client: httpx.Client, db: psycopg.Connection) -> None:
    title = f"idem-{uuid.uuid4()}"
    key = str(uuid.uuid4())
    assert (
        client.post(TASKS, json={"title": title}, headers={"Idempotency-Key": key}).status_code
        == 201
    )
    db.execute(
        "UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE idempotency_key = %s",
        (key,),
    )
    again = client.post(TASKS, json={"title": title}, headers={"Idempotency-Key": key})
    assert again.status_code == 201 and "idempotent-replayed" not in again.headers
    assert _count(db, title) == 2


def test_overlong_key_is_400(client: httpx.Client) -> None:
    response = client.post(TASKS, json={"title": "x"}, headers={"Idempotency-Key": "k" * 256})
    assert_problem(response, 400, "invalid-idempotency-key")
