"""Identity asserted by the edge in signed ``X-Edge-*`` headers (docs/edge-origin-contract.md).

The origin believes the asserted key id, scopes and client IP only when the HMAC-SHA256 signature
over the canonical string verifies with ``EDGE_SIGNING_SECRET`` (constant-time) and the timestamp is
within :data:`MAX_SKEW_SECONDS` of now. Otherwise :func:`verify` returns None and the caller ignores
every ``X-Edge-*`` header (the request is then authenticated by its own API key). A valid signature
is usable once: its nonce (``X-Edge-Nonce``, signed) is claimed in ``auth.nonces`` by the caller.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

# v2: the canonical string carries the nonce (v1 had none and is no longer accepted).
VERSION = "v2"
NO_KEY = "-"
MAX_SKEW_SECONDS = 60
SIGNATURE_HEADER = "x-edge-signature"
NONCE_HEADER = "x-edge-nonce"
_NONCE = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True, slots=True)
class EdgeIdentity:
    key_id: str | None  # None when the edge called on behalf of no key ("-")
    scopes: tuple[str, ...]
    client_ip: str
    nonce: str = ""
    expires_at: int = 0  # Unix time after which the signature fails the freshness check anyway


def canonical(
    timestamp: str,
    nonce: str,
    method: str,
    path_and_query: str,
    key_id: str,
    scopes: str,
    client_ip: str,
    request_id: str,
    body: bytes,
) -> str:
    return "\n".join(
        (
            VERSION,
            timestamp,
            nonce,
            method.upper(),
            path_and_query,
            key_id,
            scopes,
            client_ip,
            request_id,
            hashlib.sha256(body).hexdigest(),
        )
    )


def signature(secret: str, message: str) -> str:
    return VERSION + "=" + hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def verify(
    secret: str,
    headers: dict[str, str],
    method: str,
    path_and_query: str,
    body: bytes,
    now: float,
) -> EdgeIdentity | None:
    """The asserted identity if the signature is valid and fresh; None otherwise (never raises)."""
    presented = headers.get(SIGNATURE_HEADER)
    if not secret or not presented:
        return None
    timestamp = headers.get("x-edge-timestamp", "")
    if not timestamp.isdigit() or abs(now - int(timestamp)) > MAX_SKEW_SECONDS:
        return None
    nonce = headers.get(NONCE_HEADER, "")
    if _NONCE.fullmatch(nonce) is None:
        return None
    key_id = headers.get("x-edge-key-id", "")
    scopes = headers.get("x-edge-scopes", "")
    client_ip = headers.get("x-edge-client-ip", "")
    request_id = headers.get("x-request-id", "")
    message = canonical(
        timestamp, nonce, method, path_and_query, key_id, scopes, client_ip, request_id, body
    )
    if not hmac.compare_digest(signature(secret, message).encode(), presented.encode()):
        return None
    return EdgeIdentity(
        key_id=None if key_id in (NO_KEY, "") else key_id,
        scopes=tuple(s for s in scopes.split(",") if s),
        client_ip=client_ip,
        nonce=nonce,
        expires_at=int(timestamp) + MAX_SKEW_SECONDS,
    )
