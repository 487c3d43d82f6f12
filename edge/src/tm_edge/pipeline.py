"""The edge request pipeline: one function per stage, run in this order by `handle`.

request id → body size (413) → CORS preflight → internal paths (404) → per-IP filter (429) →
public paths and OPTIONS (forwarded without a key) → key extraction + checksum (401) → verdict
from KV or the origin (401 / 503) → access checks (401 / 403) → per-key limits (429) → edge cache
(HIT / MISS / BYPASS) → forward with the signed identity and Access headers (502 / 504) → cache
store / purge → CORS + security headers.

Every refusal is a `problems.Problem`, turned into problem+json in `handle` only. To add a stage,
write it as a function of (request context, settings, ports) in its own module and call it from
`_run` at its place in the order above.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from . import (
    access,
    cache,
    cors,
    headers,
    keys,
    limits,
    origin,
    problems,
    request_id,
    routes,
    signing,
    tokens,
    verdicts,
)
from .config import Settings
from .ports import EdgeRequest, EdgeResponse, Headers, OriginUnreachable, Ports

# Client headers that never reach the origin: credentials the edge has replaced by its signed
# assertion, and headers the edge sets itself.
NOT_FORWARDED = (
    "authorization",
    "x-api-key",
    "host",
    "content-length",
    "x-request-id",
    "x-forwarded-for",
    "cf-access-client-id",
    "cf-access-client-secret",
    "cf-access-jwt-assertion",
)
NOT_RETURNED = ("content-length", "content-encoding")


@dataclass
class Call:
    """What the stages learn about one request as it goes through the pipeline."""

    request: EdgeRequest
    request_id: str
    method: str
    path: str
    query: str
    client_ip: str
    route: routes.Route = routes.UNMATCHED
    body: bytes = b""
    key_id: str = signing.NO_KEY
    scopes: list[str] = field(default_factory=list)
    limit_headers: Headers = field(default_factory=Headers)
    # The edge cache is shared by callers with the same scopes; a key limited to projects (or
    # owned by a user) gets its own partition, and people bypass the cache (their session is
    # checked by the origin on every request).
    cache_partition: str | None = None
    bypass_cache: bool = False

    @property
    def cache_scopes(self) -> list[str]:
        return [*self.scopes, f"~{self.cache_partition}"] if self.cache_partition else self.scopes

    @property
    def path_and_query(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path


async def handle(request: EdgeRequest, settings: Settings, ports: Ports) -> EdgeResponse:
    rid = request_id.choose(request.headers.get("x-request-id"), ports.new_id)
    try:
        response = await _run(request, rid, settings, ports)
    except problems.Problem as problem:
        response = problem.to_response(rid)
    except Exception:  # the edge answers problem+json, never a stack trace
        print(f"edge internal error request_id={rid}\n{traceback.format_exc()}")
        response = problems.internal_error().to_response(rid)
    cors.decorate(response, request, settings.cors_allowed_origins)
    return headers.secure(response, rid)


async def _run(request: EdgeRequest, rid: str, settings: Settings, ports: Ports) -> EdgeResponse:
    parts = urlsplit(request.url)
    method, path = request.method.upper(), parts.path or "/"
    call = Call(
        request=request,
        request_id=rid,
        method=method,
        path=path,
        query=parts.query,
        client_ip=(request.headers.get("cf-connecting-ip") or "").strip() or "unknown",
        route=routes.match(method, path),
    )
    call.body = await read_body(request, call.method, body_limit(call.route, settings))
    if cors.is_preflight(request):
        return cors.preflight(request, settings.cors_allowed_origins)
    if is_internal(call.path):
        raise problems.not_found(call.path)
    if settings.ip_limit_enabled:
        await limits.check_ip(call.client_ip, ports)
    if call.route.public:  # OPTIONS too: it only states a path's methods
        return await forward(call, settings, ports)
    await authenticate(call, settings, ports)
    return await respond(call, settings, ports)


async def read_body(request: EdgeRequest, method: str, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.strip().isdigit() and int(declared) > limit:
        raise problems.payload_too_large(limit)
    if method in origin.BODYLESS and not declared and "transfer-encoding" not in request.headers:
        return b""
    body = await request.read_body()
    if len(body) > limit:
        raise problems.payload_too_large(limit)
    return body


def body_limit(route: routes.Route, settings: Settings) -> int:
    """The largest body a route takes: the batch endpoints have their own (as at the origin)."""
    return settings.batch_max_body_bytes if route.large_body else settings.max_body_bytes


def is_internal(path: str) -> bool:
    """Origin routes only the edge itself calls (`/internal/keys/verify`, the cron's
    maintenance run): 404 to clients, for every method."""
    return routes.is_internal(path)


async def authenticate(call: Call, settings: Settings, ports: Ports) -> None:
    """Key → verdict → access checks → per-key limits; fills the call's identity. A bearer JWT
    (a person) is verified here instead and limited per user, as is the console's session cookie
    when no other credential is sent."""
    request_headers = call.request.headers
    bearer = _bearer(request_headers)
    if bearer is None and not _credential(request_headers):
        bearer = tokens.session_cookie(request_headers.get("cookie"))
    if bearer is not None and tokens.looks_like_jwt(bearer):
        await authenticate_user(call, bearer, settings, ports)
        return
    key = keys.extract(call.request.headers)
    verdict, _ = await verdicts.lookup(
        keys.key_hash(key), settings, ports, client_ip=call.client_ip, request_id=call.request_id
    )
    verdicts.refuse_invalid(verdict)
    access.check(
        verdict,
        method=call.method,
        path=call.path,
        client_ip=call.client_ip,
        now=ports.now(),
        needed=call.route.scope,
    )
    call.key_id = verdict.key_id or signing.NO_KEY
    call.scopes = list(verdict.scopes)
    call.cache_partition = verdict.cache_partition
    call.limit_headers = await limits.check_key(call.key_id, verdict.rate_limits, ports)


def _credential(request_headers: Headers) -> bool:
    return "authorization" in request_headers or "x-api-key" in request_headers


def _bearer(request_headers: Headers) -> str | None:
    scheme, _, value = (request_headers.get("authorization") or "").strip().partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def authenticate_user(call: Call, token: str, settings: Settings, ports: Ports) -> None:
    user = tokens.verify(token, dict(settings.jwt_keys), ports.now())
    needed = call.route.scope
    if needed not in (access.PUBLIC, access.AUTHENTICATED) and not access.has_scope(
        user.scopes, needed
    ):
        raise problems.insufficient_scope(needed)
    call.key_id = user.identity
    call.scopes = user.scopes
    call.bypass_cache = True
    call.limit_headers = await limits.check_key(
        tokens.USER_PREFIX + user.user_id, dict(settings.user_rate_limits), ports
    )


async def respond(call: Call, settings: Settings, ports: Ports) -> EdgeResponse:
    """Serve from the edge cache when possible, else forward; store, purge and label."""
    if call.method != "GET":
        response = await forward(call, settings, ports)
        if call.method != "HEAD" and 200 <= response.status < 300:
            await cache.purge(call.path, call.cache_scopes, ports, call.route.group)
        return _with_limits(response, call)
    if call.bypass_cache or not cache.eligible(call.method, call.path, call.request.headers):
        response = await forward(call, settings, ports)
        response.headers.set("x-cache", cache.BYPASS)
        return _with_limits(response, call)
    url = await cache.url_for(call.path, call.query, call.cache_scopes, ports)
    cached = await ports.cache.match(url)
    if cached is not None:
        response = cache.answer_from_cache(cached, call.request.headers)
        response.headers.set("x-cache", cache.HIT)
        return _with_limits(response, call)
    response = await forward(call, settings, ports)
    copy = cache.storable_copy(response, settings.cache_default_ttl)
    if copy is not None:
        await ports.cache.put(url, copy)
    response.headers.set("x-cache", cache.MISS)
    return _with_limits(response, call)


def _with_limits(response: EdgeResponse, call: Call) -> EdgeResponse:
    for name, value in call.limit_headers.items():
        response.headers.set(name, value)
    return response


async def forward(call: Call, settings: Settings, ports: Ports) -> EdgeResponse:
    """Send the call to the origin with the signed identity; 502/504 when it cannot answer."""
    if not settings.signing_secret:
        raise problems.edge_misconfigured("EDGE_SIGNING_SECRET is not set.")
    outgoing = Headers(
        (name, value)
        for name, value in call.request.headers.items()
        if name not in NOT_FORWARDED
        and name not in headers.HOP_BY_HOP
        and not name.startswith(signing.EDGE_HEADER_PREFIX)
    )
    outgoing.set("x-forwarded-for", call.client_ip)
    request = origin.signed_request(
        settings,
        ports.now(),
        method=call.method,
        path_and_query=call.path_and_query,
        key_id=call.key_id,
        scopes=call.scopes,
        client_ip=call.client_ip,
        request_id=call.request_id,
        body=call.body,
        headers=outgoing,
    )
    try:
        response = await origin.send(request, ports, settings.origin_timeout)
    except OriginUnreachable:
        raise problems.origin_unreachable() from None
    except TimeoutError:
        raise problems.origin_timeout(settings.origin_timeout) from None
    for name in NOT_RETURNED:
        response.headers.delete(name)
    return response
