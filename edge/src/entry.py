"""The TaskMaster edge Worker: a thin adapter from the Workers runtime to `tm_edge.pipeline`.

`Default.fetch` turns the runtime's request into a `tm_edge.ports.EdgeRequest`, builds the ports
over the bindings named in wrangler.toml (KEY_CACHE, IP_RATE_LIMITER, KEY_LIMITER, the Cache API,
`fetch`), runs the pipeline and turns its `EdgeResponse` back into a runtime `Response`. No
business logic lives here. To give the pipeline a new binding: declare it in wrangler.toml, add
a Protocol to `tm_edge/ports.py`, and implement it below over `self.env.<NAME>`.

`Default.scheduled` is the cron trigger (wrangler.toml `[triggers]`): it only hands over to
`tm_edge.cron.run_maintenance`, which asks the origin to run maintenance.

`KeyRateLimiter` is the Durable Object holding one key's exact counters; it only stores state
and delegates the counting to `tm_edge.counters`.
"""

import json
import time
import uuid
from urllib.parse import urlsplit

import js
from tm_edge import counters, cron, pipeline
from tm_edge.config import Settings
from tm_edge.ports import (
    EdgeRequest,
    EdgeResponse,
    Headers,
    OriginUnreachable,
    Ports,
    is_event_stream,
)
from workers import DurableObject, Request, Response, WorkerEntrypoint, fetch

NULL_BODY_STATUSES = frozenset({101, 103, 204, 205, 304})


def _js_headers(headers):
    result = js.Headers.new()
    for name, value in headers.items():
        result.append(name, value)
    return result


async def _from_runtime_response(response) -> EdgeResponse:
    """A runtime (JS) Response as an EdgeResponse, body read in full."""
    wrapped = Response(response)
    return EdgeResponse(wrapped.status, Headers(wrapped.headers.items()), await wrapped.bytes())


def _to_runtime_response(response: EdgeResponse, method: str = "GET") -> Response:
    body = None if response.status in NULL_BODY_STATUSES or method == "HEAD" else response.body
    if response.stream is not None and body is not None:
        body = response.stream  # the origin's ReadableStream: chunks flow through as they come
    return Response(body, status=response.status, headers=_js_headers(response.headers))


class KvStore:
    def __init__(self, binding):
        self._kv = binding

    async def get(self, key):
        return await self._kv.get(key)

    async def put(self, key, value, ttl_seconds=None):
        if ttl_seconds is None:
            await self._kv.put(key, value)
        else:
            await self._kv.put(key, value, {"expirationTtl": int(ttl_seconds)})

    async def delete(self, key):
        await self._kv.delete(key)


class IpLimiter:
    def __init__(self, binding):
        self._binding = binding

    async def limit(self, key):
        outcome = await self._binding.limit({"key": key})
        return bool(outcome["success"])


class KeyLimiterStub:
    def __init__(self, namespace):
        self._namespace = namespace

    async def hit(self, key_id, limits):
        stub = self._namespace.get(self._namespace.idFromName(key_id))
        return json.loads(await stub.hit(json.dumps({"limits": limits})))


class EdgeCache:
    def __init__(self, cache):
        self._cache = cache

    async def match(self, url):
        found = await self._cache.match(js.Request.new(url))
        if found is None:
            return None
        return await _from_runtime_response(found)

    async def put(self, url, response):
        await self._cache.put(js.Request.new(url), _to_runtime_response(response).js_object)

    async def delete(self, url):
        return bool(await self._cache.delete(js.Request.new(url)))


class OriginFetch:
    async def fetch(self, request):
        outgoing = Request(
            request.url,
            method=request.method,
            headers=_js_headers(request.headers),
            body=request.body or None,
            redirect="manual",
        )
        try:
            response = await fetch(outgoing)
        except Exception as error:  # a JS TypeError/OSError: connection refused, DNS, TLS
            raise OriginUnreachable(str(error)) from error
        headers = Headers(response.headers.items())
        if is_event_stream(headers):
            # An event stream never ends by itself: hand its body on without reading it.
            return EdgeResponse(response.status, headers, b"", response.js_object.body)
        return await _from_runtime_response(response.js_object)


def _env_getter(env):
    def get(name):
        value = getattr(env, name, None)
        return None if value is None else str(value)

    return get


def _log_request(method, url, response):
    """One JSON line per request (Workers Logs), with the request id the origin logs too.
    The path only: query strings may carry values a log must not keep."""
    line = {
        "request_id": response.headers.get("x-request-id"),
        "method": method,
        "path": urlsplit(url).path,
        "status": response.status,
        "cache": response.headers.get("x-cache"),
    }
    print(json.dumps(line, separators=(",", ":")))


def _new_id() -> str:
    return uuid.uuid4().hex


class _Isolate:
    """Settings and ports, built once per isolate rather than per request (~160 µs each time).

    Why that is safe: an isolate's `env` — vars, secrets and bindings — is fixed for its life
    (changing a var or secret deploys a new version, served by new isolates), and module globals
    live as long as the isolate. Rebuilt only when the runtime hands over another `env` object."""

    env_id: int | None = None
    settings: Settings | None = None
    ports: Ports | None = None

    @classmethod
    def for_env(cls, env) -> tuple[Settings, Ports]:
        # Each crossing into Python wraps `env` in a new JsProxy; its js_id names the JS object.
        env_id = getattr(env, "js_id", None) or id(env)
        if cls.settings is None or cls.ports is None or cls.env_id != env_id:
            cls.settings = Settings.from_env(_env_getter(env))
            cls.ports = Ports(
                kv=KvStore(env.KEY_CACHE),
                ip_limiter=IpLimiter(env.IP_RATE_LIMITER),
                key_limiter=KeyLimiterStub(env.KEY_LIMITER),
                cache=EdgeCache(js.caches.default),
                origin=OriginFetch(),
                now=time.time,
                new_id=_new_id,
            )
            cls.env_id = env_id
        return cls.settings, cls.ports


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        settings, ports = _Isolate.for_env(self.env)
        method = str(request.js_object.method)
        edge_request = EdgeRequest(
            method=method,
            url=request.url,
            headers=Headers(request.headers.items()),
            read_body=request.bytes,
        )
        response = await pipeline.handle(edge_request, settings, ports)
        _log_request(method, request.url, response)
        return _to_runtime_response(response, method)

    async def scheduled(self, controller, env=None, ctx=None):
        ports = Ports(
            kv=None,
            ip_limiter=None,
            key_limiter=None,
            cache=None,
            origin=OriginFetch(),
            now=time.time,
            new_id=_new_id,
        )
        status = await cron.run_maintenance(Settings.from_env(_env_getter(self.env)), ports)
        print(f"maintenance trigger {getattr(controller, 'cron', '')}: origin answered {status}")


class KeyRateLimiter(DurableObject):
    """One key's exact rate-limit counters (one instance per key id, calls serialised)."""

    async def hit(self, payload: str) -> str:
        limits = json.loads(payload)["limits"]
        state = getattr(self, "_state", None)
        if state is None:
            stored = await self.ctx.storage.get("state")
            state = json.loads(stored) if stored else {}
        state, decision = counters.hit(state, limits, time.time())
        self._state = state
        await self.ctx.storage.put("state", json.dumps(state))
        return json.dumps(decision)
