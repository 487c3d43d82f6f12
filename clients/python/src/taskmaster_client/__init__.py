"""Python client of the TaskMaster API for internal services.

``Client`` (sync) and ``AsyncClient`` (async) over httpx; typed msgspec models; list iterators that
follow ``next_cursor``; retries on 429/502/503/504 honouring ``Retry-After``; an ``Idempotency-Key``
on every POST; problem+json raised as typed exceptions (``errors``); ``stream()``, the event
stream as typed ``Event`` s, resuming by itself after a disconnect (``_stream``).
"""

from taskmaster_client._core import RetryPolicy
from taskmaster_client._stream import StreamEnded, StreamReset
from taskmaster_client.aio import AsyncClient
from taskmaster_client.client import Client
from taskmaster_client.errors import (
    ApiError,
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    PreconditionFailed,
    RateLimited,
    ServerError,
    ServiceUnavailable,
    TaskMasterError,
    TransportError,
    Unauthorized,
    ValidationFailed,
)

__all__ = [
    "ApiError",
    "AsyncClient",
    "BadRequest",
    "Client",
    "Conflict",
    "Forbidden",
    "NotFound",
    "PayloadTooLarge",
    "PreconditionFailed",
    "RateLimited",
    "RetryPolicy",
    "ServerError",
    "ServiceUnavailable",
    "StreamEnded",
    "StreamReset",
    "TaskMasterError",
    "TransportError",
    "Unauthorized",
    "ValidationFailed",
]
