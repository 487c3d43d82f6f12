"""In-memory fakes of the pipeline's ports, for CPython unit tests (not the runner's stand-ins)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field

from tm_edge import counters, signing
from tm_edge.config import Settings
from tm_edge.ports import (
    EdgeRequest,
    EdgeResponse,
    Headers,
    OriginRequest,
    OriginUnreachable,
    Ports,
)

SECRET = "unit-test-secret"


class Clock:
    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


class FakeKV:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.data: dict[str, tuple[str, float | None]] = {}
        self.fail_puts = False

    async def get(self, key):
        value = self.data.get(key)
        if value is None or (value[1] is not None and value[1] <= self.clock()):
            return None
        return value[0]

    async def put(self, key, value, ttl_seconds=None):
        if self.fail_puts:
            raise RuntimeError("KV PUT failed: 429 too many requests")
        if ttl_seconds is not None and ttl_seconds < 60:
            raise ValueError("expirationTtl must be at least 60")
        self.data[key] = (value, None if ttl_seconds is None else self.clock() + ttl_seconds)

    async def delete(self, key):
        self.data.pop(key, None)


class FakeIpLimiter:
    def __init__(self, limit: int = 1000) -> None:
        self.limit_per_period = limit
        self.counts: dict[str, int] = {}

    async def limit(self, key):
        # As workerd's `ratelimits` binding: a refused call is not counted.
        if self.counts.get(key, 0) >= self.limit_per_period:
            return False
        self.counts[key] = self.counts.get(key, 0) + 1
        return True


class FakeKeyLimiter:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.states: dict[str, dict] = {}

    async def hit(self, key_id, limits):
        state, decision = counters.hit(self.states.get(key_id, {}), limits, self.clock())
        self.states[key_id] = state
        return decision


class FakeCache:
    def __init__(self) -> None:
        self.entries: dict[str, EdgeResponse] = {}

    async def match(self, url):
        return self.entries.get(url)

    async def put(self, url, response):
        self.entries[url] = response

    async def delete(self, url):
        return self.entries.pop(url, None) is not None


@dataclass
class FakeOrigin:
    """Answers /internal/keys/verify from `keys` (key_hash → verdict data) and echoes the rest."""

    clock: Clock
    keys: dict[str, dict] = field(default_factory=dict)
    seen: list[OriginRequest] = field(default_factory=list)
    down: bool = False
    delay: float = 0.0
    cache_control: str | None = "public, max-age=60"

    def requests_to(self, path: str) -> list[OriginRequest]:
        return [r for r in self.seen if r.url.split("?")[0].endswith(path)]

    async def fetch(self, request: OriginRequest) -> EdgeResponse:
        if self.down:
            raise OriginUnreachable("connection refused")
        if self.delay:
            await asyncio.sleep(self.delay)
        self.seen.append(request)
        assert verify_signature(request), "edge sent a badly signed request"
        if request.url.endswith("/internal/keys/verify"):
            key_hash = json.loads(request.body)["key_hash"]
            data = self.keys.get(key_hash) or {"valid": False, "reason": "unknown"}
            body = json.dumps({"data": data, "meta": {"request_id": "x"}}).encode()
            return EdgeResponse(200, Headers([("content-type", "application/json")]), body)
        headers = Headers([("content-type", "application/json"), ("server", "granian")])
        if self.cache_control:
            headers.set("cache-control", self.cache_control)
        body = json.dumps({"data": {"method": request.method, "url": request.url}}).encode()
        return EdgeResponse(200 if request.method == "GET" else 201, headers, body)


def verify_signature(request: OriginRequest) -> bool:
    h = request.headers
    path = "/" + request.url.split("://", 1)[1].split("/", 1)[1]
    message = signing.canonical(
        int(h.get("x-edge-timestamp")),
        request.method,
        path,
        h.get("x-edge-key-id"),
        h.get("x-edge-scopes"),
        h.get("x-edge-client-ip"),
        h.get("x-request-id"),
        request.body or b"",
    )
    return signing.verify(SECRET, message, h.get("x-edge-signature"))


@dataclass
class World:
    clock: Clock
    kv: FakeKV
    ip: FakeIpLimiter
    limiter: FakeKeyLimiter
    cache: FakeCache
    origin: FakeOrigin
    settings: Settings
    ids: int = 0

    def ports(self) -> Ports:
        def new_id() -> str:
            self.ids += 1
            return f"generated-{self.ids:08d}"

        return Ports(self.kv, self.ip, self.limiter, self.cache, self.origin, self.clock, new_id)


def make_world(**settings) -> World:
    clock = Clock()
    base = {"origin_url": "http://origin.test", "signing_secret": SECRET}
    base.update(settings)
    return World(
        clock=clock,
        kv=FakeKV(clock),
        ip=FakeIpLimiter(),
        limiter=FakeKeyLimiter(clock),
        cache=FakeCache(),
        origin=FakeOrigin(clock),
        settings=Settings(**base),
    )


def request(
    method: str = "GET",
    path: str = "/api/v1/tasks",
    headers: dict[str, str] | None = None,
    body: bytes = b"",
) -> EdgeRequest:
    items = [("cf-connecting-ip", "203.0.113.9"), *(headers or {}).items()]
    if body:
        items.append(("content-length", str(len(body))))

    async def read_body() -> bytes:
        return body

    return EdgeRequest(method, "https://api.test" + path, Headers(items), read_body)
