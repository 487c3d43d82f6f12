"""Edge behaviour that mirrors the origin: OPTIONS and the API description need no key, the logs
batch endpoint has the origin's larger body limit, /health/detailed needs metrics:read."""

import json

from tm_edge import access, keys, pipeline

from .fakes import make_world, request

READER = keys.make_key("Q" * 30)
LOGGER = keys.make_key("L" * 30)


def world(**settings):
    w = make_world(**settings)
    w.origin.keys = {
        keys.key_hash(READER): {"valid": True, "key_id": "reader", "scopes": ["tasks:read"]},
        keys.key_hash(LOGGER): {"valid": True, "key_id": "logger", "scopes": ["logs:write"]},
    }
    return w


async def run(w, *args, **kwargs):
    return await pipeline.handle(request(*args, **kwargs), w.settings, w.ports())


async def test_options_is_forwarded_without_a_key():
    w = world()
    response = await run(w, "OPTIONS", "/api/v1/tasks")
    assert response.status == 201  # the fake origin's answer to anything but GET
    assert w.origin.seen[0].method == "OPTIONS"
    assert w.origin.seen[0].headers.get("x-edge-key-id") == "-"


async def test_the_api_description_is_public_but_internal_paths_stay_hidden():
    w = world()
    assert (await run(w, "GET", "/schema/openapi.json")).status == 200
    assert (await run(w, "GET", "/schema")).status == 200
    assert (await run(w, "GET", "/schemata")).status == 401
    assert (await run(w, "OPTIONS", "/internal/keys/verify")).status == 404
    assert [r.url.removeprefix("http://origin.test") for r in w.origin.seen] == [
        "/schema/openapi.json",
        "/schema",
    ]


async def test_the_logs_batch_takes_a_larger_body_than_other_writes():
    w = world(max_body_bytes=100, batch_max_body_bytes=1000)
    auth = {"x-api-key": LOGGER, "content-type": "application/json"}
    body = json.dumps({"entries": [{"level": "info", "message": "x" * 300}]}).encode()
    assert (await run(w, "POST", "/api/v1/logs/batch", headers=auth, body=body)).status == 201
    refused = await run(w, "POST", "/api/v1/logs", headers=auth, body=body)
    assert refused.status == 413
    too_big = await run(w, "POST", "/api/v1/logs/batch", headers=auth, body=b"x" * 1001)
    assert too_big.status == 413


def test_scopes_outside_the_api_prefix():
    assert access.required_scope("GET", "/health/detailed") == "metrics:read"
    assert access.required_scope("POST", "/health/detailed") == "admin"
    assert access.required_scope("GET", "/metrics") == "metrics:read"
    assert access.required_scope("GET", "/health/detailed/x") == "admin"
    assert access.required_scope("GET", "/schema/openapi.json") == access.PUBLIC
    assert access.required_scope("POST", "/api/v1/webhooks/github") == access.PUBLIC
    assert access.required_scope("GET", "/elsewhere") == "admin"
    assert access.required_scope("OPTIONS", "/api/v1/keys") == access.PUBLIC
