"""HMAC identity assertion, edge → origin (docs/edge-origin-contract.md).

Canonical string: `v2`, timestamp, nonce, METHOD, path?query as forwarded, key id, scopes header
value, client IP, request id, sha256-hex(body) — joined with "\n". Signature header:
`v2=<hex hmac>`. The nonce (`X-Edge-Nonce`, 32 lower-case hex characters, new for every call) makes
each signature usable once: the origin remembers it for the freshness window.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from .ports import Headers

VERSION = "v2"
NO_KEY = "-"
EDGE_HEADER_PREFIX = "x-edge-"


def new_nonce() -> str:
    """16 random bytes as hex (``secrets`` draws from ``crypto.getRandomValues`` under Pyodide)."""
    return secrets.token_hex(16)


def canonical(
    timestamp: int,
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
        [
            VERSION,
            str(timestamp),
            nonce,
            method.upper(),
            path_and_query,
            key_id,
            scopes,
            client_ip,
            request_id,
            hashlib.sha256(body).hexdigest(),
        ]
    )


def sign(secret: str, message: str) -> str:
    digest = hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()
    return f"{VERSION}={digest}"


def verify(secret: str, message: str, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, message), signature)


def identity_headers(
    secret: str,
    *,
    timestamp: int,
    method: str,
    path_and_query: str,
    key_id: str,
    scopes: list[str],
    client_ip: str,
    request_id: str,
    body: bytes,
    nonce: str | None = None,
) -> Headers:
    """The `X-Edge-*` headers (and `X-Request-Id`) asserting identity for one call; every caller
    (forwarding, key verification, cron) gets a fresh nonce unless it passes one (tests)."""
    nonce = nonce or new_nonce()
    scopes_value = ",".join(scopes)
    message = canonical(
        timestamp, nonce, method, path_and_query, key_id, scopes_value, client_ip, request_id, body
    )
    return Headers(
        [
            ("x-edge-timestamp", str(timestamp)),
            ("x-edge-nonce", nonce),
            ("x-edge-key-id", key_id),
            ("x-edge-scopes", scopes_value),
            ("x-edge-client-ip", client_ip),
            ("x-request-id", request_id),
            ("x-edge-signature", sign(secret, message)),
        ]
    )
