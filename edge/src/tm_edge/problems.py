"""RFC 9457 problem+json for every refusal the edge makes.

The one error type is `Problem`; `to_response` is the one place that turns it into HTTP. Codes are
stable, grep-able kebab-case strings grouped by pipeline stage. To add a refusal: add a constructor
below (code, status, title), raise it from the stage, and add it to docs/edge.md.
"""

from __future__ import annotations

import json

from .ports import EdgeResponse, Headers

# Relative, like the origin's default PROBLEM_TYPE_BASE: resolves to <edge>/problems/<code>, a public
# path the edge forwards to the origin's page for the code.
PROBLEM_BASE = "/problems/"
PROBLEM_CONTENT_TYPE = "application/problem+json"


class Problem(Exception):
    def __init__(
        self,
        code: str,
        status: int,
        title: str,
        detail: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.status = status
        self.title = title
        self.detail = detail
        self.headers = dict(headers or {})

    def body(self, request_id: str) -> dict:
        return {
            "type": PROBLEM_BASE + self.code,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "request_id": request_id,
        }

    def to_response(self, request_id: str) -> EdgeResponse:
        headers = Headers([("content-type", PROBLEM_CONTENT_TYPE), ("cache-control", "no-store")])
        for name, value in self.headers.items():
            headers.set(name, value)
        body = json.dumps(self.body(request_id), separators=(",", ":")).encode()
        return EdgeResponse(self.status, headers, body)


_BEARER = {"www-authenticate": 'Bearer realm="taskmaster"'}


def bearer_challenge() -> dict[str, str]:
    return dict(_BEARER)


# -- body / CORS / routing ---------------------------------------------------------------------
def payload_too_large(limit: int) -> Problem:
    return Problem(
        "payload-too-large", 413, "Payload too large", f"Bodies are limited to {limit} bytes."
    )


def cors_origin_denied(origin: str) -> Problem:
    return Problem(
        "cors-origin-denied", 403, "CORS origin not allowed", f"Origin {origin!r} is not allowed."
    )


def not_found(path: str) -> Problem:
    return Problem("not-found", 404, "Not found", f"No route for {path!r} at the edge.")


# -- keys ---------------------------------------------------------------------------------------
def missing_api_key() -> Problem:
    return Problem(
        "missing-api-key",
        401,
        "API key required",
        "Send the key as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'.",
        _BEARER,
    )


def invalid_api_key(detail: str = "The API key is not valid.") -> Problem:
    return Problem("invalid-api-key", 401, "Invalid API key", detail, _BEARER)


def revoked_api_key() -> Problem:
    return Problem("revoked-api-key", 401, "API key revoked", "The API key was revoked.", _BEARER)


def expired_api_key() -> Problem:
    return Problem("expired-api-key", 401, "API key expired", "The API key has expired.", _BEARER)


def inactive_api_key() -> Problem:
    return Problem("inactive-api-key", 401, "API key inactive", "The API key is inactive.", _BEARER)


def verification_unavailable(detail: str) -> Problem:
    return Problem(
        "key-verification-unavailable",
        503,
        "Key verification unavailable",
        detail,
        {"retry-after": "5"},
    )


# -- access ------------------------------------------------------------------------------------
def insufficient_scope(needed: str) -> Problem:
    return Problem(
        "insufficient-scope", 403, "Insufficient scope", f"This request needs the {needed!r} scope."
    )


def ip_not_allowed(ip: str) -> Problem:
    return Problem(
        "ip-not-allowed", 403, "Client IP not allowed", f"The key may not be used from {ip}."
    )


def endpoint_not_allowed(path: str) -> Problem:
    return Problem(
        "endpoint-not-allowed", 403, "Endpoint not allowed", f"The key may not call {path!r}."
    )


# -- limits ------------------------------------------------------------------------------------
def rate_limited(retry_after: int, detail: str) -> Problem:
    return Problem(
        "rate-limited", 429, "Too many requests", detail, {"retry-after": str(max(1, retry_after))}
    )


# -- origin ------------------------------------------------------------------------------------
def origin_unreachable() -> Problem:
    return Problem(
        "origin-unreachable", 502, "Origin unreachable", "The edge could not reach the origin."
    )


def origin_timeout(seconds: float) -> Problem:
    return Problem(
        "origin-timeout", 504, "Origin timeout", f"The origin did not answer within {seconds:g} s."
    )


def edge_misconfigured(detail: str) -> Problem:
    return Problem("edge-misconfigured", 500, "Edge misconfigured", detail)


def internal_error() -> Problem:
    return Problem(
        "internal-error", 500, "Internal error", "The edge could not handle the request."
    )
