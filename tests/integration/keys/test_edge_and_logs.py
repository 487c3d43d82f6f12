"""Edge-signed identity, /internal/keys/verify, batched usage and access logs (no secrets)."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable

import httpx
import psycopg

from tests.helpers import assert_problem
from tests.integration.keys.helpers import edge_headers, wait_for

TASKS = "/api/v1/tasks"
VERIFY = "/internal/keys/verify"
MakeKey = Callable[..., tuple[str, str]]


def test_signed_edge_identity_is_trusted(anonymous_client: httpx.Client, make_key: MakeKey) -> None:
    key_id, _ = make_key(["tasks:read"])
    headers = edge_headers("GET", TASKS + "?limit=5", key_id=key_id, scopes="tasks:read")
    response = anonymous_client.get(TASKS, params={"limit": 5}, headers=headers)
    assert response.status_code == 200, response.text
    # The asserted scopes are enforced: a read identity cannot write.
    body = json.dumps({"title": "edge"}).encode()
    headers = edge_headers("POST", TASKS, body, key_id=key_id, scopes="tasks:read")
    response = anonymous_client.post(
        TASKS, content=body, headers={**headers, "Content-Type": "application/json"}
    )
    assert_problem(response, 403, "insufficient-scope")


def test_forged_stale_or_altered_edge_headers_are_ignored(
    anonymous_client: httpx.Client, make_key: MakeKey
) -> None:
    key_id, reader = make_key(["tasks:read"])
    body = json.dumps({"title": "edge write"}).encode()
    json_type = {"Content-Type": "application/json"}
    good = edge_headers("POST", TASKS, body, key_id=key_id, scopes="admin")
    forged = {**good, "X-Edge-Signature": "v2=" + "0" * 64}
    wrong_secret = edge_headers("POST", TASKS, body, key_id=key_id, scopes="admin", secret="x")
    stale = edge_headers(
        "POST", TASKS, body, key_id=key_id, scopes="admin", timestamp=int(time.time()) - 120
    )
    for headers in (forged, wrong_secret, stale):
        response = anonymous_client.post(TASKS, content=body, headers={**headers, **json_type})
        assert_problem(response, 401, "missing-api-key")  # identity ignored, no key of its own
    # Replayed with another body: the digest no longer matches.
    other = json.dumps({"title": "something else"}).encode()
    response = anonymous_client.post(TASKS, content=other, headers={**good, **json_type})
    assert_problem(response, 401, "missing-api-key")
    # Replayed on another path or with elevated scopes: same.
    response = anonymous_client.post(
        "/api/v1/projects", content=body, headers={**good, **json_type}
    )
    assert_problem(response, 401, "missing-api-key")
    tampered = {**good, "X-Edge-Scopes": "admin,keys:admin"}
    response = anonymous_client.post(TASKS, content=body, headers={**tampered, **json_type})
    assert_problem(response, 401, "missing-api-key")
    # With the caller's own (read-only) key, the ignored assertion grants nothing.
    response = anonymous_client.post(
        TASKS, content=body, headers={**forged, **json_type, "X-API-Key": reader}
    )
    assert_problem(response, 403, "insufficient-scope")
    # The genuine signature works (and is the only one that does).
    response = anonymous_client.post(TASKS, content=body, headers={**good, **json_type})
    assert response.status_code == 201, response.text


def verify(client: httpx.Client, key_hash: str, signed: bool = True) -> httpx.Response:
    body = json.dumps({"key_hash": key_hash}).encode()
    headers = {"Content-Type": "application/json"}
    if signed:
        headers |= edge_headers("POST", VERIFY, body)
    return client.post(VERIFY, content=body, headers=headers)


def test_verify_endpoint_answers_signed_edge_calls_only(
    anonymous_client: httpx.Client, make_key: MakeKey, admin_key: str, db: psycopg.Connection
) -> None:
    key_id, key = make_key(
        ["tasks:read", "tasks:write"],
        allowed_ips=["203.0.113.0/24"],
        allowed_endpoints=["/api/v1/tasks*"],
        rate_limit_per_minute=60,
        rate_limit_per_hour=1000,
        rate_limit_per_day=10000,
        rate_limit_burst=10,
    )
    digest = hashlib.sha256(key.encode()).hexdigest()
    assert_problem(verify(anonymous_client, digest, signed=False), 401, "edge-signature-required")
    admin_only = anonymous_client.post(
        VERIFY, json={"key_hash": digest}, headers={"Authorization": f"Bearer {admin_key}"}
    )
    assert_problem(admin_only, 401, "edge-signature-required")  # a key is not a signature

    response = verify(anonymous_client, digest)
    assert response.status_code == 200, response.text
    assert response.json()["data"] == {
        "valid": True,
        "reason": None,
        "key_id": key_id,
        "scopes": ["tasks:read", "tasks:write"],
        "expires_at": None,
        "allowed_ips": ["203.0.113.0/24"],
        "allowed_endpoints": ["/api/v1/tasks*"],
        "rate_limits": {"per_minute": 60, "per_hour": 1000, "per_day": 10000, "burst": 10},
        "cache_partition": None,  # a service key without a project allow-list shares the cache
    }
    unknown = verify(anonymous_client, "0" * 64).json()["data"]
    assert unknown["valid"] is False and unknown["reason"] == "unknown"
    assert unknown["key_id"] is None and unknown["scopes"] is None
    db.execute("UPDATE api_keys SET revoked_at = now() WHERE id = %s", (key_id,))
    wait_for(lambda: verify(anonymous_client, digest).json()["data"]["valid"] is False)
    assert verify(anonymous_client, digest).json()["data"]["reason"] == "revoked"


def test_usage_is_recorded_in_batches(
    anonymous_client: httpx.Client, make_key: MakeKey, db: psycopg.Connection
) -> None:
    key_id, key = make_key(["tasks:read"])
    for _ in range(5):
        assert anonymous_client.get(TASKS, headers={"X-API-Key": key}).status_code == 200

    def recorded() -> tuple | None:
        row = db.execute(
            "SELECT usage_count, last_used_at, host(last_used_ip), version FROM api_keys"
            " WHERE id = %s",
            (key_id,),
        ).fetchone()
        return row if row and row[0] == 5 else None

    _, last_used_at, ip, version = wait_for(recorded)
    assert last_used_at is not None and ip == "127.0.0.1"
    assert version == 1  # bookkeeping does not bump the key's version


def test_access_logs_are_batched_and_never_hold_a_key(
    anonymous_client: httpx.Client, make_key: MakeKey, db: psycopg.Connection
) -> None:
    key_id, key = make_key(["tasks:read"])
    request_ids = []
    for index, (path, params, headers) in enumerate(
        [
            (TASKS, {}, {"Authorization": f"Bearer {key}"}),
            (TASKS, {}, {"X-API-Key": key}),
            (TASKS, {"api_key": key, "token": "secret"}, {"X-API-Key": key}),  # 400: unknown
            (TASKS, {}, {"X-API-Key": key[:-1] + ("0" if key[-1] != "0" else "1")}),  # 401
        ]
    ):
        request_id = f"access-log-{key[4:12]}-{index}"
        request_ids.append(request_id)
        anonymous_client.get(path, params=params, headers={**headers, "X-Request-Id": request_id})

    def logged() -> list | None:
        rows = db.execute(
            "SELECT request_id, api_key_id::text, status_code, path, row_to_json(l)::text"
            " FROM api_access_logs l WHERE request_id = ANY(%s) ORDER BY id",
            (request_ids,),
        ).fetchall()
        return rows if len(rows) == len(request_ids) else None

    rows = wait_for(logged)
    assert [(r[1], r[2]) for r in rows] == [
        (key_id, 200),
        (key_id, 200),
        (key_id, 400),
        (None, 401),
    ]
    assert "api_key=REDACTED" in rows[2][3] and "token=REDACTED" in rows[2][3]
    everything = db.execute("SELECT string_agg(row_to_json(l)::text, ' ') FROM api_access_logs l")
    text = everything.fetchone()[0]
    assert key not in text and key[:-1] not in text
    assert all("secret" not in row[4] for row in rows)
