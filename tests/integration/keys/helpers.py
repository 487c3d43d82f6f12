"""Helpers for the key and auth tests: an independent edge signer (per the contract) and polling."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from typing import TypeVar

from tests.conftest import EDGE_SECRET

T = TypeVar("T")


def edge_headers(
    method: str,
    path_and_query: str,
    body: bytes = b"",
    *,
    key_id: str = "-",
    scopes: str = "",
    client_ip: str = "203.0.113.7",
    request_id: str = "edge-req-0001",
    timestamp: int | None = None,
    secret: str = EDGE_SECRET,
    nonce: str | None = None,
) -> dict[str, str]:
    """The X-Edge-* headers the edge would send (docs/edge-origin-contract.md); a fresh nonce
    unless one is given."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    nonce = nonce or secrets.token_hex(16)
    canonical = "\n".join(
        [
            "v2",
            ts,
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
    signature = hmac.new(secret.encode(), canonical.encode(), hashlib.sha256).hexdigest()
    return {
        "X-Edge-Timestamp": ts,
        "X-Edge-Nonce": nonce,
        "X-Edge-Key-Id": key_id,
        "X-Edge-Scopes": scopes,
        "X-Edge-Client-Ip": client_ip,
        "X-Request-Id": request_id,
        "X-Edge-Signature": f"v2={signature}",
    }


def wait_for(probe: Callable[[], T | None], timeout: float = 15.0) -> T:
    """Poll until ``probe`` returns something truthy (batched writes land within ~1 s)."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.1)
