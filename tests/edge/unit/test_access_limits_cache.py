import pytest
from tm_edge import access, cache, counters, limits
from tm_edge.config import Settings
from tm_edge.ports import EdgeResponse, Headers
from tm_edge.problems import Problem
from tm_edge.verdicts import Verdict, parse_time


@pytest.mark.parametrize(
    ("method", "path", "scope"),
    [
        ("GET", "/api/v1/tasks", "tasks:read"),
        ("HEAD", "/api/v1/tasks/1", "tasks:read"),
        ("POST", "/api/v1/tasks", "tasks:write"),
        ("PATCH", "/api/v1/projects/9", "tasks:write"),
        ("GET", "/api/v1/projects/9/critical-path", "tasks:read"),
        ("DELETE", "/api/v1/workflows/3", "workflows:write"),
        ("GET", "/api/v1/deployments", "deployments:read"),
        ("POST", "/api/v1/logs", "logs:write"),
        ("GET", "/api/v1/metrics/series", "metrics:read"),
        ("POST", "/api/v1/metrics", "logs:write"),
        ("GET", "/api/v1/analytics/tasks", "metrics:read"),
        ("POST", "/api/v1/templates/x/render", "workflows:write"),
        ("GET", "/api/v1/pull-requests", "tasks:read"),
        ("GET", "/api/v1/configuration/x", "admin"),
        ("GET", "/api/v1/keys", "keys:admin"),
        ("POST", "/api/v1/keys", "keys:admin"),
        ("GET", "/api/v1/templates", "workflows:read"),
        ("GET", "/api/v1/unmapped-things", "admin"),
        ("GET", "/api/v1/tasks/next", "tasks:read"),  # a literal segment, not {task_id}
        ("DELETE", "/api/v1/tasks", "admin"),  # no such route: fail closed
        ("OPTIONS", "/api/v1/keys", "public"),
    ],
)
def test_required_scope(method, path, scope):
    assert access.required_scope(method, path) == scope


def valid(**kwargs) -> Verdict:
    return Verdict(valid=True, key_id="k1", **kwargs)


def refusal(verdict, method="GET", path="/api/v1/tasks", ip="203.0.113.9", now=100.0):
    try:
        access.check(verdict, method=method, path=path, client_ip=ip, now=now)
    except Problem as problem:
        return problem.status, problem.code
    return None


def test_access_checks():
    assert refusal(valid(scopes=["tasks:read"])) is None
    assert refusal(valid(scopes=["admin"]), method="POST", path="/api/v1/keys") is None
    assert refusal(valid(scopes=["tasks:read"]), method="POST") == (403, "insufficient-scope")
    assert refusal(valid(scopes=["tasks:read"], expires_at=100.0)) == (401, "expired-api-key")
    cidr = valid(scopes=["tasks:read"], allowed_ips=["198.51.100.0/24", "2001:db8::1"])
    assert refusal(cidr, ip="198.51.100.77") is None
    assert refusal(cidr, ip="2001:db8::1") is None
    assert refusal(cidr) == (403, "ip-not-allowed")
    assert refusal(cidr, ip="unknown") == (403, "ip-not-allowed")
    only_tasks = valid(scopes=["admin"], allowed_endpoints=["/api/v1/tasks*"])
    assert refusal(only_tasks, path="/api/v1/tasks/5") is None
    assert refusal(only_tasks, path="/api/v1/workflows") == (403, "endpoint-not-allowed")


def test_verdict_parsing():
    verdict = Verdict.from_origin(
        {
            "valid": True,
            "key_id": "abc",
            "scopes": ["tasks:read"],
            "expires_at": "2026-12-01T00:00:00Z",
            "allowed_ips": None,
            "allowed_endpoints": None,
            "rate_limits": {"per_minute": 60, "per_hour": None, "burst": 10},
        }
    )
    assert verdict.expires_at == parse_time("2026-12-01T00:00:00+00:00")
    assert verdict.rate_limits == {"per_minute": 60, "burst": 10}
    assert Verdict.from_origin({"valid": False, "reason": "weird"}).reason == "unknown"


def test_settings_cap_the_key_cache_ttl_at_30_seconds():
    env = {"KEY_CACHE_TTL_SECONDS": "300", "CORS_ALLOWED_ORIGINS": "https://a, https://b"}
    settings = Settings.from_env(env.get)
    assert settings.key_cache_ttl == 30
    assert settings.cors_allowed_origins == ("https://a", "https://b")


def test_revocation_bound_defaults_within_30_seconds_and_a_shorter_one_is_kept():
    """KEY_CACHE_TTL_SECONDS bounds how long a revoked key or a deactivated owner's key is still
    served at the edge (the e2e tests run with 2 s)."""
    assert Settings.from_env({}.get).key_cache_ttl <= 30
    assert Settings.from_env({"KEY_CACHE_TTL_SECONDS": "2"}.get).key_cache_ttl == 2


def test_counters_refuse_the_n_plus_first_request_in_a_window():
    state, now = {}, 1000.0
    for _ in range(3):
        state, decision = counters.hit(state, {"per_minute": 3}, now)
        assert decision["allowed"]
    state, decision = counters.hit(state, {"per_minute": 3}, now + 10)
    assert not decision["allowed"]
    assert decision["retry_after"] == 50
    assert decision["windows"][0]["remaining"] == 0
    state, decision = counters.hit(state, {"per_minute": 3}, now + 60)  # window closed
    assert decision["allowed"]
    assert decision["windows"][0]["remaining"] == 2


def test_burst_bucket_and_refusals_consume_nothing():
    limits_ = {"per_minute": 60, "per_day": 1000, "burst": 2}
    state, _ = counters.hit({}, limits_, 0.0)
    state, _ = counters.hit(state, limits_, 0.0)
    state, decision = counters.hit(state, limits_, 0.0)
    assert not decision["allowed"] and decision["retry_after"] == 1
    day = next(w for w in decision["windows"] if w["name"] == "day")
    assert day["remaining"] == 998
    state, decision = counters.hit(state, limits_, 1.0)  # one token refilled
    assert decision["allowed"]


def test_rate_limit_headers():
    decision = {
        "allowed": True,
        "windows": [
            {"name": "minute", "limit": 60, "remaining": 59, "reset": 60, "window": 60},
            {"name": "hour", "limit": 100, "remaining": 10, "reset": 3000, "window": 3600},
        ],
    }
    headers = limits.headers_for(decision, 1000.0)
    assert headers.get("ratelimit-policy") == '"minute";q=60;w=60, "hour";q=100;w=3600'
    assert headers.get("ratelimit") == '"hour";r=10;t=3000'
    assert headers.get("x-ratelimit-limit") == "100"
    assert headers.get("x-ratelimit-remaining") == "10"
    assert headers.get("x-ratelimit-reset") == "4000"


def test_cache_key_sorts_the_query_and_never_holds_the_key():
    a = cache.cache_url("0", cache.fingerprint(["tasks:read"]), "/api/v1/tasks", "b=2&a=1")
    b = cache.cache_url("0", cache.fingerprint(["tasks:read"]), "/api/v1/tasks", "a=1&b=2")
    assert a == b and a.endswith("/api/v1/tasks?a=1&b=2")
    assert cache.fingerprint(["b", "a"]) == cache.fingerprint(["a", "b"])
    assert cache.fingerprint(["tasks:read"]) != cache.fingerprint(["admin"])
    assert "ctm_" not in a


@pytest.mark.parametrize(
    ("status", "headers", "stored"),
    [
        (200, [("cache-control", "public, max-age=30")], True),
        (200, [("cache-control", "s-maxage=30, max-age=0")], True),
        (200, [("cache-control", "private, max-age=30")], False),
        (200, [("cache-control", "no-store")], False),
        (200, [("cache-control", "max-age=0")], False),
        (200, [("cache-control", "max-age=30"), ("set-cookie", "a=b")], False),
        (200, [("cache-control", "max-age=30"), ("vary", "*")], False),
        (404, [("cache-control", "max-age=30")], False),
        (200, [], False),
    ],
)
def test_storable_copy(status, headers, stored):
    response = EdgeResponse(status, Headers([*headers, ("x-ratelimit-remaining", "3")]), b"{}")
    copy = cache.storable_copy(response, default_ttl=0)
    assert (copy is not None) == stored
    if copy is not None:
        assert "x-ratelimit-remaining" not in copy.headers


def test_default_ttl_applies_when_the_origin_is_silent():
    copy = cache.storable_copy(EdgeResponse(200, Headers(), b"{}"), default_ttl=10)
    assert copy is not None and copy.headers.get("cache-control") == "public, max-age=10"


def test_cached_etag_answers_304():
    cached = EdgeResponse(200, Headers([("etag", '"v1"'), ("cache-control", "max-age=9")]), b"x")
    answer = cache.answer_from_cache(cached, Headers([("if-none-match", '"v0", "v1"')]))
    assert answer.status == 304 and answer.body == b"" and answer.headers.get("etag") == '"v1"'
    assert cache.answer_from_cache(cached, Headers()).status == 200


@pytest.mark.parametrize(
    ("stored", "sent"),
    [('"v1"', 'W/"v1"'), ('W/"v1"', '"v1"'), ('W/"v1"', 'W/"v1"'), ('"v1"', '"v0" , "v1"')],
)
def test_if_none_match_is_the_weak_comparison(stored, sent):
    # As workerd's Cache API answers a conditional match (tests/edge/pyodide/test_real_bindings).
    cached = EdgeResponse(200, Headers([("etag", stored), ("cache-control", "max-age=9")]), b"x")
    assert cache.answer_from_cache(cached, Headers([("if-none-match", sent)])).status == 304
    assert cache.answer_from_cache(cached, Headers([("if-none-match", '"v2"')])).status == 200
