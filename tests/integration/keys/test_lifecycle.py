"""Key lifecycle over HTTP: create (plain key once), list/get, revoke (next request), rotate, audit."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import psycopg
import pytest

from tests.conftest import OriginProcess, start_origin
from tests.helpers import assert_problem
from tests.integration.keys.helpers import wait_for

KEYS = "/api/v1/keys"
TASKS = "/api/v1/tasks"
MakeKey = Callable[..., tuple[str, str]]


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def create(client: httpx.Client, **body: object) -> dict:
    response = client.post(KEYS, json={"name": "lifecycle", "scopes": ["tasks:read"], **body})
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    return response.json()["data"]


def test_create_shows_the_key_once_and_stores_only_its_hash(
    client: httpx.Client, db: psycopg.Connection
) -> None:
    created = create(
        client,
        allowed_ips=["10.1.0.0/16"],
        allowed_endpoints=["/api/v1/tasks*"],
        rate_limit_per_minute=7,
    )
    key = created["key"]
    assert key.startswith("ctm_") and len(key) == 40 and created["prefix"] == key[:12]
    assert created["rate_limits"]["per_minute"] == 7 and created["status"] == "active"
    fetched = client.get(f"{KEYS}/{created['id']}").json()["data"]
    assert "key" not in fetched and "key_hash" not in fetched
    assert fetched["prefix"] == created["prefix"]
    listed = client.get(KEYS, params={"limit": 200, "sort": "-created_at"}).json()
    assert all("key" not in item and "key_hash" not in item for item in listed["data"])
    row = db.execute(
        "SELECT key_hash, key_prefix FROM api_keys WHERE id = %s", (created["id"],)
    ).fetchone()
    assert row is not None and key not in row[0] and row[1] == key[:12]
    import hashlib

    assert row[0] == hashlib.sha256(key.encode()).hexdigest()


def test_create_validates(client: httpx.Client) -> None:
    response = client.post(KEYS, json={"name": "x", "scopes": ["root"]})
    assert_problem(response, 422)
    response = client.post(
        KEYS, json={"name": "x", "scopes": ["tasks:read"], "allowed_ips": ["nope"]}
    )
    assert_problem(response, 422)
    assert_problem(client.get(f"{KEYS}/00000000-0000-0000-0000-000000000000"), 404)


def test_list_is_keyset_paginated(client: httpx.Client) -> None:
    for index in range(3):
        create(client, name=f"page-{index}")
    first = client.get(KEYS, params={"limit": 2}).json()
    assert first["pagination"]["has_more"] is True and len(first["data"]) == 2
    second = client.get(KEYS, params={"limit": 2, "cursor": first["pagination"]["next_cursor"]})
    assert second.status_code == 200
    ids = {k["id"] for k in first["data"]} & {k["id"] for k in second.json()["data"]}
    assert not ids


def test_revoked_key_fails_on_its_very_next_request(
    client: httpx.Client, anonymous_client: httpx.Client
) -> None:
    key = create(client)
    assert anonymous_client.get(TASKS, headers=bearer(key["key"])).status_code == 200  # cached
    revoked = client.post(f"{KEYS}/{key['id']}/revoke", json={"reason": "leaked"})
    assert revoked.status_code == 200 and revoked.json()["data"]["status"] == "revoked"
    assert revoked.json()["data"]["revoked_reason"] == "leaked"
    response = anonymous_client.get(TASKS, headers=bearer(key["key"]))
    assert_problem(response, 401, "revoked-api-key")


def test_revocation_outside_the_api_reaches_the_cache_through_notify(
    anonymous_client: httpx.Client, make_key: MakeKey, db: psycopg.Connection
) -> None:
    key_id, key = make_key(["tasks:read"])
    for _ in range(3):
        assert anonymous_client.get(TASKS, headers=bearer(key)).status_code == 200
    # Changed by SQL (or the CLI), not through the origin: the NOTIFY reaches the worker's
    # listener within its delivery time (well under a millisecond locally), so poll briefly.
    db.execute("UPDATE api_keys SET revoked_at = now() WHERE id = %s", (key_id,))
    wait_for(lambda: anonymous_client.get(TASKS, headers=bearer(key)).status_code == 401)
    assert_problem(anonymous_client.get(TASKS, headers=bearer(key)), 401, "revoked-api-key")
    other_id, other = make_key(["tasks:read"])
    assert anonymous_client.get(TASKS, headers=bearer(other)).status_code == 200
    db.execute("UPDATE api_keys SET scopes = '{metrics:read}' WHERE id = %s", (other_id,))
    wait_for(lambda: anonymous_client.get(TASKS, headers=bearer(other)).status_code == 403)
    assert_problem(anonymous_client.get(TASKS, headers=bearer(other)), 403, "insufficient-scope")


def test_rotation_inherits_settings_and_grace_works_then_ends(
    client: httpx.Client, anonymous_client: httpx.Client, db: psycopg.Connection
) -> None:
    old = create(
        client,
        name="rotating",
        scopes=["tasks:read", "tasks:write"],
        allowed_ips=["127.0.0.0/8"],
        allowed_endpoints=["/api/v1/tasks*"],
        rate_limit_per_hour=123,
    )
    response = client.post(f"{KEYS}/{old['id']}/rotate", json={"grace_seconds": 3600})
    assert response.status_code == 201, response.text
    new = response.json()["data"]
    assert new["key"] != old["key"] and new["rotated_from_id"] == old["id"]
    for field in ("name", "scopes", "allowed_ips", "allowed_endpoints", "rate_limits", "owner"):
        assert new[field] == old[field], field
    # During the grace period both keys work.
    assert anonymous_client.get(TASKS, headers=bearer(old["key"])).status_code == 200
    assert anonymous_client.get(TASKS, headers=bearer(new["key"])).status_code == 200
    old_now = client.get(f"{KEYS}/{old['id']}").json()["data"]
    assert old_now["status"] == "rotating" and old_now["grace_expires_at"] is not None
    # A rotated key cannot be rotated again.
    again = client.post(f"{KEYS}/{old['id']}/rotate", json={"grace_seconds": 60})
    assert_problem(again, 409, "key-not-rotatable")
    # The grace period ends (moved into the past instead of waiting an hour).
    db.execute(
        "UPDATE api_keys SET grace_expires_at = now() - interval '1 second' WHERE id = %s",
        (old["id"],),
    )
    wait_for(lambda: anonymous_client.get(TASKS, headers=bearer(old["key"])).status_code == 401)
    assert_problem(anonymous_client.get(TASKS, headers=bearer(old["key"])), 401, "expired-api-key")
    assert anonymous_client.get(TASKS, headers=bearer(new["key"])).status_code == 200


def test_rotation_without_grace_kills_the_old_key_at_once(
    client: httpx.Client, anonymous_client: httpx.Client
) -> None:
    old = create(client)
    assert anonymous_client.get(TASKS, headers=bearer(old["key"])).status_code == 200
    new = client.post(f"{KEYS}/{old['id']}/rotate", json={"grace_seconds": 0}).json()["data"]
    assert_problem(anonymous_client.get(TASKS, headers=bearer(old["key"])), 401, "revoked-api-key")
    assert anonymous_client.get(TASKS, headers=bearer(new["key"])).status_code == 200


def test_key_operations_and_task_writes_are_audited_with_actor_and_request_id(
    anonymous_client: httpx.Client, make_key: MakeKey, db: psycopg.Connection
) -> None:
    admin_id, admin = make_key(["admin"])
    headers = {**bearer(admin), "X-Request-Id": "audit-req-create-key"}
    created = anonymous_client.post(
        KEYS, json={"name": "audited", "scopes": ["tasks:read"]}, headers=headers
    )
    assert created.status_code == 201
    key_id = created.json()["data"]["id"]
    headers["X-Request-Id"] = "audit-req-revoke-key"
    assert anonymous_client.post(f"{KEYS}/{key_id}/revoke", json={}, headers=headers).is_success
    headers["X-Request-Id"] = "audit-req-create-task"
    task = anonymous_client.post(TASKS, json={"title": "audited"}, headers=headers)
    assert task.status_code == 201
    task_id = task.json()["data"]["id"]
    headers["X-Request-Id"] = "audit-req-delete-task"
    assert anonymous_client.delete(f"{TASKS}/{task_id}", headers=headers).status_code == 204

    rows = db.execute(
        """SELECT table_name, action, actor_key_id::text, request_id, new_data ? 'key_hash'
             FROM audit_logs WHERE row_id IN (%s, %s) ORDER BY id""",
        (key_id, task_id),
    ).fetchall()
    assert rows == [
        ("api_keys", "INSERT", admin_id, "audit-req-create-key", False),
        ("api_keys", "UPDATE", admin_id, "audit-req-revoke-key", False),
        ("tasks", "INSERT", admin_id, "audit-req-create-task", False),
        ("tasks", "DELETE", admin_id, "audit-req-delete-task", None),
    ]


def test_reads_write_no_audit_rows(client: httpx.Client, db: psycopg.Connection) -> None:
    before = db.execute("SELECT count(*) FROM audit_logs").fetchone()
    client.get(TASKS)
    client.get(KEYS)
    assert db.execute("SELECT count(*) FROM audit_logs").fetchone() == before


@pytest.fixture(scope="module")
def two_workers(
    origin_db: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[OriginProcess]:
    """A second origin on the session database with two worker processes (two verdict caches)."""
    process = start_origin(origin_db, tmp_path_factory.mktemp("two") / "origin.log", workers=2)
    yield process
    process.stop()


def test_revocation_reaches_every_worker(two_workers: OriginProcess, admin_key: str) -> None:
    with httpx.Client(base_url=two_workers.url, timeout=10) as http:
        created = http.post(
            KEYS, json={"name": "two workers", "scopes": ["tasks:read"]}, headers=bearer(admin_key)
        ).json()["data"]
        for _ in range(20):  # warm both workers' caches (new connections spread over workers)
            with httpx.Client(base_url=two_workers.url, timeout=10) as fresh:
                assert fresh.get(TASKS, headers=bearer(created["key"])).status_code == 200
        revoked = http.post(f"{KEYS}/{created['id']}/revoke", json={}, headers=bearer(admin_key))
        assert revoked.status_code == 200
        for _ in range(20):
            with httpx.Client(base_url=two_workers.url, timeout=10) as fresh:
                response = fresh.get(TASKS, headers=bearer(created["key"]))
                assert_problem(response, 401, "revoked-api-key")
