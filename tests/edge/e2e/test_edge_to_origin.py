"""Issue 6 acceptance, end to end: client → edge runner (real Worker on real Pyodide) → real origin
→ PostgreSQL, with keys made by the `taskmaster keys` CLI."""

from __future__ import annotations

import json
import time

import httpx
import psycopg
from tm_edge import keys

from tests.conftest import EDGE_SECRET, OriginProcess, PgServer

from ..runner import PROBLEM, Runner, assert_problem, assert_secured
from .conftest import CLIENT_IP, cli, cli_key, reached, rid, settle, start_real_origin

VERIFY = ("POST", "/internal/keys/verify", 200)


def test_get_with_a_cli_key_returns_the_origins_data(edge: httpx.Client, db_url: str) -> None:
    made = cli_key(db_url, "tasks:read,tasks:write", "--rate-limit-per-minute", "100")
    auth = {"Authorization": f"Bearer {made['key']}"}
    created = edge.post("/api/v1/tasks", headers=auth, json={"title": "through the edge"})
    assert created.status_code == 201, created.text
    task_id = created.json()["data"]["id"]

    get_id = rid("get")
    response = edge.get(
        f"/api/v1/tasks/{task_id}",
        headers={
            **auth,
            "X-Request-Id": get_id,
            "X-Edge-Key-Id": "forged",
            "X-Edge-Scopes": "admin",
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["data"]["id"] == task_id and body["data"]["title"] == "through the edge"
    assert body["meta"]["request_id"] == get_id == response.headers["x-request-id"]
    assert_secured(response)
    assert response.headers["ratelimit-policy"].startswith('"minute";q=100;w=60')
    assert response.headers["ratelimit"].startswith('"minute";r=98;')
    assert response.headers["x-ratelimit-limit"] == "100"
    assert response.headers["x-ratelimit-remaining"] == "98"
    assert int(response.headers["x-ratelimit-reset"]) > time.time()

    # The origin believed the edge's signed identity: the request is logged against the CLI key
    # and the client IP the edge saw (not the runner's socket address).
    settle(edge, db_url, made["key"])
    with psycopg.connect(db_url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT api_key_id::text, host(client_ip), status_code FROM api_access_logs"
            " WHERE request_id = %s AND path = %s",
            (get_id, f"/api/v1/tasks/{task_id}"),
        ).fetchone()
    assert row == (made["id"], CLIENT_IP, 200)


def test_refusals_are_problem_json_and_cached_verdicts_stay_at_the_edge(
    edge: httpx.Client, db_url: str
) -> None:
    reader = cli_key(db_url, "tasks:read")
    fenced = cli_key(db_url, "tasks:read", "--allow-ip", "198.51.100.0/24")
    revoked = cli_key(db_url, "tasks:read")
    unknown = keys.make_key("NoSuchKey0" * 3)
    good = reader["key"]
    bad_checksum = good[:-1] + ("0" if good[-1] != "0" else "1")

    sent: dict[str, list[str]] = {}

    def send(case: str, method: str, path: str, status: int, code: str, **headers: str) -> None:
        request_id = rid(case)
        sent.setdefault(case, []).append(request_id)
        response = edge.request(
            method, path, headers={**headers, "X-Request-Id": request_id}, json=None
        )
        assert_problem(response, status, code)

    assert edge.get("/api/v1/tasks", headers={"X-API-Key": revoked["key"]}).status_code == 200
    assert cli(db_url, "revoke", revoked["id"], "--reason", "e2e")["status"] == "revoked"
    time.sleep(2.5)  # the edge trusts a valid verdict for 2 s (KEY_CACHE_TTL_SECONDS)

    for _ in range(2):
        send("none", "GET", "/api/v1/tasks", 401, "missing-api-key")
        send(
            "checksum",
            "GET",
            "/api/v1/tasks",
            401,
            "invalid-api-key",
            **{"X-API-Key": bad_checksum},
        )
        send("unknown", "GET", "/api/v1/tasks", 401, "invalid-api-key", **{"X-API-Key": unknown})
        send(
            "revoked",
            "GET",
            "/api/v1/tasks",
            401,
            "revoked-api-key",
            **{"X-API-Key": revoked["key"]},
        )
        send("scope", "DELETE", "/api/v1/tasks/00000000-0000-0000-0000-000000000000", 403,
             "insufficient-scope", **{"X-API-Key": good})  # fmt: skip
        send("ip", "GET", "/api/v1/tasks", 403, "ip-not-allowed", **{"X-API-Key": fenced["key"]})
    settle(edge, db_url, good)

    # Malformed keys never leave the edge; the others cost one verify call, and the cached
    # verdict answers the second request: none of them reached the API itself.
    for case in ("none", "checksum"):
        assert [reached(db_url, r) for r in sent[case]] == [[], []], case
    for case in ("unknown", "revoked", "scope", "ip"):
        assert [reached(db_url, r) for r in sent[case]] == [[VERIFY], []], case


def test_the_n_plus_first_request_in_a_window_is_429(edge: httpx.Client, db_url: str) -> None:
    made = cli_key(db_url, "tasks:read", "--rate-limit-per-minute", "3")
    auth = {"X-API-Key": made["key"]}
    for remaining in (2, 1, 0):
        response = edge.get("/api/v1/tasks", headers=auth)
        assert response.status_code == 200, response.text
        assert response.headers["x-ratelimit-remaining"] == str(remaining)
    refused = edge.get("/api/v1/tasks", headers={**auth, "X-Request-Id": rid("limited")})
    body = assert_problem(refused, 429, "rate-limited")
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.headers["ratelimit"].startswith('"minute";r=0;')
    settle(edge, db_url, cli_key(db_url, "tasks:read")["key"])
    assert reached(db_url, body["request_id"]) == []


def test_second_get_is_a_hit_and_a_write_through_the_edge_purges(
    edge: httpx.Client, db_url: str
) -> None:
    writer = cli_key(db_url, "tasks:read,tasks:write")
    auth = {"X-API-Key": writer["key"]}
    created = edge.post("/api/v1/tasks", headers=auth, json={"title": "cached"})
    assert created.status_code == 201, created.text
    path = f"/api/v1/tasks/{created.json()['data']['id']}"

    first_id, second_id = rid("miss"), rid("hit")
    first = edge.get(path, headers={**auth, "X-Request-Id": first_id})
    second = edge.get(path, headers={**auth, "X-Request-Id": second_id})
    assert (first.status_code, second.status_code) == (200, 200), second.text
    assert (first.headers["x-cache"], second.headers["x-cache"]) == ("MISS", "HIT")
    assert second.json()["data"] == first.json()["data"]
    assert second.headers["etag"] == first.headers["etag"]
    assert second.headers["x-request-id"] == second_id
    assert_secured(second)

    # Another key with the same scopes shares the entry; other scopes do not.
    twin = cli_key(db_url, "tasks:write,tasks:read")
    assert edge.get(path, headers={"X-API-Key": twin["key"]}).headers["x-cache"] == "HIT"
    other = cli_key(db_url, "tasks:read")
    assert edge.get(path, headers={"X-API-Key": other["key"]}).headers["x-cache"] == "MISS"

    patched = edge.patch(
        path, headers={**auth, "If-Match": first.headers["etag"]}, json={"title": "changed"}
    )
    assert patched.status_code == 200, patched.text
    third = edge.get(path, headers=auth)
    assert third.headers["x-cache"] == "MISS"
    assert third.json()["data"]["title"] == "changed"
    assert edge.get(path, headers={"X-API-Key": other["key"]}).json()["data"]["title"] == "changed"

    settle(edge, db_url, writer["key"])
    assert [s for _, p, s in reached(db_url, first_id) if p == path] == [200]
    assert reached(db_url, second_id) == []  # the HIT never reached the origin


def test_key_owned_resources_are_never_cached(edge: httpx.Client, db_url: str) -> None:
    admin = cli_key(db_url, "admin")
    auth = {"X-API-Key": admin["key"]}
    for path in ("/api/v1/keys", f"/api/v1/keys/{admin['id']}"):
        labels = []
        for _ in range(2):
            response = edge.get(path, headers=auth)
            assert response.status_code == 200, response.text
            labels.append(response.headers["x-cache"])
        assert labels == ["BYPASS", "BYPASS"], path


def test_oversize_body_is_413_at_the_edge(edge: httpx.Client, db_url: str) -> None:
    made = cli_key(db_url, "tasks:write")
    request_id = rid("big")
    response = edge.post(
        "/api/v1/tasks",
        headers={
            "X-API-Key": made["key"],
            "Content-Type": "application/json",
            "X-Request-Id": request_id,
        },
        content=b'{"title": "' + b"x" * 1_048_576 + b'"}',
    )
    assert_problem(response, 413, "payload-too-large")
    settle(edge, db_url, cli_key(db_url, "tasks:read")["key"])
    assert reached(db_url, request_id) == []


def test_the_logs_batch_passes_the_edge_above_the_general_body_limit(
    edge: httpx.Client, db_url: str
) -> None:
    made = cli_key(db_url, "logs:write")
    entries = [{"level": "info", "message": "m" * 50_000, "source": "e2e"} for _ in range(30)]
    body = json.dumps({"entries": entries}).encode()
    assert len(body) > 1_048_576  # above MAX_BODY_BYTES, below BATCH_MAX_BODY_BYTES
    headers = {"X-API-Key": made["key"], "Content-Type": "application/json"}
    response = edge.post("/api/v1/logs/batch", headers=headers, content=body)
    assert response.status_code == 201, response.text
    assert response.json()["data"]["accepted"] == 30


def test_forged_edge_headers_straight_to_the_origin_are_refused(
    real_origin: OriginProcess, db_url: str
) -> None:
    forged = {
        "X-Edge-Timestamp": str(int(time.time())),
        "X-Edge-Key-Id": "00000000-0000-0000-0000-000000000001",
        "X-Edge-Scopes": "admin",
        "X-Edge-Client-Ip": CLIENT_IP,
        "X-Request-Id": rid("forged"),
        "X-Edge-Signature": "v2=" + "0" * 64,
    }
    with httpx.Client(base_url=real_origin.url, timeout=10) as http:
        assert_problem_plain(http.get("/api/v1/tasks", headers=forged), 401, "missing-api-key")
        verify = http.post("/internal/keys/verify", headers=forged, json={"key_hash": "0" * 64})
        assert_problem_plain(verify, 401, "edge-signature-required")
        # With a real but narrow key, the forged admin scopes are ignored: the key's own count.
        reader = cli_key(db_url, "tasks:read")
        response = http.get("/api/v1/keys", headers={**forged, "X-API-Key": reader["key"]})
        assert_problem_plain(response, 403, "insufficient-scope")


def assert_problem_plain(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["type"] == f"/problems/{code}"


def test_stopped_origin_is_502_problem_json(
    pg_server: PgServer, migrated_template: str, tmp_path_factory, runner_factory
) -> None:
    database_url, origin = start_real_origin(
        pg_server, migrated_template, tmp_path_factory.mktemp("e2e-stopped")
    )
    try:
        runner: Runner = runner_factory(origin.url, EDGE_SIGNING_SECRET=EDGE_SECRET)
        made = cli_key(database_url, "tasks:read,tasks:write")
        with httpx.Client(base_url=runner.url, timeout=30) as http:
            auth = {"X-API-Key": made["key"]}
            assert http.get("/api/v1/tasks", headers=auth).status_code == 200  # verdict cached
            origin.stop()
            response = http.post("/api/v1/tasks", headers=auth, json={"title": "nobody home"})
            body = assert_problem(response, 502, "origin-unreachable")
            assert body["request_id"]
            response = http.get("/api/v1/projects", headers=auth)
            assert_problem(response, 502, "origin-unreachable")
    finally:
        origin.stop()
        pg_server.drop_database(database_url.rsplit("/", 1)[1])
