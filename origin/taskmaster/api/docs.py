"""OpenAPI helpers: every route documents the problem+json responses it can give."""

from __future__ import annotations

from litestar.openapi import ResponseSpec

from taskmaster.errors import PROBLEM_MEDIA_TYPE, Problem

_DESCRIPTIONS = {
    400: "Malformed request: bad JSON, unknown or invalid query parameter, sort or cursor",
    401: "Missing or invalid API key",
    403: "The key lacks a scope, or the client IP or endpoint is not allowed",
    404: "No such resource",
    409: "Conflicts with related rows or a unique value",
    412: "If-Match does not match the current version",
    413: "Body larger than the configured limit",
    415: "Body is not application/json",
    422: "Body does not match the schema or breaks a data rule",
    429: "Rate limit exceeded (see Retry-After)",
    503: "Database unavailable (see Retry-After)",
}
COMMON = (400, 404, 503)
WRITE = (*COMMON, 409, 413, 415, 422)


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    """``responses=`` for a route: one problem+json entry per status it may answer."""
    return {
        status: ResponseSpec(
            data_container=Problem,
            media_type=PROBLEM_MEDIA_TYPE,
            description=_DESCRIPTIONS[status],
            generate_examples=False,
        )
        for status in sorted(set(statuses))
    }
