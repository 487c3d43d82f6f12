"""What one ``api_access_logs`` row records of a request (the front layer records one per request).

Method, path with credential-like query values redacted, status, duration, client IP (as the edge
asserted it when the edge's signature verified), user agent, request id and the authenticated key
id — never a header value or a key.
"""

from __future__ import annotations

import time
from typing import Any

from litestar.types import Scope

from taskmaster.auth.recorder import AccessEntry, normalized_ip, redact_query, storable_text

LOGGED_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def access_entry(
    scope: Scope,
    identity: Any,
    status: int,
    elapsed_s: float,
    request_id: str,
    user_agent: bytes | None,
) -> AccessEntry:
    """``identity`` is the request's ``auth.authenticate.Identity``, or None when it had none."""
    method = scope["method"]
    path = scope["path"]
    query_string = scope.get("query_string")
    if query_string:
        query = redact_query(query_string)
        path = path + "?" + query if query else path
    client = scope.get("client") or (None,)
    return AccessEntry(
        api_key_id=getattr(identity, "key_id", None),
        request_id=request_id[:200],
        method=method if method in LOGGED_METHODS else "OPTIONS",
        path=storable_text(path[:2048]),
        status_code=status if 100 <= status <= 599 else 500,
        duration_ms=int(elapsed_s * 1000),
        client_ip=normalized_ip(getattr(identity, "client_ip", None) or client[0]),
        user_agent=storable_text(user_agent.decode("latin-1")[:1000]) if user_agent else None,
        created_at=time.time(),
    )
