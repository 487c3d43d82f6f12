"""What the sync and async clients share: request preparation, the retry decision, decoding.

Retries: 429, 502, 503 and 504 (and connection failures of requests that are safe to repeat) are
retried up to ``max_retries`` times. The wait is the server's ``Retry-After`` when it sends one —
unless that is longer than ``max_retry_wait``, in which case the error is raised at once rather
than retried early — else exponential backoff with jitter (``backoff_base * 2**attempt``, at most
``backoff_max``). Every POST carries an ``Idempotency-Key`` (a uuid4 unless the caller gives one),
the same on each of its retries, so a retried create never creates twice.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import msgspec

from taskmaster_client.errors import error_for, parse_retry_after

T = TypeVar("T")
RETRY_STATUSES = frozenset({429, 502, 503, 504})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
USER_AGENT = "taskmaster-client-python/0.1.0"
_encoder = msgspec.json.Encoder()


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_retries: int = 3
    backoff_base: float = 0.5
    backoff_max: float = 8.0
    max_retry_wait: float = 30.0  # the longest Retry-After honoured


@dataclass(slots=True)
class Prepared:
    method: str
    path: str
    params: dict[str, Any] | None
    content: bytes | None
    headers: dict[str, str]

    @property
    def repeatable(self) -> bool:
        """Safe to send again after a connection failure (the first may have arrived)."""
        return self.method in SAFE_METHODS or "Idempotency-Key" in self.headers


def default_headers(api_key: str, extra: dict[str, str] | None) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {api_key}",
        "Accept": "application/json",
        "User-Agent": USER_AGENT,
        **(extra or {}),
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, msgspec.Struct):
        return msgspec.to_builtins(value)
    return value


def prepare(
    method: str,
    path: str,
    *,
    json: Any = None,
    params: dict[str, Any] | None = None,
    idempotency_key: str | None = None,
    auto_idempotency: bool = True,
    if_match: int | str | None = None,
) -> Prepared:
    headers: dict[str, str] = {}
    content = None
    if json is not None:
        content = _encoder.encode(_jsonable(json))
        headers["Content-Type"] = "application/json"
    if method == "POST" and (idempotency_key or auto_idempotency):
        headers["Idempotency-Key"] = idempotency_key or str(uuid.uuid4())
    if if_match is not None:
        headers["If-Match"] = if_match if isinstance(if_match, str) else f'"{if_match}"'
    query = None
    if params:
        query = {}
        for name, value in params.items():
            if value is None:
                continue
            if isinstance(value, bool):
                value = "true" if value else "false"
            elif isinstance(value, (list, tuple)):
                value = [str(v) for v in value]
            else:
                value = str(value)
            query[name] = value
    return Prepared(method, path, query, content, headers)


def retry_wait(response: httpx.Response | None, attempt: int, policy: RetryPolicy) -> float | None:
    """Seconds to wait before retry ``attempt + 1``; None: do not retry."""
    if attempt >= policy.max_retries:
        return None
    if response is not None:
        if response.status_code not in RETRY_STATUSES:
            return None
        after = parse_retry_after(response.headers.get("retry-after"))
        if after is not None:
            return after if after <= policy.max_retry_wait else None
    backoff = min(policy.backoff_max, policy.backoff_base * 2**attempt)
    return backoff * (0.5 + random.random() / 2)  # noqa: S311 - jitter, not security


def decode(response: httpx.Response, type_: type[T] | None) -> T:
    if response.status_code >= 400:
        raise error_for(response.status_code, response.content, dict(response.headers))
    if type_ is None or response.status_code == 204 or not response.content:
        return None  # type: ignore[return-value]
    return msgspec.json.decode(response.content, type=type_)
