"""The whole pipeline under CPython, with in-memory ports."""

import json

from tm_edge import headers, keys, pipeline
from tm_edge.ports import EdgeResponse, Headers

from .fakes import make_world, request

READER = keys.make_key("R" * 30)
WRITER = keys.make_key("W" * 30)
REVOKED = keys.make_key("X" * 30)


def verdict(key_id, scopes, **extra):
    return {"valid": True, "reason": None, "key_id": key_id, "scopes": scopes, **extra}


def world(**settings):
    w = make_world(**settings)
    w.origin.keys = {
        keys.key_hash(READER): verdict("reader", ["tasks:read"], rate_limits={"per_minute": 3}),
        keys.key_hash(WRITER): verdict("writer", ["tasks:read", "tasks:write"]),
        keys.key_hash(REVOKED): {"valid": False, "reason": "revoked"},
    }
    return w


async def run(w, *args, **kwargs):
    return await pipeline.handle(request(*args, **kwargs), w.settings, w.ports())


def problem(response):
    assert response.headers.get("content-type") == "application/problem+json"
    return json.loads(response.body)


async def test_a_keyed_get_reaches_the_origin_signed_with_security_and_limit_headers():
    w = world()
    response = await run(w, headers={"authorization": f"Bearer {READER}", "x-edge-key-id": "evil"})
    assert response.status == 200
    forwarded = w.origin.requests_to("/api/v1/tasks")[0]
    assert forwarded.headers.get("x-edge-key-id") == "reader"
    assert forwarded.headers.get("x-edge-scopes") == "tasks:read"
    assert "authorization" not in forwarded.headers
    h = response.headers
    assert h.get("x-content-type-options") == "nosniff"
    assert h.get("x-frame-options") == "DENY"
    assert h.get("content-security-policy").startswith("default-src 'none'")
    assert "server" not in h
    assert h.get("x-ratelimit-limit") == "3" and h.get("x-ratelimit-remaining") == "2"
    assert h.get("x-request-id") == "generated-00000001"


async def test_request_id_from_the_caller_is_kept_when_well_formed():
    w = world()
    response = await run(w, headers={"x-request-id": "caller-id-1234"})
    assert response.headers.get("x-request-id") == "caller-id-1234"
    assert problem(response)["request_id"] == "caller-id-1234"
    response = await run(w, headers={"x-request-id": "bad id!"})
    assert response.headers.get("x-request-id").startswith("generated-")


async def test_refusals_are_problems_and_cached_verdicts_spare_the_origin():
    w = world()
    assert problem(await run(w))["status"] == 401
    bad = READER[:-1] + ("A" if READER[-1] != "A" else "B")
    assert problem(await run(w, headers={"x-api-key": bad}))["type"].endswith("/invalid-api-key")
    assert w.origin.seen == []
    unknown = keys.make_key("U" * 30)
    for _ in range(2):
        assert (await run(w, headers={"x-api-key": unknown})).status == 401
    assert len(w.origin.requests_to("/internal/keys/verify")) == 1
    revoked = problem(await run(w, headers={"x-api-key": REVOKED}))
    assert (revoked["status"], revoked["type"]) == (
        401,
        "/problems/revoked-api-key",
    )
    scope = problem(await run(w, "POST", headers={"x-api-key": READER}, body=b"{}"))
    assert (scope["status"], scope["type"].rsplit("/", 1)[1]) == (403, "insufficient-scope")
    assert [r.method for r in w.origin.seen if "internal" not in r.url] == []


async def test_revocation_reaches_the_edge_after_the_ttl():
    w = world(key_cache_ttl=30)
    assert (await run(w, headers={"x-api-key": WRITER})).status == 200
    w.origin.keys[keys.key_hash(WRITER)] = {"valid": False, "reason": "revoked"}
    w.clock.now += 29
    assert (await run(w, headers={"x-api-key": WRITER})).status == 200
    w.clock.now += 2
    assert problem(await run(w, headers={"x-api-key": WRITER}))["status"] == 401


async def test_key_verification_fails_closed_when_the_origin_is_down():
    w = world()
    w.origin.down = True
    body = problem(await run(w, headers={"x-api-key": READER}))
    assert (body["status"], body["type"].rsplit("/", 1)[1]) == (503, "key-verification-unavailable")


async def test_origin_down_after_verification_is_502_and_slow_is_504():
    w = world(origin_timeout=0.05)
    assert (await run(w, headers={"x-api-key": WRITER})).status == 200
    w.origin.down = True
    assert problem(await run(w, "POST", headers={"x-api-key": WRITER}, body=b"{}"))["status"] == 502
    w.origin.down, w.origin.delay = False, 1.0
    assert problem(await run(w, "POST", headers={"x-api-key": WRITER}, body=b"{}"))["status"] == 504


async def test_the_n_plus_first_request_is_429_with_retry_after():
    w = world()
    for _ in range(3):
        assert (
            await run(w, "GET", "/api/v1/tasks?x=1", headers={"x-api-key": READER})
        ).status == 200
    refused = await run(w, headers={"x-api-key": READER})
    assert problem(refused)["status"] == 429
    assert int(refused.headers.get("retry-after")) == 60
    assert refused.headers.get("ratelimit") == '"minute";r=0;t=60'


async def test_per_ip_filter_runs_before_any_key_lookup():
    w = world()
    w.ip.limit_per_period = 1
    assert (await run(w)).status == 401
    refused = await run(w, headers={"x-api-key": READER})
    assert problem(refused)["status"] == 429 and refused.headers.get("retry-after") == "60"
    assert w.origin.seen == []


async def test_cache_hit_then_purge_on_write():
    w = world()
    auth = {"x-api-key": WRITER}
    first = await run(w, "GET", "/api/v1/tasks?b=2&a=1", headers=auth)
    second = await run(w, "GET", "/api/v1/tasks?a=1&b=2", headers=auth)
    assert (first.headers.get("x-cache"), second.headers.get("x-cache")) == ("MISS", "HIT")
    assert second.body == first.body
    assert len(w.origin.requests_to("/api/v1/tasks")) == 1
    assert (await run(w, "POST", "/api/v1/tasks", headers=auth, body=b"{}")).status == 201
    w.clock.now += 0.01
    third = await run(w, "GET", "/api/v1/tasks?a=1&b=2", headers=auth)
    assert third.headers.get("x-cache") == "MISS"


async def test_uncacheable_gets_are_bypass_or_miss():
    w = world()
    auth = {"x-api-key": WRITER}
    bypass = await run(w, "GET", "/api/v1/tasks", headers={**auth, "cache-control": "no-cache"})
    assert bypass.headers.get("x-cache") == "BYPASS"
    w.origin.cache_control = "private, max-age=60"
    for _ in range(2):
        assert (await run(w, "GET", "/api/v1/tasks/1", headers=auth)).headers.get(
            "x-cache"
        ) == "MISS"


async def test_oversize_bodies_are_413_before_anything_else():
    w = world(max_body_bytes=10)
    response = await run(w, "POST", headers={"x-api-key": WRITER}, body=b"x" * 11)
    assert problem(response)["status"] == 413
    assert w.origin.seen == []


async def test_cors_preflight_and_internal_paths():
    w = world(cors_allowed_origins=("https://app.test",))
    preflight = await run(
        w,
        "OPTIONS",
        headers={"origin": "https://app.test", "access-control-request-method": "POST"},
    )
    assert preflight.status == 204
    assert preflight.headers.get("access-control-allow-origin") == "https://app.test"
    denied = await run(
        w,
        "OPTIONS",
        headers={"origin": "https://evil.test", "access-control-request-method": "GET"},
    )
    assert problem(denied)["status"] == 403
    ok = await run(w, headers={"x-api-key": WRITER, "origin": "https://app.test"})
    assert "X-Request-Id" in ok.headers.get("access-control-expose-headers")
    assert problem(await run(w, "POST", "/internal/keys/verify"))["status"] == 404


async def test_missing_secret_is_a_500_problem_not_an_unsigned_call():
    w = world(signing_secret="")
    assert problem(await run(w, headers={"x-api-key": READER}))["status"] == 500
    assert w.origin.seen == []


async def test_public_paths_need_no_key():
    w = world()
    response = await run(w, "GET", "/health")
    assert response.status == 200
    assert w.origin.seen[0].headers.get("x-edge-key-id") == "-"


def test_a_page_policy_of_the_origin_is_kept_and_the_rest_is_the_edges():
    """The console's CSP (scripts from the origin itself) survives; JSON answers get the API's."""
    page_policy = "default-src 'none'; script-src 'self'; frame-ancestors 'none'"
    page = EdgeResponse(
        200, Headers([(headers.CSP, page_policy), ("x-frame-options", "ALLOW")]), b""
    )
    secured = headers.secure(page, "rid-00000001").headers
    assert secured.get(headers.CSP) == page_policy
    assert secured.get("x-frame-options") == "DENY"
    api = headers.secure(EdgeResponse(200, Headers(), b""), "rid-00000002").headers
    assert api.get(headers.CSP) == "default-src 'none'; frame-ancestors 'none'"
