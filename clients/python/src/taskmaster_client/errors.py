"""problem+json answers as typed exceptions.

Every non-2xx answer raises a subclass of :class:`ApiError` chosen by status (and, for 422, the
same class whatever the code); ``code`` is the last segment of the problem ``type`` (e.g.
``duplicate-slug``), stable across versions, so callers branch on it rather than on ``detail``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import msgspec


class TaskMasterError(Exception):
    """Base of every error this client raises."""


class TransportError(TaskMasterError):
    """The request did not get an HTTP answer (connection refused, timeout…), after retries."""


class FieldError(msgspec.Struct, omit_defaults=True):
    field: str
    message: str


class Problem(msgspec.Struct, omit_defaults=True):
    type: str = "about:blank"
    title: str = ""
    status: int = 0
    detail: str = ""
    request_id: str = ""
    errors: list[FieldError] | None = None


class ApiError(TaskMasterError):
    """An RFC 9457 problem answered by the API."""

    def __init__(self, status: int, problem: Problem, headers: dict[str, str] | None = None):
        self.status = status
        self.type = problem.type
        self.code = problem.type.rstrip("/").rsplit("/", 1)[-1]
        self.title = problem.title
        self.detail = problem.detail
        self.request_id = problem.request_id or (headers or {}).get("x-request-id", "")
        self.errors = list(problem.errors or [])
        self.headers = headers or {}
        super().__init__(f"{status} {self.code}: {self.detail} (request {self.request_id})")


class BadRequest(ApiError):
    """400: malformed request, unknown or invalid query parameter, sort or cursor."""


class Unauthorized(ApiError):
    """401: missing, malformed, unknown, expired or revoked API key."""


class Forbidden(ApiError):
    """403: the key lacks a scope, or the client IP / endpoint is not allowed."""


class NotFound(ApiError):
    """404."""


class Conflict(ApiError):
    """409: duplicate, still referenced, dependency cycle, idempotency key in progress…"""


class PreconditionFailed(ApiError):
    """412: If-Match does not match the current version."""


class PayloadTooLarge(ApiError):
    """413."""


class ValidationFailed(ApiError):
    """422: the body breaks the schema or a data rule (``errors`` lists the fields)."""


class RateLimited(ApiError):
    """429: ``retry_after`` seconds (from Retry-After) when the server said."""

    @property
    def retry_after(self) -> float | None:
        return parse_retry_after(self.headers.get("retry-after"))


class ServerError(ApiError):
    """5xx."""


class ServiceUnavailable(ServerError):
    """503: database unavailable or query timeout (see Retry-After)."""


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    412: PreconditionFailed,
    413: PayloadTooLarge,
    422: ValidationFailed,
    429: RateLimited,
    503: ServiceUnavailable,
}


def error_for(status: int, content: bytes, headers: dict[str, str]) -> ApiError:
    try:
        problem = msgspec.json.decode(content, type=Problem)
    except (msgspec.DecodeError, msgspec.ValidationError):
        text = content.decode("utf-8", "replace")[:500]
        problem = Problem(title="Error", status=status, detail=text or f"HTTP {status}")
    cls = _BY_STATUS.get(status) or (ServerError if status >= 500 else ApiError)
    return cls(status, problem, headers)


def parse_retry_after(value: Any) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None if absent/bad."""
    if not value:
        return None
    text = str(value).strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
