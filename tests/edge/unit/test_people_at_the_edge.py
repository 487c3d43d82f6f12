"""People at the edge: bearer JWTs verified by the Worker itself (standard library HMAC), the
signed identity forwarded as ``user:<id>:<session>``, per-user limits, no shared cache; and keys
limited to projects get a cache partition of their own."""

import json

import jwt
from tm_edge import keys, pipeline

from .fakes import make_world, request

SECRET = "edge-test-jwt-secret-0123456789abcdef-xyz"
NOW = 1_800_000_000
READER = keys.make_key("R" * 30)
LIMITED = keys.make_key("L" * 30)


def token(**claims):
    base = {"iss": "taskmaster", "aud": "taskmaster-api", "sub": "u1", "sid": "s1",
            "scp": ["tasks:read"], "iat": NOW, "exp": NOW + 900}  # fmt: skip
    return jwt.encode({**base, **claims}, SECRET, algorithm="HS256", headers={"kid": "k1"})


def world(**settings):
    w = make_world(jwt_keys=(("k1", SECRET),), **settings)
    w.origin.cache_control = "public, max-age=60"
    w.origin.keys = {
        keys.key_hash(READER): {"valid": True, "key_id": "reader", "scopes": ["tasks:read"]},
        keys.key_hash(LIMITED): {"valid": True, "key_id": "limited", "scopes": ["tasks:read"],
                                 "cache_partition": "limited"},
    }  # fmt: skip
    return w


async def run(w, *args, **kwargs):
    return await pipeline.handle(request(*args, **kwargs), w.settings, w.ports())


async def test_a_valid_token_is_forwarded_as_the_signed_user_without_an_origin_lookup():
    w = world()
    response = await run(w, headers={"authorization": f"Bearer {token()}"})
    assert response.status == 200
    forwarded = w.origin.requests_to("/api/v1/tasks")[0]
    assert forwarded.headers.get("x-edge-key-id") == "user:u1:s1"
    assert forwarded.headers.get("x-edge-scopes") == "tasks:read"
    assert "authorization" not in forwarded.headers
    assert w.origin.requests_to("/internal/keys/verify") == []
    assert response.headers.get("x-ratelimit-limit")  # per-user limits apply
    assert response.headers.get("x-cache") == "BYPASS"  # the origin checks the session every time


async def test_bad_tokens_are_refused_at_the_edge():
    w = world()
    forged = jwt.encode({"sub": "u1"}, "another-secret-of-the-same-length-0123456", algorithm="HS256",
                        headers={"kid": "k1"})  # fmt: skip
    for bad in (
        token(exp=NOW - 1),
        token(aud="someone-else"),
        token(sub="a:b"),
        forged,
        jwt.encode({"sub": "u1"}, None, algorithm="none", headers={"kid": "k1"}),
        "a.b.c",
    ):
        w.clock.now = NOW
        response = await run(w, headers={"authorization": f"Bearer {bad}"})
        assert response.status == 401, bad
        assert json.loads(response.body)["type"].endswith("/invalid-access-token")
    assert w.origin.requests_to("/api/v1/tasks") == []


async def test_scopes_of_the_token_are_enforced_at_the_edge():
    w = world()
    response = await run(w, "POST", headers={"authorization": f"Bearer {token()}"}, body=b"{}")
    assert response.status == 403
    me = await run(w, "GET", "/api/v1/me", headers={"authorization": f"Bearer {token(scp=[])}"})
    assert me.status == 200


async def test_a_project_limited_key_does_not_share_cached_answers():
    w = world()
    first = await run(w, "GET", "/api/v1/tasks/1", headers={"x-api-key": READER})
    second = await run(w, "GET", "/api/v1/tasks/1", headers={"x-api-key": READER})
    assert (first.headers.get("x-cache"), second.headers.get("x-cache")) == ("MISS", "HIT")
    limited = await run(w, "GET", "/api/v1/tasks/1", headers={"x-api-key": LIMITED})
    assert limited.headers.get("x-cache") == "MISS"  # same scopes, but its own partition


async def test_the_consoles_session_cookie_signs_in_like_a_bearer_token():
    w = world()
    cookie = f"theme=dark; tm_session={token()}"
    response = await run(w, headers={"cookie": cookie, "x-csrf-token": "t"})
    assert response.status == 200
    forwarded = w.origin.requests_to("/api/v1/tasks")[0]
    assert forwarded.headers.get("x-edge-key-id") == "user:u1:s1"
    # The origin checks a cookie session's CSRF token: both reach it.
    assert forwarded.headers.get("cookie") == cookie
    assert forwarded.headers.get("x-csrf-token") == "t"
    assert response.headers.get("x-cache") == "BYPASS"
    w.clock.now = NOW
    expired = await run(w, headers={"cookie": f"tm_session={token(exp=NOW - 1)}"})
    assert expired.status == 401
    assert json.loads(expired.body)["type"].endswith("/invalid-access-token")


async def test_a_header_credential_wins_over_the_cookie():
    w = world()
    response = await run(
        w, headers={"x-api-key": READER, "cookie": f"tm_session={token(sub='u9')}"}
    )
    assert response.status == 200
    assert w.origin.requests_to("/api/v1/tasks")[0].headers.get("x-edge-key-id") == "reader"
    no_session = await run(w, headers={"cookie": "theme=dark"})
    assert no_session.status == 401  # no credential at all
