"""Provider signature checks: HMAC-SHA256 of the raw body, compared in constant time.

- GitHub: ``X-Hub-Signature-256: sha256=<hex>``; delivery id ``X-GitHub-Delivery``, event
  ``X-GitHub-Event``.
- Linear: ``Linear-Signature: <hex>``; delivery id ``Linear-Delivery`` when sent, else
  ``<webhookId>:<webhookTimestamp>`` from the payload (both are covered by the signature).

Every refusal is the same 401, so a caller cannot probe which part was wrong.
"""

from __future__ import annotations

import hashlib
import hmac

from taskmaster.errors import ApiError


def bad_signature() -> ApiError:
    return ApiError(
        401,
        "invalid-webhook-signature",
        "Invalid webhook signature",
        "The delivery's signature is missing or does not match the configured secret.",
    )


def _hex_hmac(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_github(secret: str, header: str | None, body: bytes) -> None:
    if not secret or not header:
        raise bad_signature()
    expected = "sha256=" + _hex_hmac(secret, body)
    if not hmac.compare_digest(expected.encode(), header.strip().lower().encode()):
        raise bad_signature()


def verify_linear(secret: str, header: str | None, body: bytes) -> None:
    if not secret or not header:
        raise bad_signature()
    if not hmac.compare_digest(_hex_hmac(secret, body).encode(), header.strip().lower().encode()):
        raise bad_signature()


def sign_github(secret: str, body: bytes) -> str:
    """The header value GitHub would send (for tests and local tooling)."""
    return "sha256=" + _hex_hmac(secret, body)


def sign_linear(secret: str, body: bytes) -> str:
    return _hex_hmac(secret, body)
