"""The real Worker on real Pyodide (through the Node runner), driven over HTTP, in front of the
test peer origin. Each test uses its own keys so the session's shared KV/cache/DO state is moot."""

from __future__ import annotations

import time

import httpx
import pytest
from tm_edge import keys

from ..runner import SECRET, SECURITY, assert_problem
from .peer_origin import PeerOrigin


def new_key(tag: str) -> str:
    return keys.make_key((tag * 30)[:30])


def grant(peer: PeerOrigin, key: str, key_id: str, scopes: list[str], **extra) -> None:
    peer.state.keys[keys.key_hash(key)] = {
        "valid": True,
        "reason": None,
        "key_id": key_id,
        "scopes": scopes,
        "expires_at": "2099-01-01T00:00:00Z",
        "allowed_ips": extra.get("allowed_ips"),
        "allowed_endpoints": extra.get("allowed_endpoints"),
        "rate_limits": extra.get(
            "rate_limits", {"per_minute": 1000, "per_hour": 10000, "per_day": 100000, "burst": 500}
        ),
    }


@pytest.fixture
def client(edge) -> httpx.Client:
    with httpx.Client(base_url=edge.url, timeout=30) as c:
        yield c


def test_keyed_get_returns_origin_data_with_security_and_rate_limit_headers(client, peer):
    key = new_key("Get1")
    grant(peer, key, "key-get", ["tasks:read"])
    response = client.get(
        "/api/v1/tasks?limit=5",
        headers={
            "Authorization": f"Bearer {key}",
            "X-Edge-Key-Id": "forged",
            "X-Request-Id": "e2e-get-0001",
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"] == {"path": "/api/v1/tasks?limit=5", "key_id": "key-get"}
    assert response.headers["x-request-id"] == "e2e-get-0001"
    for name, value in SECURITY.items():
        assert response.headers[name] == value
    assert response.headers["strict-transport-security"].startswith("max-age=")
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert "server" not in response.headers
    assert response.headers["ratelimit-policy"].startswith('"minute";q=1000;w=60')
    assert response.headers["ratelimit"].startswith('"minute";r=999;')
    assert response.headers["x-ratelimit-limit"] == "1000"
    assert response.headers["x-ratelimit-remaining"] == "999"
    assert int(response.headers["x-ratelimit-reset"]) > time.time()
    seen = [s for s in peer.state.forwarded() if s.headers.get("x-request-id") == "e2e-get-0001"]
    assert len(seen) == 1
    assert seen[0].headers["x-edge-key-id"] == "key-get"  # the forged header never arrived
    assert "authorization" not in seen[0].headers


def test_refusals_are_problem_json_without_reaching_the_origin(client, peer):
    before = len(peer.state.forwarded())
    assert_problem(client.get("/api/v1/tasks"), 401, "missing-api-key")
    good = new_key("Ref1")
    bad_checksum = good[:-1] + ("0" if good[-1] != "0" else "1")
    assert_problem(
        client.get("/api/v1/tasks", headers={"X-API-Key": bad_checksum}), 401, "invalid-api-key"
    )
    assert peer.state.verifications(keys.key_hash(bad_checksum)) == 0

    unknown = new_key("Unk1")
    for _ in range(2):
        assert_problem(
            client.get("/api/v1/tasks", headers={"X-API-Key": unknown}), 401, "invalid-api-key"
        )
    assert peer.state.verifications(keys.key_hash(unknown)) == 1  # negative verdict cached

    reader = new_key("Rdr1")
    grant(peer, reader, "key-reader", ["tasks:read"])
    for _ in range(2):
        response = client.post("/api/v1/tasks", headers={"X-API-Key": reader}, json={"title": "x"})
        assert_problem(response, 403, "insufficient-scope")
    assert peer.state.verifications(keys.key_hash(reader)) == 1

    fenced = new_key("Ipx1")
    grant(peer, fenced, "key-fenced", ["tasks:read"], allowed_ips=["203.0.113.0/24"])
    outside = {"X-API-Key": fenced, "CF-Connecting-IP": "198.51.100.7"}
    assert_problem(client.get("/api/v1/tasks", headers=outside), 403, "ip-not-allowed")
    assert_problem(client.get("/api/v1/tasks", headers=outside), 403, "ip-not-allowed")
    assert peer.state.verifications(keys.key_hash(fenced)) == 1
    assert len(peer.state.forwarded()) == before  # none of these reached the API
    inside = {"X-API-Key": fenced, "CF-Connecting-IP": "203.0.113.77"}
    assert client.get("/api/v1/tasks", headers=inside).status_code == 200


def test_the_n_plus_first_request_in_the_window_is_429(client, peer):
    key = new_key("Lim1")
    grant(peer, key, "key-limited", ["tasks:read"], rate_limits={"per_minute": 3, "burst": 10})
    for remaining in (2, 1, 0):
        response = client.get("/api/v1/tasks/7", headers={"X-API-Key": key})
        assert response.status_code == 200
        assert response.headers["x-ratelimit-remaining"] == str(remaining)
    refused = client.get("/api/v1/tasks/7", headers={"X-API-Key": key})
    assert_problem(refused, 429, "rate-limited")
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.headers["ratelimit"].startswith('"minute";r=0;')


def test_second_get_is_a_hit_and_a_write_purges(client, peer):
    key = new_key("Cch1")
    grant(peer, key, "key-cache", ["tasks:read", "tasks:write"])
    auth = {"X-API-Key": key}
    path = "/api/v1/tasks?status=pending&cache_test=1"

    def origin_gets() -> int:
        return sum(
            1 for s in peer.state.forwarded() if s.method == "GET" and "cache_test" in s.path
        )

    first = client.get(path, headers=auth)
    second = client.get("/api/v1/tasks?cache_test=1&status=pending", headers=auth)
    assert (first.headers["x-cache"], second.headers["x-cache"]) == ("MISS", "HIT")
    assert second.json() == first.json()
    assert origin_gets() == 1
    assert second.headers["x-content-type-options"] == "nosniff"
    not_modified = client.get(path, headers={**auth, "If-None-Match": first.headers["etag"]})
    assert not_modified.status_code == 304
    assert client.post("/api/v1/tasks", headers=auth, json={"title": "new"}).status_code == 201
    third = client.get(path, headers=auth)
    assert third.headers["x-cache"] == "MISS"
    assert origin_gets() == 2


def test_oversize_body_is_413(client, peer):
    key = new_key("Big1")
    grant(peer, key, "key-big", ["tasks:write"])
    before = len(peer.state.forwarded())
    response = client.post(
        "/api/v1/tasks", headers={"X-API-Key": key, "content-type": "application/json"},
        content=b"x" * (1_048_576 + 1),
    )  # fmt: skip
    assert_problem(response, 413, "payload-too-large")
    assert len(peer.state.forwarded()) == before


def test_slow_origin_is_504(client, peer):
    key = new_key("Slw1")
    grant(peer, key, "key-slow", ["tasks:read"])
    assert_problem(
        client.get("/api/v1/tasks/slow", headers={"X-API-Key": key}), 504, "origin-timeout"
    )


def test_cors_preflight_is_answered_at_the_edge(client):
    response = client.options(
        "/api/v1/tasks",
        headers={"Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST"},
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "http://localhost:3000"
    assert "X-API-Key" in response.headers["access-control-allow-headers"]
    denied = client.options(
        "/api/v1/tasks",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert_problem(denied, 403, "cors-origin-denied")


def test_revocation_after_ttl_and_stopped_origin(runner_factory):
    peer = PeerOrigin(SECRET).start()
    runner = runner_factory(peer.url, KEY_CACHE_TTL_SECONDS="2")
    revoked = new_key("Rev1")
    grant(peer, revoked, "key-revoked", ["tasks:read"])
    survivor = new_key("Srv1")
    grant(peer, survivor, "key-survivor", ["tasks:read", "tasks:write"])
    with httpx.Client(base_url=runner.url, timeout=30) as client:
        assert client.get("/api/v1/tasks", headers={"X-API-Key": revoked}).status_code == 200
        peer.state.keys[keys.key_hash(revoked)] = {"valid": False, "reason": "revoked"}
        time.sleep(2.5)  # let the verdict's TTL run out (not a timing assertion)
        response = client.get("/api/v1/tasks", headers={"X-API-Key": revoked})
        assert_problem(response, 401, "revoked-api-key")

        assert (
            client.post("/api/v1/tasks", headers={"X-API-Key": survivor}, json={}).status_code
            == 201
        )
        peer.stop()
        response = client.post("/api/v1/tasks", headers={"X-API-Key": survivor}, json={})
        assert_problem(response, 502, "origin-unreachable")
        unverified = new_key("Unv1")
        response = client.get("/api/v1/tasks", headers={"X-API-Key": unverified})
        assert_problem(response, 503, "key-verification-unavailable")


def test_each_request_is_logged_with_its_request_id_and_no_query(edge, client):
    response = client.get("/api/v1/tasks?secret=hunter2", headers={"X-Request-Id": "e2e-log-0001"})
    assert response.status_code == 401
    deadline = time.time() + 5
    lines: list[str] = []
    while time.time() < deadline:
        lines = [line for line in edge.output if '"request_id":"e2e-log-0001"' in line]
        if lines:
            break
        time.sleep(0.05)
    assert lines, edge.output[-5:]
    assert '"path":"/api/v1/tasks"' in lines[0] and '"status":401' in lines[0]
    assert "hunter2" not in "\n".join(edge.output)


def test_an_event_stream_passes_through_unbuffered_uncached_and_counted_once(client, peer):
    key = new_key("Sse1")
    grant(peer, key, "key-sse", ["tasks:read"])
    peer.state.stream_release.clear()
    peer.state.stream_ended.clear()
    headers = {"Authorization": f"Bearer {key}"}
    with client.stream("GET", "/api/v1/stream", headers=headers) as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/event-stream"
        assert response.headers["x-cache"] == "BYPASS"
        assert response.headers["x-ratelimit-remaining"] == "999"  # one request, however long
        lines = response.iter_lines()
        first = [next(lines) for _ in range(5)]
        # The first event is here while the origin still holds the response open.
        assert first == ["retry: 3000", "", "id: 1", 'data: {"id": 1}', ""]
        assert not peer.state.stream_ended.is_set()
        peer.state.stream_release.set()
        rest = list(lines)
    assert rest[:2] == ["id: 2", 'data: {"id": 2}'] and peer.state.stream_ended.is_set()
    seen = [
        s
        for s in peer.state.forwarded("/api/v1/stream")
        if s.headers.get("x-edge-key-id") == "key-sse"
    ]
    assert len(seen) == 1
