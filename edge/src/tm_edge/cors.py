"""CORS: preflights are answered at the edge; allowed origins come from CORS_ALLOWED_ORIGINS.

Preflights carry no credentials, so they are answered before any key check. Responses to allowed
origins expose the headers a browser client needs (request id, rate limits, cache, ETag).
"""

from __future__ import annotations

from . import problems
from .ports import EdgeRequest, EdgeResponse, Headers

ALLOWED_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"
ALLOWED_HEADERS = (
    "Authorization, X-API-Key, Content-Type, Idempotency-Key, If-Match, If-None-Match, X-Request-Id"
)
EXPOSED_HEADERS = (
    "X-Request-Id, ETag, Location, Retry-After, RateLimit, RateLimit-Policy, "
    "X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, X-Cache"
)
MAX_AGE = "600"


def origin_allowed(origin: str, allowed: tuple[str, ...]) -> bool:
    return "*" in allowed or origin in allowed


def is_preflight(request: EdgeRequest) -> bool:
    return (
        request.method.upper() == "OPTIONS"
        and "origin" in request.headers
        and "access-control-request-method" in request.headers
    )


def preflight(request: EdgeRequest, allowed: tuple[str, ...]) -> EdgeResponse:
    origin = request.headers.get("origin") or ""
    if not origin_allowed(origin, allowed):
        raise problems.cors_origin_denied(origin)
    headers = Headers(
        [
            ("access-control-allow-origin", origin),
            ("access-control-allow-methods", ALLOWED_METHODS),
            ("access-control-allow-headers", ALLOWED_HEADERS),
            ("access-control-max-age", MAX_AGE),
            ("vary", "Origin"),
        ]
    )
    return EdgeResponse(204, headers)


def decorate(response: EdgeResponse, request: EdgeRequest, allowed: tuple[str, ...]) -> None:
    origin = request.headers.get("origin")
    if origin and origin_allowed(origin, allowed):
        response.headers.set("access-control-allow-origin", origin)
        response.headers.set("access-control-expose-headers", EXPOSED_HEADERS)
        vary = response.headers.get("vary")
        if not vary or "origin" not in vary.lower():
            response.headers.set("vary", f"{vary}, Origin" if vary else "Origin")
